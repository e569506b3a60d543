/**
 * The program: read and validate the stack config, then build the InferenceStack. index.ts runs
 * it under the Pulumi engine; the offline plan runs the very same function on the mock engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig, StackConfig } from "./config";
import { InferenceStack } from "./inference-stack";
import { checkStack, StackPlan } from "./validate";

export interface ProgramOutputs {
    /** Model name → endpoint (in-cluster URL or gateway route). */
    endpoints: pulumi.Output<Record<string, string>>;
    /** Namespace of the model workloads. */
    namespace: pulumi.Output<string>;
}

export function program(config?: StackConfig): ProgramOutputs {
    let cfg: StackConfig;
    let plan: StackPlan;
    try {
        cfg = config ?? loadStackConfig();
        plan = checkStack(cfg);
    } catch (e) {
        // RunError prints just the message (one line per problem), without a stack trace.
        if (e instanceof ConfigError) throw new pulumi.RunError(`invalid stack config:\n${e.message}`);
        throw e;
    }
    const stack = new InferenceStack("inference", { config: cfg, plan });
    return { endpoints: stack.endpoints, namespace: stack.platform.namespace };
}
