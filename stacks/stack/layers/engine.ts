/**
 * Engine layer: one engine server per model served directly by its engine (`serving: engine`).
 * The component follows `models[].engine` and the planner's placement: a replica on one node →
 * VllmServer / SglangServer / TritonTrtllmServer; a replica across nodes → LwsServer (vLLM or
 * SGLang on a LeaderWorkerSet, `multiNode: lws`) or RayVllmServer (`multiNode: ray`).
 * Models served through KServe, llm-d, Ray Serve, NIM or Dynamo get their engine from the serving
 * layer instead.
 *
 * Every model is placed (and every problem reported) before the first engine resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE } from "../../../components/common/k8s";
import { LwsServer } from "../../../components/engine/lws";
import { RayVllmServer } from "../../../components/engine/ray";
import { SglangServer } from "../../../components/engine/sglang";
import { TritonTrtllmServer } from "../../../components/engine/triton-trtllm";
import type { EngineServerArgs, MultiNodeServerArgs, Placement } from "../../../components/engine/types";
import { VllmServer } from "../../../components/engine/vllm";
import { EngineAutoscaler, ScaleTarget } from "../../../components/engine/autoscaler";
import { releaseFor, type PlatformLayer } from "./platform";
import type { StackConfig } from "../../config/load";
import { placedModels, type PlacedModel } from "../placement";

export interface EngineLayerArgs {
    config: StackConfig;
    platform: PlatformLayer;
    /** Every model with its pool and placement when the caller already placed them (InferenceStack). Defaults to `placedModels(config)`. */
    models?: PlacedModel[];
}

/** The engine server a model gets. */
export type EngineServer = VllmServer | SglangServer | TritonTrtllmServer | LwsServer | RayVllmServer;

/** Which component serves a model with this placement. Pure. */
export function engineKind(model: StackConfig["models"][number], placement: Placement): "vllm" | "sglang" | "trtllm" | "lws" | "ray" {
    if (placement.nodesPerReplica > 1) return model.multiNode;
    return model.engine;
}

/** The workload KEDA scales for a model (names are the model name; all have /scale). */
export function scaleTarget(model: StackConfig["models"][number], placement: Placement): ScaleTarget {
    return placement.nodesPerReplica > 1
        ? { apiVersion: "leaderworkerset.x-k8s.io/v1", kind: "LeaderWorkerSet", name: model.name }
        : { apiVersion: "apps/v1", kind: model.workload, name: model.name };
}

export class EngineLayer extends pulumi.ComponentResource {
    /** Model name → in-cluster base URL (OpenAI-compatible `/v1` for vLLM and SGLang; Triton's HTTP root). */
    public readonly endpoints: Record<string, pulumi.Output<string>> = {};
    /** Model name → its engine server component. */
    public readonly servers: Record<string, EngineServer> = {};

    constructor(name: string, args: EngineLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:stack:EngineLayer`, name, {}, opts);
        const { config, platform } = args;
        // Validate first: a planning error registers no engine.
        const placed = args.models ?? placedModels(config);
        placed.forEach(({ model, pool, placement }) => {
            if (model.serving !== "engine") return;
            const common: EngineServerArgs = {
                namespace: platform.namespace,
                model,
                pool,
                placement,
                hfTokenSecretName: platform.workloads.hfTokenSecretName,
                podMonitor: platform.installs("monitoring.coreos.com"),
                monitoringCrds: releaseFor(platform.crdInstallers, "monitoring.coreos.com"),
                // DeviceClasses come from the vendor's DRA driver: NVIDIA's release, or AMD's GPU operator.
                draDriver: pool.accelerator.vendor === "amd" ? releaseFor(platform.crdInstallers, "amd.com") : releaseFor(platform.crdInstallers, "resource.nvidia.com"),
                skipAwait: config.cluster.skipAwait,
            };
            const childOpts = { parent: this };
            // Groups on a rack-scale NVLink pool claim its ComputeDomain channel (IMEX across nodes).
            const multiNode = (): MultiNodeServerArgs => {
                const channelTemplate = platform.computeDomainChannels[pool.name];
                if (!channelTemplate) return common;
                // Through the DRA driver component's URN: the group waits for its children, the release and the
                // ComputeDomain (whose controller then creates the channel template).
                return { ...common, computeDomain: { channelTemplate: platform.components.draDriver!.urn.apply(() => channelTemplate) } };
            };
            let server: EngineServer;
            switch (engineKind(model, placement)) {
                case "lws":
                    server = new LwsServer(model.name, { ...multiNode(), lwsCrds: releaseFor(platform.crdInstallers, "leaderworkerset.x-k8s.io") }, childOpts);
                    break;
                case "ray":
                    server = new RayVllmServer(model.name, multiNode(), childOpts);
                    break;
                case "sglang":
                    server = new SglangServer(model.name, common, childOpts);
                    break;
                case "trtllm":
                    server = new TritonTrtllmServer(model.name, common, childOpts);
                    break;
                default:
                    server = new VllmServer(model.name, common, childOpts);
            }
            this.servers[model.name] = server;
            if (model.autoscaling) {
                new EngineAutoscaler(
                    `${model.name}-autoscaler`,
                    {
                        namespace: platform.namespace,
                        model,
                        target: scaleTarget(model, placement),
                        // checkStack refuses autoscaling without monitoring, so the URL exists here.
                        prometheusUrl: platform.prometheusUrl ?? "",
                        kedaCrds: releaseFor(platform.crdInstallers, "keda.sh"),
                    },
                    childOpts,
                );
            }
            this.endpoints[model.name] = server.url;
        });
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
