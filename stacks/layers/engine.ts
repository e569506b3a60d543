/**
 * Engine layer: one engine server per model served directly by its engine (`serving: engine`).
 * Models served through KServe, llm-d, Ray Serve, NIM or Dynamo get their engine from the
 * serving layer instead.
 */
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE } from "../../components/common/k8s";
import { VllmServer } from "../../components/engine/vllm";
import type { PlatformLayer } from "./platform";
import type { StackConfig } from "../config";
import { poolOf } from "../config";
import { placementFor } from "../placement";

export interface EngineLayerArgs {
    config: StackConfig;
    platform: PlatformLayer;
}

export class EngineLayer extends pulumi.ComponentResource {
    /** Model name → in-cluster OpenAI base URL. */
    public readonly endpoints: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: EngineLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:stack:EngineLayer`, name, {}, opts);
        const { config, platform } = args;
        config.models.forEach((model, i) => {
            if (model.serving !== "engine") return;
            const pool = poolOf(config, model);
            const placement = placementFor(config, i);
            const server = new VllmServer(
                model.name,
                {
                    namespace: platform.namespace,
                    model,
                    pool,
                    placement,
                    hfTokenSecretName: platform.workloads.hfTokenSecretName,
                    podMonitor: platform.installs("monitoring.coreos.com"),
                    monitoringCrds: platform.crdInstallers["monitoring.coreos.com"],
                    skipAwait: config.cluster.skipAwait,
                },
                { parent: this },
            );
            this.endpoints[model.name] = server.url;
        });
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
