/**
 * LlmInferenceService: one model as a KServe LLMInferenceService. The upstream CRD in ../shared
 * serves v1alpha1 and v1alpha2 (storage); this uses v1alpha2, the storage version, whose schema is
 * there and which adds `kvCacheOffloading`.
 *
 * KServe's well-known LLMInferenceServiceConfigs (kserve-runtime-configs) supply the vLLM template;
 * this sets the model, replicas, parallelism from the placement, the managed router (Gateway ref,
 * HTTPRoute, InferencePool + EPP scheduler), a `prefill` section for P/D disaggregation and a
 * `worker` section for multi-node data parallelism (LeaderWorkerSet).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE, standardLabels } from "../common/k8s";
import { acceleratorResources, extraEnv, hfTokenEnv, poolPlacement } from "../engine/pod";
import type { Placement } from "../engine/types";
import type { ModelConfig, PoolConfig } from "../../stacks/schema";
import { dataParallelLayout, GatewayRef, gatewayServiceHost, hostResources } from "./common";

export const LLMISVC_API_VERSION = "serving.kserve.io/v1alpha2";
/** Port of KServe's vLLM template container. */
const LLMISVC_PORT = 8000;

export interface LlmInferenceServiceArgs {
    namespace: pulumi.Input<string>;
    model: ModelConfig;
    pool: PoolConfig;
    placement: Placement;
    /** Name of the Secret with `HF_TOKEN`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** Inference Gateway the managed route attaches to. Without it the router has only the scheduler. Defaults to none. */
    gateway?: GatewayRef;
    /** What the resource waits for: CRDs, controller, LLM configs (KServe.llmInferenceServiceDeps). */
    kserve: pulumi.Resource[];
    /** The resource installing the LeaderWorkerSet CRD (multi-node `worker` needs LWS). */
    lwsCrds?: pulumi.Resource;
}

/** Validate; returns the problem or undefined. Pure. */
export function llmisvcProblem(model: ModelConfig, placement: Placement): string | undefined {
    if (placement.nodesPerReplica > 1 && placement.pipeline > 1) {
        return `one replica spans ${placement.nodesPerReplica} nodes with pipeline parallelism ${placement.pipeline}; LLMInferenceService workers scale out by data parallelism: set parallelism.pipeline 1 and parallelism.data`;
    }
    if (placement.nodesPerReplica > 1 && model.extraArgs.length > 0) {
        return `extraArgs are not supported with multi-node LLMInferenceService (KServe's data-parallel template owns the vLLM command line)`;
    }
    return undefined;
}

/** The LLMInferenceService spec. Pure; validated against the upstream CRD in tests. */
export function llmInferenceServiceSpec(args: Omit<LlmInferenceServiceArgs, "kserve" | "lwsCrds">): Record<string, unknown> {
    const { model, pool, placement } = args;
    const multiNode = placement.nodesPerReplica > 1;
    const gpus = placement.gpusPerPod;
    const host = hostResources(gpus);
    const limits = { ...acceleratorResources(pool, gpus), cpu: host.cpu, memory: host.memory };
    const env = [...hfTokenEnv(args.hfTokenSecretName), ...extraEnv(model.env)];
    // KServe's template command is `vllm serve /mnt/models`; a container's args replace the
    // template's, so the served name and port are restated here.
    const vllmArgs = (tensor: number) => [
        "--served-model-name",
        model.model,
        "--port",
        String(LLMISVC_PORT),
        "--tensor-parallel-size",
        String(tensor),
        ...(placement.pipeline > 1 ? ["--pipeline-parallel-size", String(placement.pipeline)] : []),
        "--max-model-len",
        String(model.maxModelLen),
        "--gpu-memory-utilization",
        String(model.gpuMemoryUtilization),
        ...model.extraArgs,
    ];
    const main = (tensor: number) => ({
        name: "main",
        ...(model.image ? { image: model.image } : {}),
        ...(multiNode ? {} : { args: vllmArgs(tensor) }),
        env,
        resources: { limits, requests: limits },
    });
    const { nodeSelector, tolerations } = poolPlacement(pool);
    const podSpec = (tensor: number) => ({ containers: [main(tensor)], nodeSelector, tolerations });

    const parallelism: Record<string, number> = multiNode
        ? (({ tensor, data, dataLocal }) => ({ tensor, data, dataLocal }))(dataParallelLayout(placement))
        : { tensor: placement.tensor, ...(placement.pipeline > 1 ? { pipeline: placement.pipeline } : {}), ...(placement.data > 1 ? { data: placement.data } : {}) };

    const spec: Record<string, unknown> = {
        model: { uri: `hf://${model.model}`, name: model.model },
        replicas: placement.replicas,
        parallelism,
        template: podSpec(placement.tensor),
    };
    if (model.llmisvc.router) {
        spec["router"] = {
            ...(args.gateway ? { gateway: { refs: [{ name: args.gateway.name, namespace: args.gateway.namespace }] } } : {}),
            route: {},
            scheduler: {},
        };
    }
    if (multiNode) spec["worker"] = podSpec(placement.tensor);
    if (model.llmisvc.prefillReplicas > 0) {
        spec["prefill"] = {
            replicas: model.llmisvc.prefillReplicas,
            parallelism: { tensor: placement.tensor },
            template: podSpec(placement.tensor),
        };
    }
    if (model.llmisvc.kvCacheOffloadCpu) spec["kvCacheOffloading"] = { cpu: model.llmisvc.kvCacheOffloadCpu };
    return spec;
}

export class LlmInferenceService extends pulumi.ComponentResource {
    /** OpenAI base URL through the inference Gateway (route `/<namespace>/<name>`), or the workload Service (TLS, self-signed) without a router. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: LlmInferenceServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:serving:LlmInferenceService`, name, {}, opts);
        const problem = llmisvcProblem(args.model, args.placement);
        if (problem) throw new pulumi.ResourceError(`LlmInferenceService ${name}: ${problem}`, this);
        const multiNode = args.placement.nodesPerReplica > 1;
        if (multiNode && !args.lwsCrds) {
            throw new pulumi.ResourceError(`LlmInferenceService ${name}: a multi-node replica needs LeaderWorkerSet; enable platform.lws`, this);
        }
        const { model } = args;
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: LLMISVC_API_VERSION,
                kind: "LLMInferenceService",
                metadata: { name: model.name, namespace: args.namespace, labels: standardLabels("llmisvc", model.name, { "inference-platform/model": model.name }) },
                spec: llmInferenceServiceSpec(args),
            },
            // The kind, webhooks and LLM configs come from the KServe install; workers run as LeaderWorkerSets.
            { parent: this, dependsOn: [...args.kserve, ...(multiNode && args.lwsCrds ? [args.lwsCrds] : [])] },
        );
        this.url =
            model.llmisvc.router && args.gateway
                ? pulumi.interpolate`http://${gatewayServiceHost(args.gateway)}/${args.namespace}/${model.name}/v1`
                : pulumi.interpolate`https://${model.name}-kserve-workload-svc.${args.namespace}.svc.cluster.local:${LLMISVC_PORT}/v1`;
        this.registerOutputs({ url: this.url });
    }
}
