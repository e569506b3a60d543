/**
 * LlmD: one model on llm-d's well-lit paths (the variable part; LlmDInfra is the common part).
 *  - `inferencepool` chart: the InferencePool and its endpoint picker (EPP) — the llm-d inference
 *    scheduler image, Prometheus monitoring on; pool selector = the modelservice pod labels.
 *  - `llm-d-modelservice` chart: vLLM decode (and prefill) pods with parallelism from the placement,
 *    `accelerator.type` from the pool vendor, PodMonitors, the P/D routing sidecar.
 *  - an HTTPRoute (`gateway.networking.k8s.io/v1`) from the inference Gateway to the InferencePool,
 *    under the path prefix `/<model name>`.
 *
 * Presets: intelligent inference scheduling (always: the EPP's prefix-cache, KV-cache and queue
 * scorers), P/D disaggregation (`llmd.prefillReplicas > 0`: NIXL KV transfer, routing sidecar, P/D
 * scheduling profiles) and wide expert parallelism (`llmd.expertParallel`, multi-node through
 * LeaderWorkerSet). KV-cache offloading has no values in these charts; it is not offered here.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease } from "../common/helm";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";
import { extraEnv, poolPlacement } from "../engine/pod";
import type { Placement } from "../engine/types";
import { images } from "../versions";
import type { Model, Pool, Vendor, ModelSpec, NodePool } from "../types";
import { resolveArgs, type Resolved } from "../resolve";
import { dataParallelLayout, GatewayRef, gatewayServiceHost, hostResources, ChartInstallArgs } from "./common";
import { kvCacheDtypeArgs } from "../physical/quant";

/** Port clients (and the EPP) reach vLLM on; with the P/D sidecar, the sidecar listens here. */
export const LLMD_SERVICE_PORT = 8000;
/** vLLM's port behind the P/D routing sidecar (decode pods). */
export const LLMD_PROXY_TARGET_PORT = 8200;
/** NIXL side-channel port (vLLM default) for P/D KV transfer. */
const NIXL_PORT = 5600;

/**
 * Probes of every vLLM container, as the llm-d guides run them (ms-inference-scheduling/values.yaml:
 * startup and readiness on `/v1/models` — the model is loaded — and liveness on `/health`, on the
 * container's `vllm` port). Without them a pod turns Ready before it listens.
 */
export const LLMD_PROBES = {
    startupProbe: { httpGet: { path: "/v1/models", port: "vllm" }, initialDelaySeconds: 15, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 120 },
    livenessProbe: { httpGet: { path: "/health", port: "vllm" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: "/v1/models", port: "vllm" }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
} as const;

/**
 * UCX transports for NIXL KV transfer over RDMA: RC verbs, shared memory and CUDA copies
 * (kserve/kserve@v0.20.0 docs/samples/llmisvc/single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml).
 */
export const LLMD_UCX_TLS = "rc,sm,self,cuda_copy,cuda_ipc";

/** llm-d-modelservice `accelerator.type` per pool vendor. */
export const LLMD_ACCELERATOR: Record<Vendor, string> = { nvidia: "nvidia", amd: "amd", intel: "intel-gaudi" };

/**
 * EPP scheduling config for P/D, as the llm-d v0.6 P/D guide (`gaie-pd/values.yaml`) runs it on
 * scheduler v0.7.1: `pd-profile-handler` picks the prefill/decode profiles and asks its decider
 * plugin whether to disaggregate (`prefix-based-pd-decider`: when at least `nonCachedTokens` of the
 * prompt are not cached on the chosen decode pod). Parameter shapes from
 * llm-d-inference-scheduler@v0.7.1: pkg/plugins/profile/pd_profile_handler.go
 * (`pdProfileHandlerParameters`: primaryPort, deciderPluginName, …; the handler fails without a
 * configured decider plugin — the old `threshold`/`hashBlockSize` are gone) and
 * prefix_based_pd_decider.go (`nonCachedTokens`); the decider reads prefix-cache match data,
 * hence the `prepareDataPlugins` feature gate (docs/architecture.md@v0.7.1).
 */
export const PD_PLUGINS_CONFIG = [
    "apiVersion: inference.networking.x-k8s.io/v1alpha1",
    "kind: EndpointPickerConfig",
    "featureGates:",
    "- prepareDataPlugins",
    "plugins:",
    "- type: prefill-header-handler",
    "- type: prefix-cache-scorer",
    "  parameters:",
    "    maxPrefixBlocksToMatch: 256",
    "    lruCapacityPerServer: 31250",
    "- type: queue-scorer",
    "- type: prefill-filter",
    "- type: decode-filter",
    "- type: max-score-picker",
    "- type: prefix-based-pd-decider",
    "  parameters:",
    "    nonCachedTokens: 16",
    "- type: pd-profile-handler",
    "  parameters:",
    "    primaryPort: 0",
    "    deciderPluginName: prefix-based-pd-decider",
    "schedulingProfiles:",
    "- name: prefill",
    "  plugins:",
    "  - pluginRef: prefill-filter",
    "  - pluginRef: max-score-picker",
    "  - pluginRef: prefix-cache-scorer",
    "    weight: 2",
    "  - pluginRef: queue-scorer",
    "    weight: 1",
    "- name: decode",
    "  plugins:",
    "  - pluginRef: decode-filter",
    "  - pluginRef: max-score-picker",
    "  - pluginRef: prefix-cache-scorer",
    "    weight: 2",
    "  - pluginRef: queue-scorer",
    "    weight: 1",
    "",
].join("\n");

export interface LlmDArgs extends ChartInstallArgs {
    namespace: pulumi.Input<string>;
    model: ModelSpec;
    pool: NodePool;
    placement?: Placement;
    /** The llm-d inference Gateway (LlmDInfra.gateway). */
    gateway: GatewayRef;
    /** Gateway provider, for the inferencepool chart's provider integration (`istio` adds a DestinationRule). */
    provider: string;
    /** Name of the Secret with `HF_TOKEN`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** EPP ServiceMonitor and vLLM PodMonitors (needs the prometheus-operator CRDs). Defaults to false. */
    monitoring?: boolean;
    /** Resource installing the monitoring CRDs (ServiceMonitor/PodMonitor). */
    monitoringCrds?: k8s.helm.v3.Release;
    /** Resource installing the InferencePool CRD (`inference.networking.k8s.io`). */
    inferencePoolCrds?: k8s.yaml.v2.ConfigFile;
    /** Resource installing the Gateway API CRDs (HTTPRoute). */
    gatewayCrds?: k8s.yaml.v2.ConfigFile;
    /** Resource installing the LeaderWorkerSet CRD (multi-node). */
    lwsCrds?: k8s.helm.v3.Release;
}

/** Validate; returns the problem or undefined. Pure. */
export function llmdProblem(model: Model, placement: Placement): string | undefined {
    if (placement.nodesPerReplica > 1 && placement.pipeline > 1) {
        return `one replica spans ${placement.nodesPerReplica} nodes with pipeline parallelism ${placement.pipeline}; llm-d multi-node serving is data/expert parallel (LeaderWorkerSet): set parallelism.pipeline 1 and parallelism.data`;
    }
    if (model.engine !== "vllm") return `engine "${model.engine}": the llm-d path here serves vLLM; use engine "vllm"`;
    return undefined;
}

/** The pod labels of the model servers — and the InferencePool selector. */
export function llmdPodLabels(model: Model): Record<string, string> {
    return { "llm-d.ai/inference-serving": "true", "llm-d.ai/model": model.name };
}

/** Release name of a model's inferencepool chart (= the InferencePool's name). */
export function inferencePoolReleaseName(model: Model): string {
    return `${model.name}-pool`;
}

/**
 * Name of the EPP metrics-reader token Secret. The chart's default
 * (`inference-gateway-sa-metrics-reader-secret`) is the same for every release, so a second
 * inferencepool release in the namespace fails to install ("invalid ownership metadata"); the
 * llm-d guides set a per-guide name the same way (`inferenceExtension.monitoring.prometheus.auth.secretName:
 * inference-scheduling-gateway-sa-metrics-reader-secret` in llm-d/llm-d
 * guides/inference-scheduling/gaie-inference-scheduling/values.yaml @126f65d).
 */
export function eppMetricsSecretName(model: Model): string {
    return `${inferencePoolReleaseName(model)}-sa-metrics-reader-secret`;
}

/**
 * inferencepool values. Every key exists in the pinned chart's upstream defaults (or is read by its
 * templates; see conformance). Without P/D the chart's own `default-plugins.yaml` runs (queue,
 * KV-cache-utilisation and prefix-cache scorers — the inference-scheduling guide's config). No EPP
 * flags: the scheduler's defaults already read vLLM's metric names, and the EPP library (GAIE
 * v1.4) refuses the deprecated `--kv-cache-usage-percentage-metric` at startup. Pure.
 */
export function inferencePoolValues(args: Pick<Resolved<LlmDArgs>, "model" | "monitoring" | "provider">): Record<string, unknown> {
    const pd = args.model.llmd.prefillReplicas > 0;
    const epp = images.llmdInferenceScheduler;
    return {
        inferenceExtension: {
            image: { hub: epp.hub, name: epp.name, tag: epp.tag },
            monitoring: { prometheus: { enabled: args.monitoring ?? false, auth: { secretName: eppMetricsSecretName(args.model) } } },
            ...(pd ? { pluginsConfigFile: "pd-config.yaml", pluginsCustomConfig: { "pd-config.yaml": PD_PLUGINS_CONFIG } } : {}),
        },
        inferencePool: {
            targetPorts: [{ number: LLMD_SERVICE_PORT }],
            modelServerType: "vllm",
            modelServers: { matchLabels: llmdPodLabels(args.model) },
        },
        provider: { name: args.provider === "istio" ? "istio" : "none" },
    };
}

/** llm-d-modelservice values. Every key exists in upstream values-0.4.12.yaml (or is read by its templates). Pure. */
export function modelServiceValues(args: Pick<Resolved<LlmDArgs>, "model" | "pool" | "placement" | "hfTokenSecretName" | "monitoring">): Record<string, unknown> {
    const { model, pool, placement } = args;
    const pd = model.llmd.prefillReplicas > 0;
    const multiNode = placement.nodesPerReplica > 1;
    const image = llmdImage(model, pool);
    const { nodeSelector, tolerations } = poolPlacement(pool);
    const kvTransfer = pd ? ["--kv-transfer-config", '{"kv_connector":"NixlConnector","kv_role":"kv_both"}'] : [];
    const engineArgs = [
        "--max-model-len",
        String(model.maxModelLen),
        "--gpu-memory-utilization",
        String(model.gpuMemoryUtilization),
        ...(model.llmd.expertParallel ? ["--enable-expert-parallel"] : []),
        ...kvTransfer,
        "--disable-uvicorn-access-log",
        ...kvCacheDtypeArgs("vllm", model.kvCacheDtype),
        ...model.extraArgs,
    ];
    // KV transfer (P/D) and expert all-to-all (wide EP) go over RDMA where the pool has it: the RDMA
    // device, locked memory for registration (IPC_LOCK) and UCX transports for NIXL.
    const rdmaPath = (pd || multiNode) && pool.rdma !== undefined;
    const env = [
        ...extraEnv(model.env),
        ...(pd ? [{ name: "VLLM_NIXL_SIDE_CHANNEL_HOST", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }] : []),
        ...(pd && rdmaPath ? [{ name: "UCX_TLS", value: LLMD_UCX_TLS }] : []),
    ];
    const layout = multiNode ? dataParallelLayout(placement) : undefined;
    const gpusPerPod = placement.gpusPerPod;
    const host = hostResources(gpusPerPod);
    const rdma = rdmaPath && pool.rdma ? { [pool.rdma.resourceName]: "1" } : {};
    const securityContext = rdmaPath ? { capabilities: { add: multiNode ? ["IPC_LOCK", "SYS_RAWIO"] : ["IPC_LOCK"] } } : undefined;
    const resources = { limits: { cpu: host.cpu, memory: host.memory, ...rdma }, requests: { cpu: host.cpu, memory: host.memory, ...rdma } };
    const volumeMounts = [
        { name: "metrics-volume", mountPath: "/.config" },
        { name: "shm", mountPath: "/dev/shm" },
    ];
    const volumes = [
        { name: "metrics-volume", emptyDir: {} },
        { name: "shm", emptyDir: { medium: "Memory", sizeLimit: "16Gi" } },
    ];
    const ports = (vllmPort: number) => [
        { containerPort: vllmPort, name: "vllm", protocol: "TCP" },
        ...(pd ? [{ containerPort: NIXL_PORT, name: "nixl", protocol: "TCP" }] : []),
    ];
    const podmonitor = { enabled: args.monitoring ?? false, portName: "vllm", path: "/metrics", interval: "30s" };

    // Every container of a pool member must be serving before it turns Ready (the EPP routes to Ready pods).
    // `extraConfig` is rendered verbatim into the container (templates/_helpers.tpl
    // `llm-d-modelservice.container`; the direct probe keys are deprecated there).
    const container = { extraConfig: { ...LLMD_PROBES, ...(securityContext ? { securityContext } : {}) } };
    // Multi-node (wide EP): every pod serves its local data-parallel ranks (--data-parallel-hybrid-lb),
    // so every pod that carries the pool labels answers the API; no headless ranks.
    const decodePort = pd ? LLMD_PROXY_TARGET_PORT : LLMD_SERVICE_PORT;
    const decodeContainer = layout
        ? {
              name: "vllm",
              image,
              modelCommand: "custom",
              command: ["/bin/sh", "-c"],
              args: [
                  [
                      "START_RANK=$(( ${LWS_WORKER_INDEX:-0} * DP_SIZE_LOCAL ))",
                      `exec vllm serve ${model.model} --served-model-name ${model.model} --port ${decodePort}` +
                          " --tensor-parallel-size $TP_SIZE --data-parallel-hybrid-lb --data-parallel-size $DP_SIZE --data-parallel-size-local $DP_SIZE_LOCAL" +
                          " --data-parallel-address $LWS_LEADER_ADDRESS --data-parallel-rpc-port 5555 --data-parallel-start-rank $START_RANK " +
                          engineArgs.map(shellQuote).join(" "),
                  ].join("\n"),
              ],
              env,
              ports: ports(decodePort),
              resources,
              mountModelVolume: true,
              volumeMounts,
              ...container,
          }
        : { name: "vllm", image, modelCommand: "vllmServe", args: engineArgs, env, ports: ports(decodePort), resources, mountModelVolume: true, volumeMounts, ...container };

    const values: Record<string, unknown> = {
        modelArtifacts: {
            uri: `hf://${model.model}`,
            name: model.model,
            // Size limit of the emptyDir the weights download into.
            size: model.cacheSize ?? "100Gi",
            ...(args.hfTokenSecretName !== undefined ? { authSecretName: args.hfTokenSecretName } : {}),
            labels: llmdPodLabels(model),
        },
        multinode: multiNode,
        accelerator: { type: LLMD_ACCELERATOR[pool.accelerator.vendor] },
        routing: {
            servicePort: LLMD_SERVICE_PORT,
            proxy: pd
                ? { enabled: true, image: images.llmdRoutingSidecar, connector: "nixlv2", targetPort: LLMD_PROXY_TARGET_PORT }
                : { enabled: false },
        },
        decode: {
            create: true,
            replicas: placement.replicas,
            parallelism: layout
                ? { tensor: layout.tensor, data: layout.data, dataLocal: layout.dataLocal, workers: layout.workers }
                : { tensor: placement.tensor, data: placement.data },
            nodeSelector,
            tolerations,
            monitoring: { podmonitor },
            containers: [decodeContainer],
            volumes,
        },
        prefill: pd
            ? {
                  create: true,
                  replicas: model.llmd.prefillReplicas,
                  parallelism: { tensor: model.llmd.prefillTensor ?? placement.tensor },
                  nodeSelector,
                  tolerations,
                  monitoring: { podmonitor },
                  containers: [
                      { name: "vllm", image, modelCommand: "vllmServe", args: engineArgs, env, ports: ports(LLMD_SERVICE_PORT), resources, mountModelVolume: true, volumeMounts, ...container },
                  ],
                  volumes,
              }
            : { create: false },
    };
    return values;
}

/** vLLM image: `model.image`, else llm-d's CUDA build on NVIDIA, the ROCm / Gaudi vLLM builds elsewhere. */
export function llmdImage(model: Model, pool: Pool): string {
    if (model.image) return model.image;
    return { nvidia: images.llmdCuda, amd: images.vllmRocm, intel: images.vllmGaudi }[pool.accelerator.vendor];
}

function shellQuote(s: string): string {
    return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

export class LlmD extends pulumi.ComponentResource {
    /** OpenAI base URL through the llm-d inference Gateway. */
    public readonly url: pulumi.Output<string>;
    /** Name of the InferencePool (= the inferencepool release name). */
    public readonly poolName: string;

    constructor(name: string, args: LlmDArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("LlmD"), name, args, componentOpts("serving", "LlmD", opts));
        const resolved = resolveArgs(args);
        const { model, placement } = resolved;
        const problem = llmdProblem(model, placement);
        if (problem) throw new pulumi.ResourceError(`LlmD ${name}: ${problem}`, this);
        const multiNode = placement.nodesPerReplica > 1;
        if (multiNode && !resolved.lwsCrds) {
            throw new pulumi.ResourceError(`LlmD ${name}: a multi-node replica needs LeaderWorkerSet; enable platform.lws`, this);
        }
        const monitoring = (resolved.monitoring ?? false) && resolved.monitoringCrds !== undefined;
        const monitoringCrds = monitoring ? resolved.monitoringCrds : undefined;
        this.poolName = inferencePoolReleaseName(model);

        // The chart renders the InferencePool (GAIE CRDs) and, with monitoring, a ServiceMonitor.
        const pool = chartRelease(
            `${name}-pool`,
            {
                chartKey: "inferencePool",
                overrides: resolved.chartOverrides,
                releaseName: this.poolName,
                namespace: resolved.namespace,
                values: inferencePoolValues({ ...resolved, monitoring }),
                skipAwait: resolved.skipAwait,
            },
            { parent: this, dependsOn: dependsOnAll(resolved.inferencePoolCrds, monitoringCrds) },
        );
        chartRelease(
            `${name}-ms`,
            {
                chartKey: "llmdModelservice",
                overrides: resolved.chartOverrides,
                releaseName: `${model.name}-ms`,
                namespace: resolved.namespace,
                values: modelServiceValues({ ...resolved, monitoring }),
                skipAwait: resolved.skipAwait,
            },
            // llm-d deployment order: pool (EPP) before model servers; PodMonitors and LWS need their CRDs.
            { parent: this, dependsOn: dependsOnAll(pool, monitoringCrds, multiNode ? resolved.lwsCrds : undefined) },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-route`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: model.name, namespace: resolved.namespace, labels: standardLabels("llm-d", model.name, { "inference-platform/model": model.name }) },
                spec: httpRouteSpec(resolved.gateway, model.name, this.poolName),
            },
            // HTTPRoute is a Gateway API kind (its parent Gateway may appear later; the route then attaches).
            { parent: this, dependsOn: dependsOnAll(resolved.gatewayCrds) },
        );
        this.url = pulumi.interpolate`http://${gatewayServiceHost(resolved.gateway)}/${model.name}/v1`;
        this.registerOutputs({ url: this.url });
    }
}

/** HTTPRoute from the Gateway to the pool under `/<prefix>` (rewritten to `/`). Pure. */
export function httpRouteSpec(gateway: GatewayRef, prefix: string, poolName: string): Record<string, unknown> {
    return {
        parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name, namespace: gateway.namespace }],
        rules: [
            {
                matches: [{ path: { type: "PathPrefix", value: `/${prefix}` } }],
                filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } }],
                backendRefs: [{ group: "inference.networking.k8s.io", kind: "InferencePool", name: poolName }],
                // Long generations: the implementations' defaults (often 15s) cut them off.
                timeouts: { request: "300s" },
            },
        ],
    };
}
