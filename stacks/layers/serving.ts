/**
 * Serving layer: models served through KServe, LLMInferenceService, llm-d, Ray Serve, NIM or
 * Dynamo (`models[].serving`). Each mode's component lives in components/serving/.
 */
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE } from "../../components/common/k8s";
import type { PlatformLayer } from "./platform";
import type { StackConfig } from "../config";

export interface ServingLayerArgs {
    config: StackConfig;
    platform: PlatformLayer;
}

export class ServingLayer extends pulumi.ComponentResource {
    /** Model name → endpoint (URL or gateway route). */
    public readonly endpoints: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: ServingLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:stack:ServingLayer`, name, {}, opts);
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
