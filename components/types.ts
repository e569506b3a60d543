/**
 * The fleet vocabulary every component speaks: node pools and their accelerators, models and where
 * their weights come from, and the placement of one model on a pool. Plain interfaces — what a
 * program that uses the components on their own writes — with each optional field documenting its
 * default, and `resolve*` functions that apply those defaults.
 *
 * The stack config schema (stacks/config/schema.ts) is checked against these types at compile time
 * (stacks/config/contract.ts): a parsed stack model IS a {@link Model}, a parsed pool IS a
 * {@link Pool}. Nothing under components/ imports stacks/.
 *
 * Enumerations are `as const` objects with a type of the same name (the form Pulumi's component
 * schema inference reads as an enum); no argument type is a union of object shapes.
 */
import type { KvCacheDtype, QuantKind } from "./physical/quant";

// ── physical: pools and accelerators ─────────────────────────────────────────────────

/** Accelerator vendor of a node pool. */
export const Vendor = {
    nvidia: "nvidia",
    amd: "amd",
    intel: "intel",
} as const;
export type Vendor = (typeof Vendor)[keyof typeof Vendor];

/** The accelerators of every node in a pool. */
export interface Accelerator {
    /** "nvidia", "amd" or "intel". */
    vendor: Vendor;
    /** Product name as the vendor reports it, e.g. "H100-SXM5-80GB", "GB200", "MI300X", "Gaudi3". */
    product: string;
    /** Memory per accelerator in GiB. */
    memoryGiB: number;
    /** Accelerators per node. */
    perNode: number;
}

/** RDMA NICs of a pool's nodes. */
export interface Rdma {
    nicsPerNode: number;
    /** Extended resource pods request for them, e.g. "rdma/rdma_shared_device_a" (Network Operator shared device plugin). */
    resourceName: string;
}

/** Effect of a node taint. */
export const TaintEffect = {
    NoSchedule: "NoSchedule",
    PreferNoSchedule: "PreferNoSchedule",
    NoExecute: "NoExecute",
} as const;
export type TaintEffect = (typeof TaintEffect)[keyof typeof TaintEffect];

/** A taint on a pool's nodes; workloads placed on the pool tolerate it. */
export interface Taint {
    /** A qualified name, like a label key. */
    key: string;
    /** A label value. Defaults to none. */
    value?: string;
    /** Defaults to "NoSchedule". */
    effect?: TaintEffect;
}

/** A node pool: identical GPU nodes that workloads are placed on. */
export interface NodePool {
    /** Pool name (DNS-1123 label). */
    name: string;
    /** Number of nodes in the pool. Defaults to 1. */
    nodes?: number;
    accelerator: Accelerator;
    /** GPUs per NVLink (scale-up) domain: 8 for an HGX server, 72 for a GB200 NVL72 rack. Defaults to `accelerator.perNode`. */
    nvlinkDomain?: number;
    /** RDMA NICs per node. Defaults to none (no RDMA). */
    rdma?: Rdma;
    /** Node labels that select this pool's nodes (nodeSelector). Defaults to `{"inference-platform/pool": <name>}`. */
    labels?: { [key: string]: string };
    /** Taints on this pool's nodes. Defaults to none. */
    taints?: Taint[];
}

/** A {@link NodePool} with every default applied (what {@link resolveNodePool} returns). */
export interface Pool extends NodePool {
    nodes: number;
    nvlinkDomain: number;
    labels: { [key: string]: string };
    taints: (Taint & { effect: TaintEffect })[];
}

/** Apply a pool's defaults. Idempotent: a resolved pool comes back equal. */
export function resolveNodePool(p: NodePool): Pool {
    return {
        ...p,
        nodes: p.nodes ?? 1,
        taints: (p.taints ?? []).map((t) => ({ ...t, effect: t.effect ?? "NoSchedule" })),
        nvlinkDomain: p.nvlinkDomain ?? p.accelerator.perNode,
        labels: p.labels ?? { "inference-platform/pool": p.name },
    };
}

// ── models ───────────────────────────────────────────────────────────────────────────

/** Inference engine. */
export const EngineKind = {
    vllm: "vllm",
    sglang: "sglang",
    trtllm: "trtllm",
} as const;
export type EngineKind = (typeof EngineKind)[keyof typeof EngineKind];

/** How a model is served: `engine` = the engine's own workload + Service; the others through a serving stack. */
export const ServingMode = {
    engine: "engine",
    kserve: "kserve",
    llmisvc: "llmisvc",
    llmd: "llmd",
    rayserve: "rayserve",
    nim: "nim",
    dynamo: "dynamo",
} as const;
export type ServingMode = (typeof ServingMode)[keyof typeof ServingMode];

/** How one replica spans nodes when it needs more than one. */
export const MultiNodeMode = {
    lws: "lws",
    ray: "ray",
} as const;
export type MultiNodeMode = (typeof MultiNodeMode)[keyof typeof MultiNodeMode];

/** Workload kind of a single-node engine. */
export const WorkloadKind = {
    StatefulSet: "StatefulSet",
    Deployment: "Deployment",
} as const;
export type WorkloadKind = (typeof WorkloadKind)[keyof typeof WorkloadKind];

/** Architecture facts for a model the built-in catalog does not know. */
export interface ModelSize {
    /** Total parameters, in billions. */
    paramsB: number;
    /** Active parameters per token (MoE), in billions. Defaults to paramsB. */
    activeParamsB?: number;
    layers: number;
    attentionHeads: number;
    kvHeads: number;
    headDim: number;
    /** Bytes per parameter of the weights as served: bf16 2, fp8 1, mxfp4 ~0.53. Defaults to 2. */
    bytesPerParam?: number;
}

/** Where a model's weights come from and what they are (what the planner sizes). */
export interface ModelSource {
    /** Hugging Face model id, e.g. "Qwen/Qwen3-0.6B" (or the NIM image name for NIM serving). */
    model: string;
    /** Architecture facts for models the built-in catalog does not know (wins over `config` and the catalog). Defaults to the catalog. */
    size?: ModelSize;
    /** A local config.json (or a directory holding one) to read the architecture from. Defaults to none. */
    config?: string;
    /** Weight format override (else quantization_config, the name suffix, the catalog, the config's dtype). */
    dtype?: QuantKind;
}

/** Explicit parallelism of one replica. */
export interface Parallelism {
    /** Tensor-parallel degree. Defaults to 1. */
    tensor?: number;
    /** Pipeline-parallel degree (stages). Defaults to 1. */
    pipeline?: number;
    /** Engine-level data parallelism inside one replica. Defaults to 1. */
    data?: number;
}

/** Default scale signal: requests a vLLM server is running (SGLang and Triton use their own gauge). */
export const DEFAULT_AUTOSCALING_QUERY = 'sum(vllm:num_requests_running{model_name="$MODEL"})';

/** KEDA autoscaling of a model's replicas on a Prometheus query. */
export interface Autoscaling {
    /** Minimum replicas. Defaults to 1. */
    min?: number;
    /** Maximum replicas. */
    max: number;
    /** Prometheus query KEDA evaluates. Defaults to the engine's running-requests gauge ({@link DEFAULT_AUTOSCALING_QUERY} for vLLM). */
    query?: string;
    /** Target value per replica. Defaults to 2. */
    target?: number;
}

/** KServe InferenceService options. */
export interface KServeOptions {
    /** Use an hf:// storageUri (true) or --model_id args (false). Defaults to true. */
    storageUri?: boolean;
    /** Also create a PodMonitor for the predictor (scrape annotations are always set). Defaults to true. */
    podMonitor?: boolean;
}

/** KServe LLMInferenceService options. */
export interface LlmisvcOptions {
    /** Managed router: Gateway + HTTPRoute + InferencePool with the EPP scheduler. Defaults to true. */
    router?: boolean;
    /** Prefill/decode disaggregation: number of prefill replicas (0 = off). Defaults to 0. */
    prefillReplicas?: number;
    /** CPU memory for KV-cache offloading per replica, e.g. "64Gi". Defaults to none. */
    kvCacheOffloadCpu?: string;
}

/** llm-d options. */
export interface LlmdOptions {
    /** Prefill/decode disaggregation: number of prefill replicas (0 = off). Defaults to 0. */
    prefillReplicas?: number;
    /** Prefill parallelism (tensor). Defaults to the decode tensor degree. */
    prefillTensor?: number;
    /** Wide expert parallelism (vLLM --enable-expert-parallel across the data-parallel ranks). Defaults to false. */
    expertParallel?: boolean;
}

/** Ray Serve LLM options. */
export interface RayServeOptions {
    /** CPUs of the Ray head pod (it runs no model). Defaults to "2". */
    headCpu?: string;
    /** Memory of the Ray head pod. Defaults to "8Gi". */
    headMemory?: string;
}

/** NVIDIA NIM options. */
export interface NimOptions {
    /** NIM image repository, e.g. "nvcr.io/nim/meta/llama-3.1-8b-instruct". Required for NIM serving. */
    image?: string;
    /** NIM image tag, e.g. "1.13.1". Required for NIM serving. */
    tag?: string;
    /** NIMCache PVC size. Defaults to the model's `cacheSize`, else "100Gi". */
    cacheSize?: string;
}

/** NVIDIA Dynamo options. */
export interface DynamoOptions {
    /** Disaggregated prefill/decode workers. Defaults to false. */
    disaggregated?: boolean;
    /** Prefill workers when disaggregated. Defaults to 1. */
    prefillReplicas?: number;
}

/** A model to serve: its source plus engine and serving knobs. Only `model` is required. */
export interface ModelSpec extends ModelSource {
    /** Workload name (DNS-1123). Defaults to the last segment of `model`, lower-cased ({@link defaultModelName}). */
    name?: string;
    /** Defaults to "vllm". */
    engine?: EngineKind;
    /** Node pool name the model is placed on (stacks only; components take the pool itself). Defaults to the only pool. */
    pool?: string;
    /** Explicit parallelism. Defaults to automatic (the planner picks it). */
    parallelism?: Parallelism;
    /** How the model is served. Defaults to "engine". */
    serving?: ServingMode;
    /** Replicas (model copies). Ignored when `autoscaling` is set (its `min` applies). Defaults to 1. */
    replicas?: number;
    /** KEDA autoscaling. Defaults to none (fixed replicas). */
    autoscaling?: Autoscaling;
    /** Context length to size the KV cache for and pass as --max-model-len. Defaults to 8192. */
    maxModelLen?: number;
    /** Concurrent sequences at full context the KV cache must hold. Defaults to 1. */
    concurrency?: number;
    /** Fraction of GPU memory the engine may use. Defaults to 0.9. */
    gpuMemoryUtilization?: number;
    /** How one replica spans nodes when it needs more than one. Defaults to "lws". */
    multiNode?: MultiNodeMode;
    /** Single-node workload kind. Defaults to "StatefulSet". */
    workload?: WorkloadKind;
    /** Use a DRA ResourceClaimTemplate instead of the device plugin resource. Defaults to false. */
    dra?: boolean;
    /** Model cache PVC size (e.g. "200Gi"). Defaults to none (no cache). */
    cacheSize?: string;
    /** StorageClass of the cache PVC. Defaults to the cluster's default class. */
    storageClass?: string;
    /** Engine image override (pinned). Defaults to the versions table. */
    image?: string;
    /** Extra engine CLI arguments, appended verbatim. Defaults to none. */
    extraArgs?: string[];
    /** Extra environment variables for the engine container. Defaults to none. */
    env?: { [key: string]: string };
    /** KV-cache element type; fp8 halves the KV cache. Defaults to "auto" (the model's dtype). */
    kvCacheDtype?: KvCacheDtype;
    /** KServe InferenceService options (read by KServeModel). */
    kserve?: KServeOptions;
    /** LLMInferenceService options (read by LlmInferenceService). */
    llmisvc?: LlmisvcOptions;
    /** llm-d options (read by LlmD and the planner's expert-parallel sizing). */
    llmd?: LlmdOptions;
    /** Ray Serve options (read by RayServeLlm). */
    rayserve?: RayServeOptions;
    /** NIM options (read by NimService). */
    nim?: NimOptions;
    /** Dynamo options (read by DynamoDeployment). */
    dynamo?: DynamoOptions;
}

/**
 * A {@link ModelSpec} with every default applied (what {@link resolveModel} returns, and exactly
 * what the stack schema produces for `models[i]`).
 */
export interface Model {
    name: string;
    model: string;
    engine: EngineKind;
    pool?: string;
    /** Absent: automatic (the planner picks the layout). */
    parallelism: Required<Parallelism> | undefined;
    serving: ServingMode;
    replicas: number;
    autoscaling?: Required<Autoscaling>;
    maxModelLen: number;
    concurrency: number;
    gpuMemoryUtilization: number;
    multiNode: MultiNodeMode;
    workload: WorkloadKind;
    dra: boolean;
    cacheSize?: string;
    storageClass?: string;
    image?: string;
    extraArgs: string[];
    env: Record<string, string>;
    size?: ModelSize & { bytesPerParam: number };
    config?: string;
    dtype?: QuantKind;
    kvCacheDtype: KvCacheDtype;
    kserve: Required<KServeOptions>;
    llmisvc: Required<Omit<LlmisvcOptions, "kvCacheOffloadCpu">> & Pick<LlmisvcOptions, "kvCacheOffloadCpu">;
    llmd: Required<Omit<LlmdOptions, "prefillTensor">> & Pick<LlmdOptions, "prefillTensor">;
    rayserve: Required<RayServeOptions>;
    nim: NimOptions;
    dynamo: Required<DynamoOptions>;
}

/** "meta-llama/Llama-3.1-8B-Instruct" → "llama-3-1-8b-instruct". */
export function defaultModelName(modelId: string): string {
    const last = modelId.split("/").pop() ?? modelId;
    return last
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 50)
        .replace(/-+$/g, "");
}

/**
 * Apply a model's defaults (the same defaults the stack schema documents). Keys keep their order
 * and a model that already has every field comes back equal, so resolving twice changes nothing.
 */
export function resolveModel(s: ModelSpec): Model {
    const par = s.parallelism;
    const out: Model = {
        ...s,
        name: s.name ?? defaultModelName(s.model),
        engine: s.engine ?? "vllm",
        parallelism: par ? { tensor: par.tensor ?? 1, pipeline: par.pipeline ?? 1, data: par.data ?? 1 } : undefined,
        serving: s.serving ?? "engine",
        replicas: s.replicas ?? 1,
        autoscaling: s.autoscaling
            ? { min: s.autoscaling.min ?? 1, max: s.autoscaling.max, query: s.autoscaling.query ?? DEFAULT_AUTOSCALING_QUERY, target: s.autoscaling.target ?? 2 }
            : undefined,
        maxModelLen: s.maxModelLen ?? 8192,
        concurrency: s.concurrency ?? 1,
        gpuMemoryUtilization: s.gpuMemoryUtilization ?? 0.9,
        multiNode: s.multiNode ?? "lws",
        workload: s.workload ?? "StatefulSet",
        dra: s.dra ?? false,
        extraArgs: s.extraArgs ?? [],
        env: s.env ?? {},
        size: s.size ? { ...s.size, bytesPerParam: s.size.bytesPerParam ?? 2 } : undefined,
        kvCacheDtype: s.kvCacheDtype ?? "auto",
        kserve: { storageUri: s.kserve?.storageUri ?? true, podMonitor: s.kserve?.podMonitor ?? true },
        llmisvc: { ...s.llmisvc, router: s.llmisvc?.router ?? true, prefillReplicas: s.llmisvc?.prefillReplicas ?? 0 },
        llmd: { ...s.llmd, prefillReplicas: s.llmd?.prefillReplicas ?? 0, expertParallel: s.llmd?.expertParallel ?? false },
        rayserve: { headCpu: s.rayserve?.headCpu ?? "2", headMemory: s.rayserve?.headMemory ?? "8Gi" },
        nim: { ...s.nim },
        dynamo: { disaggregated: s.dynamo?.disaggregated ?? false, prefillReplicas: s.dynamo?.prefillReplicas ?? 1 },
    };
    if (!out.autoscaling) delete out.autoscaling;
    if (!out.size) delete out.size;
    return out;
}

// ── placement ────────────────────────────────────────────────────────────────────────

/** Where and how big one model replica is, as decided by the planner (or given explicitly). */
export interface Placement {
    /** Tensor-parallel degree (GPUs per pipeline stage). */
    tensor: number;
    /** Pipeline-parallel degree (stages; one per node when multi-node). */
    pipeline: number;
    /** Data-parallel degree inside one replica (engine-level DP). Defaults to 1. */
    data: number;
    /** GPUs each pod requests. */
    gpusPerPod: number;
    /** Pods (nodes) per replica: 1 for single-node. */
    nodesPerReplica: number;
    /** Replicas (model copies). */
    replicas: number;
}
