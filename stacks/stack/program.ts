/**
 * The program: read and validate the stack config, then build the InferenceStack. index.ts runs
 * it under the Pulumi engine; the offline plan runs the very same function on the mock engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig, StackConfig } from "../config/load";
import { InferenceStack } from "./inference-stack";
import { checkStack, StackPlan } from "../config/validate";

export interface ProgramOutputs {
    /** Model name → endpoint (in-cluster URL or gateway route). */
    endpoints: pulumi.Output<Record<string, string>>;
    /** Namespace of the model workloads. */
    namespace: pulumi.Output<string>;
}

/** The stack config as read from Pulumi config and checked end to end (what `program` builds from). */
export function checkedStackConfig(): { config: StackConfig; plan: StackPlan } {
    const config = loadStackConfig();
    return { config, plan: checkStack(config) };
}

/** Build the stack; `checked` when the caller already ran checkedStackConfig (the offline plan). */
export function program(checked?: { config: StackConfig; plan: StackPlan }): ProgramOutputs {
    let c: { config: StackConfig; plan: StackPlan };
    try {
        c = checked ?? checkedStackConfig();
    } catch (e) {
        // RunError prints just the message (one line per problem), without a stack trace.
        if (e instanceof ConfigError) throw new pulumi.RunError(`invalid stack config:\n${e.message}`);
        throw e;
    }
    const stack = new InferenceStack("inference", c);
    return { endpoints: stack.endpoints, namespace: stack.platform.namespace };
}
