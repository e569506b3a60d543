/**
 * LlmInferenceService: one model as a KServe LLMInferenceService. The upstream CRD in ../shared
 * serves v1alpha1 and v1alpha2 (storage); this uses v1alpha2, the storage version, whose schema is
 * there and which adds `kvCacheOffloading`.
 *
 * KServe's well-known LLMInferenceServiceConfigs (kserve-runtime-configs) supply the vLLM template;
 * this sets the model, replicas, parallelism from the placement, the managed router (Gateway ref,
 * HTTPRoute, InferencePool + EPP scheduler), a `prefill` section for P/D disaggregation and a
 * `worker` section for multi-node data parallelism (LeaderWorkerSet).
 *
 * How the container composes with KServe's preset (kserve/kserve@v0.20.0
 * config/llmisvcconfig/config-llm-template.yaml, -decode-template.yaml, -prefill-template.yaml):
 * containers merge by name (`main`); the preset's command is
 * `bash -c '… exec vllm serve /mnt/models --served-model-name <spec.model.name> --port <8000|8001>
 * … --tensor-parallel-size <parallelism.tensor> … ${VLLM_ADDITIONAL_ARGS} $@' --`, so the
 * container's `args` land in `$@` AFTER the preset's flags and win. The preset owns the served
 * name, the port (8001 for decode behind the routing sidecar on 8000, 8000 otherwise) and the
 * tensor size; the args here carry only what the preset does not set.
 *
 * P/D KV transfer as KServe's own P/D sample
 * (docs/samples/llmisvc/single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml@v0.20.0): NIXL
 * through `VLLM_ADDITIONAL_ARGS` (kv_consumer on decode, kv_producer on prefill), the side-channel
 * host from the pod IP, and with RDMA `KSERVE_INFER_ROCE` + `UCX_TLS` + the RDMA device. With CPU
 * KV offloading as well, KServe drops its own OffloadingConnector once VLLM_ADDITIONAL_ARGS carries
 * a `--kv_transfer_config`, so decode gets one MultiConnector of NIXL + the OffloadingConnector in
 * the shape KServe renders (pkg/controller/v1alpha2/llmisvc/config_merge.go `kvTransferConfig`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";
import { acceleratorResources, extraEnv, hfTokenEnv, poolPlacement } from "../engine/pod";
import type { Placement } from "../engine/types";
import type { Model, Pool, ModelSpec, NodePool } from "../types";
import { resolveArgs, type Resolved } from "../resolve";
import { dataParallelLayout, GatewayRef, gatewayServiceHost, hostResources } from "./common";
import { kvCacheDtypeArgs } from "../physical/quant";

export const LLMISVC_API_VERSION = "serving.kserve.io/v1alpha2";
/** Port of the workload Service: vLLM, or the routing sidecar in front of decode with P/D. */
const LLMISVC_PORT = 8000;
/** vLLM's port in KServe's decode preset (behind the routing sidecar). */
export const LLMISVC_DECODE_VLLM_PORT = 8001;
/** Flags KServe's vLLM presets set themselves; a container arg repeating them would override the preset. */
export const LLMISVC_PRESET_FLAGS = ["--port", "--served-model-name", "--tensor-parallel-size", "--kv-transfer-config", "--kv_transfer_config"];
/** UCX transports for NIXL over RDMA (KServe's P/D sample). */
export const LLMISVC_UCX_TLS = "rc,sm,self,cuda_copy,cuda_ipc";
/** Labels KServe puts on the workload pods (pkg/controller/v1alpha2/llmisvc/workload.go GetWorkloadLabelSelector). */
export function llmisvcWorkloadLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/part-of": "llminferenceservice", "app.kubernetes.io/name": name, "kserve.io/component": "workload" };
}
/** Labels of the scheduler (EPP) Service (scheduler.go SchedulerLabels). */
export function llmisvcSchedulerLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/component": "llminferenceservice-router-scheduler", "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "llminferenceservice" };
}

export interface LlmInferenceServiceArgs {
    namespace: pulumi.Input<string>;
    model: ModelSpec;
    pool: NodePool;
    placement?: Placement;
    /** Name of the Secret with `HF_TOKEN`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** Inference Gateway the managed route attaches to. Without it the router has only the scheduler. Defaults to none. */
    gateway?: GatewayRef;
    /** What the resource waits for: the KServe install (`KServe.ready`: CRDs, controller, LLM configs). Defaults to none (KServe already installed). */
    kserve?: k8s.helm.v3.Release;
    /** The resource installing the LeaderWorkerSet CRD (multi-node `worker` needs LWS). */
    lwsCrds?: k8s.helm.v3.Release;
    /** PodMonitor for the vLLM workload pods and ServiceMonitor for the scheduler (needs the prometheus-operator CRDs). Defaults to false. */
    monitoring?: boolean;
    /** Resource installing the monitoring CRDs (ServiceMonitor/PodMonitor). */
    monitoringCrds?: k8s.helm.v3.Release;
}

/** Validate; returns the problem or undefined. Pure. */
export function llmisvcProblem(model: Model, placement: Placement): string | undefined {
    if (placement.nodesPerReplica > 1 && placement.pipeline > 1) {
        return `one replica spans ${placement.nodesPerReplica} nodes with pipeline parallelism ${placement.pipeline}; LLMInferenceService workers scale out by data parallelism: set parallelism.pipeline 1 and parallelism.data`;
    }
    if (placement.nodesPerReplica > 1 && model.extraArgs.length > 0) {
        return `extraArgs: got ${JSON.stringify(model.extraArgs)}; not supported with multi-node LLMInferenceService (KServe's data-parallel template owns the vLLM command line); allowed: []`;
    }
    if (placement.nodesPerReplica > 1 && model.kvCacheDtype !== "auto") {
        return `kvCacheDtype: got "${model.kvCacheDtype}"; not supported with multi-node LLMInferenceService (KServe's data-parallel template owns the vLLM command line); allowed: "auto"`;
    }
    const owned = model.extraArgs.find((a) => LLMISVC_PRESET_FLAGS.includes(a.split("=")[0]));
    if (owned) return `extraArgs: got "${owned}"; KServe's preset sets it (served name, port, tensor size, KV transfer); allowed: other vLLM flags`;
    return undefined;
}

/** Bytes of a Kubernetes binary quantity ("32Gi"; the schema allows Ki/Mi/Gi/Ti). */
function quantityBytes(q: string): number {
    const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(q);
    if (!m) throw new Error(`not a binary quantity: ${q}`);
    return Number(m[1]) * 1024 ** { Ki: 1, Mi: 2, Gi: 3, Ti: 4 }[m[2] as "Ki" | "Mi" | "Gi" | "Ti"];
}

/** The `--kv_transfer_config` JSON of one P/D role (and CPU offloading on decode). Pure. */
export function llmisvcKvTransferConfig(role: "decode" | "prefill", offloadCpu?: string): Record<string, unknown> {
    const nixl = { kv_connector: "NixlConnector", kv_role: role === "decode" ? "kv_consumer" : "kv_producer" };
    if (role === "prefill" || offloadCpu === undefined) return nixl;
    return {
        kv_connector: "MultiConnector",
        kv_role: "kv_both",
        kv_connector_extra_config: {
            connectors: [
                { kv_connector: "NixlConnector", kv_role: "kv_both" },
                {
                    kv_connector: "OffloadingConnector",
                    kv_role: "kv_both",
                    kv_connector_extra_config: { spec_name: "TieringOffloadingSpec", cpu_bytes_to_use: quantityBytes(offloadCpu) },
                },
            ],
        },
    };
}

/** The LLMInferenceService spec. Pure; validated against the upstream CRD in tests. */
export function llmInferenceServiceSpec(args: Omit<Resolved<LlmInferenceServiceArgs>, "kserve" | "lwsCrds">): Record<string, unknown> {
    const { model, pool, placement } = args;
    const multiNode = placement.nodesPerReplica > 1;
    const gpus = placement.gpusPerPod;
    const host = hostResources(gpus);
    const limits = { ...acceleratorResources(pool, gpus), cpu: host.cpu, memory: host.memory };
    const pd = model.llmisvc.prefillReplicas > 0;
    const rdma = pd && pool.rdma !== undefined;
    const baseEnv = [...hfTokenEnv(args.hfTokenSecretName), ...extraEnv(model.env)];
    // P/D: NIXL KV transfer through the preset's ${VLLM_ADDITIONAL_ARGS}, as KServe's P/D sample.
    const kvEnv = (role: "decode" | "prefill") =>
        pd
            ? [
                  { name: "VLLM_NIXL_SIDE_CHANNEL_HOST", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                  { name: "VLLM_ADDITIONAL_ARGS", value: `--kv_transfer_config '${JSON.stringify(llmisvcKvTransferConfig(role, model.llmisvc.kvCacheOffloadCpu))}'` },
                  ...(rdma ? [{ name: "KSERVE_INFER_ROCE", value: "true" }, { name: "UCX_TLS", value: LLMISVC_UCX_TLS }] : []),
              ]
            : [];
    const rdmaResource = rdma && pool.rdma ? { [pool.rdma.resourceName]: "1" } : {};
    const resources = { limits: { ...limits, ...rdmaResource }, requests: { ...limits, ...rdmaResource } };
    // Appended after the preset's own flags (`$@`): only what the preset does not set.
    const vllmArgs = [
        ...(placement.pipeline > 1 ? ["--pipeline-parallel-size", String(placement.pipeline)] : []),
        "--max-model-len",
        String(model.maxModelLen),
        "--gpu-memory-utilization",
        String(model.gpuMemoryUtilization),
        ...kvCacheDtypeArgs("vllm", model.kvCacheDtype),
        ...model.extraArgs,
    ];
    const main = (role: "decode" | "prefill") => ({
        name: "main",
        ...(model.image ? { image: model.image } : {}),
        ...(multiNode ? {} : { args: vllmArgs }),
        env: [...baseEnv, ...kvEnv(role)],
        resources,
        ...(rdma ? { securityContext: { capabilities: { add: ["IPC_LOCK"] } } } : {}),
    });
    const { nodeSelector, tolerations } = poolPlacement(pool);
    const podSpec = (role: "decode" | "prefill") => ({ containers: [main(role)], nodeSelector, tolerations });

    const parallelism: Record<string, number> = multiNode
        ? (({ tensor, data, dataLocal }) => ({ tensor, data, dataLocal }))(dataParallelLayout(placement))
        : { tensor: placement.tensor, ...(placement.pipeline > 1 ? { pipeline: placement.pipeline } : {}), ...(placement.data > 1 ? { data: placement.data } : {}) };

    const spec: Record<string, unknown> = {
        model: { uri: `hf://${model.model}`, name: model.model },
        replicas: placement.replicas,
        parallelism,
        template: podSpec("decode"),
    };
    if (model.llmisvc.router) {
        spec["router"] = {
            ...(args.gateway ? { gateway: { refs: [{ name: args.gateway.name, namespace: args.gateway.namespace }] } } : {}),
            route: {},
            scheduler: {},
        };
    }
    if (multiNode) spec["worker"] = podSpec("decode");
    if (pd) {
        spec["prefill"] = {
            replicas: model.llmisvc.prefillReplicas,
            parallelism: { tensor: placement.tensor },
            template: podSpec("prefill"),
        };
    }
    if (model.llmisvc.kvCacheOffloadCpu) spec["kvCacheOffloading"] = { cpu: model.llmisvc.kvCacheOffloadCpu };
    return spec;
}

export class LlmInferenceService extends pulumi.ComponentResource {
    /** OpenAI base URL through the inference Gateway (route `/<namespace>/<name>`), or the workload Service (TLS, self-signed) without a router. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: LlmInferenceServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("LlmInferenceService"), name, args, componentOpts("serving", "LlmInferenceService", opts));
        const resolved = resolveArgs(args);
        const problem = llmisvcProblem(resolved.model, resolved.placement);
        if (problem) throw new pulumi.ResourceError(`LlmInferenceService ${name}: ${problem}`, this);
        const multiNode = resolved.placement.nodesPerReplica > 1;
        if (multiNode && !resolved.lwsCrds) {
            throw new pulumi.ResourceError(`LlmInferenceService ${name}: a multi-node replica needs LeaderWorkerSet; enable platform.lws`, this);
        }
        const { model } = resolved;
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: LLMISVC_API_VERSION,
                kind: "LLMInferenceService",
                metadata: { name: model.name, namespace: resolved.namespace, labels: standardLabels("llmisvc", model.name, { "inference-platform/model": model.name }) },
                spec: llmInferenceServiceSpec(resolved),
            },
            // The kind, webhooks and LLM configs come from the KServe install; workers run as LeaderWorkerSets.
            { parent: this, dependsOn: dependsOnAll(resolved.kserve, multiNode ? resolved.lwsCrds : undefined) },
        );
        if ((resolved.monitoring ?? false) && resolved.monitoringCrds) {
            const labels = standardLabels("llmisvc", model.name, { "inference-platform/model": model.name });
            const deps = { parent: this, dependsOn: [resolved.monitoringCrds] };
            new k8s.apiextensions.CustomResource(`${name}-workload-metrics`, { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata: { name: `${model.name}-workload`, namespace: resolved.namespace, labels }, spec: llmisvcPodMonitorSpec(model.name) }, deps);
            if (model.llmisvc.router) {
                new k8s.apiextensions.CustomResource(`${name}-scheduler-metrics`, { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: `${model.name}-scheduler`, namespace: resolved.namespace, labels }, spec: llmisvcSchedulerMonitorSpec(model.name) }, deps);
            }
        }
        this.url =
            model.llmisvc.router && resolved.gateway
                ? pulumi.interpolate`http://${gatewayServiceHost(resolved.gateway)}/${resolved.namespace}/${model.name}/v1`
                : pulumi.interpolate`https://${model.name}-kserve-workload-svc.${resolved.namespace}.svc.cluster.local:${LLMISVC_PORT}/v1`;
        this.registerOutputs({ url: this.url });
    }
}

/**
 * PodMonitor spec for the vLLM workload pods: KServe's workload labels; the `main` container's
 * port — 8000, or 8001 in decode pods behind the routing sidecar (which holds 8000 there; the
 * relabeling keeps only `main`). vLLM serves TLS with KServe's self-signed certificate. Pure.
 */
export function llmisvcPodMonitorSpec(name: string): Record<string, unknown> {
    const keepMain = [{ sourceLabels: ["__meta_kubernetes_pod_container_name"], regex: "main", action: "keep" }];
    const endpoint = (portNumber: number) => ({ portNumber, path: "/metrics", interval: "30s", scheme: "https", tlsConfig: { insecureSkipVerify: true }, relabelings: keepMain });
    return { selector: { matchLabels: llmisvcWorkloadLabels(name) }, podMetricsEndpoints: [endpoint(LLMISVC_PORT), endpoint(LLMISVC_DECODE_VLLM_PORT)] };
}

/**
 * ServiceMonitor spec for the scheduler (EPP): its Service carries SchedulerLabels and a `metrics`
 * port (9090, config-llm-scheduler.yaml@v0.20.0); the EPP's metrics endpoint authorizes a bearer
 * token (GAIE runner `filters.WithAuthenticationAndAuthorization`), here Prometheus' own. Pure.
 */
export function llmisvcSchedulerMonitorSpec(name: string): Record<string, unknown> {
    return {
        selector: { matchLabels: llmisvcSchedulerLabels(name) },
        endpoints: [{ port: "metrics", path: "/metrics", interval: "30s", bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" }],
    };
}
