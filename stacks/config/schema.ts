/**
 * The stack config schema: one zod schema, the single source of truth for what a stack file may
 * say. Pure data — no Pulumi imports — so the planner, the policy tests and the docs tests can
 * use it without the engine.
 *
 * Top-level keys (each a Pulumi config key under the `inference-platform:` namespace):
 * `cluster`, `fleet`, `platform`, `models`. Secrets (`hfToken`, `ngcApiKey`, `kubeconfig`) are
 * NOT part of this schema: they are read with `config.requireSecret`/`getSecret` in config.ts.
 */
import { z } from "zod";
import * as k8s from "../../components/common/k8s-validation";
import { KV_CACHE_DTYPES, QUANT_KINDS } from "../../components/physical/quant";
import { DEFAULT_AUTOSCALING_QUERY, defaultModelName } from "../../components/types";

export { DEFAULT_AUTOSCALING_QUERY, defaultModelName };

/** DNS-1123 label: what Kubernetes accepts as a name for most objects. */
export const dnsLabel = z
    .string()
    .max(50, "must be at most 50 characters (names get suffixes such as -leader, -epp)")
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit");

/**
 * A string the API server validates with `rule` (components/common/k8s-validation.ts): the
 * message is the rule's own sentence, reported as `<path>: got <value>; <sentence>`.
 */
export function k8sString(rule: (s: string) => string | undefined) {
    return z.string().superRefine((s, ctx) => {
        const bad = rule(s);
        if (bad) ctx.addIssue({ code: "custom", message: bad });
    });
}

/** Label map (nodeSelector, pod labels): keys are qualified names, values label values. */
export const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
    for (const [key, value] of Object.entries(labels)) {
        const badKey = k8s.qualifiedName(key);
        if (badKey) ctx.addIssue({ code: "custom", path: [key], message: `label key ${JSON.stringify(key)}: ${badKey}`, params: { got: key } });
        const badValue = k8s.labelValue(value);
        if (badValue) ctx.addIssue({ code: "custom", path: [key], message: `label value ${badValue}` });
    }
});

/** A byte quantity as Kubernetes parses it, greater than zero (PVC sizes, memory). */
const byteQuantity = (example: string) => k8sString((s) => k8s.quantity(s, { what: "storage", bytes: true, example }));

/** An image tag (distribution reference grammar). */
const imageTag = z.string().regex(/^[\w][\w.-]{0,127}$/, "must be an image tag: letters, digits, '_', '.' and '-', at most 128 characters");

/** Environment variables: names as the API server accepts them (the relaxed rule; the strict one for < 1.32 is a cross check). */
const envMap = z.record(z.string(), z.string()).superRefine((env, ctx) => {
    for (const key of Object.keys(env)) {
        const bad = k8s.envVarName(key);
        if (bad) ctx.addIssue({ code: "custom", path: [key], message: `environment variable name ${JSON.stringify(key)} ${bad}`, params: { got: key } });
    }
});

/**
 * A Hugging Face model id (`org/name`) or NIM image name: ASCII letters, digits, '-', '_', '.', '/'
 * separated parts. It reaches engine command lines and shell commands verbatim, so nothing else passes.
 */
const modelId = z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9._-]+)*$/, "must be a Hugging Face model id like \"Qwen/Qwen3-0.6B\": ASCII letters, digits, '-', '_', '.' and '/', not starting with '-' or '/'");

const positiveInt = z.number().int().positive();

// ── cluster ──────────────────────────────────────────────────────────────────────────

export const clusterSchema = z
    .strictObject({
        /** kubeconfig context to use when no `kubeconfig` secret is set. Defaults to the current context. */
        context: z.string().min(1).optional(),
        /** Kubernetes minor version of the cluster, e.g. "1.34". DRA `resource.k8s.io/v1` needs 1.34+. */
        kubernetesVersion: z
            .string()
            .regex(/^1\.\d+$/, 'must look like "1.34"')
            .default("1.34"),
        /** Namespace that holds the model workloads and their Secrets. */
        namespace: dnsLabel.default("inference"),
        /**
         * Skip the Kubernetes provider's readiness waits (annotation `pulumi.com/skipAwait`) and
         * delete with background propagation, on every object of the stack, and install Helm
         * releases without `--wait` — for API servers without kubelets and controllers (e2e) or
         * air-gapped dry runs. Defaults to false.
         */
        skipAwait: z.boolean().default(false),
    })
    .prefault({});

// ── fleet (the physical layer, as data) ──────────────────────────────────────────────

export const vendors = ["nvidia", "amd", "intel"] as const;
export type Vendor = (typeof vendors)[number];

export const taintSchema = z.strictObject({
    /** A qualified name, like a label key. */
    key: k8sString(k8s.qualifiedName),
    /** A label value. */
    value: k8sString(k8s.labelValue).optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).default("NoSchedule"),
});

export const poolSchema = z
    .strictObject({
        /** Pool name, referenced by `models[].pool`. */
        name: dnsLabel,
        /** Number of nodes in the pool. Defaults to 1. */
        nodes: positiveInt.default(1),
        accelerator: z.strictObject({
            vendor: z.enum(vendors),
            /** Product name as the vendor reports it, e.g. "H100-SXM5-80GB", "GB200", "MI300X", "Gaudi3". */
            product: z.string().min(1),
            /** Memory per accelerator in GiB. */
            memoryGiB: z.number().positive(),
            /** Accelerators per node. */
            perNode: positiveInt,
        }),
        /**
         * GPUs per NVLink (scale-up) domain: 8 for an HGX server, 72 for a GB200 NVL72 rack.
         * Defaults to `accelerator.perNode` (one domain per node).
         */
        nvlinkDomain: positiveInt.optional(),
        /** RDMA NICs per node and the extended resource pods request for them. Omit for no RDMA. */
        rdma: z
            .strictObject({
                nicsPerNode: positiveInt,
                /** e.g. "rdma/rdma_shared_device_a" (Network Operator shared device plugin). */
                resourceName: k8sString(k8s.extendedResourceName),
            })
            .optional(),
        /** Node labels that select this pool's nodes (used as nodeSelector). Defaults to `{"inference-platform/pool": <name>}`. */
        labels: labelMap.optional(),
        /** Taints on this pool's nodes; workloads placed on the pool tolerate them. */
        taints: z.array(taintSchema).default([]),
    })
    .transform((p) => ({
        ...p,
        nvlinkDomain: p.nvlinkDomain ?? p.accelerator.perNode,
        labels: p.labels ?? { "inference-platform/pool": p.name },
    }));

export const fleetSchema = z.strictObject({
    pools: z.array(poolSchema).min(1, "needs at least one node pool"),
});

// ── platform (operators and cluster services) ───────────────────────────────────────

/** Override where a chart comes from (air-gapped mirrors, local paths). */
export const chartOverrideSchema = z.strictObject({
    chart: z.string().min(1).optional(),
    repo: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
});

/** Toggle plus free-form Helm values merged over what the component computes. */
const componentBase = {
    /** Install this component. Defaults differ per component (often derived from fleet and models). */
    enabled: z.boolean().optional(),
    /** Extra chart values, deep-merged over the component's own (checked against upstream defaults by tests). */
    values: z.record(z.string(), z.unknown()).optional(),
};

export const platformSchema = z
    .strictObject({
        gpuOperator: z
            .strictObject({
                ...componentBase,
                /** Operator-installed driver (true) or a driver already on the host (false). Defaults to true. */
                driver: z.boolean().default(true),
                driverVersion: imageTag.optional(),
                /** Container toolkit managed by the operator. Defaults to true. */
                toolkit: z.boolean().default(true),
                mig: z.enum(["none", "single", "mixed"]).default("none"),
                /** GPU sharing through the device plugin config. */
                sharing: z
                    .strictObject({
                        mode: z.enum(["none", "time-slicing", "mps"]).default("none"),
                        replicas: positiveInt.default(2),
                    })
                    .prefault({}),
                cdi: z.boolean().default(true),
            })
            .prefault({}),
        networkOperator: z
            .strictObject({
                ...componentBase,
                sriov: z.boolean().default(false),
                /** Host interface names the RDMA shared device plugin selects (empty = all Mellanox NICs). */
                ifNames: z.array(k8sString(k8s.interfaceName)).default([]),
                /** Registry of the NicClusterPolicy images (air-gapped mirror). Defaults to nvcr.io/nvidia/mellanox. */
                imageRepository: k8sString(k8s.imageReference).optional(),
            })
            .prefault({}),
        amdGpuOperator: z.strictObject({ ...componentBase }).prefault({}),
        intelGaudiOperator: z.strictObject({ ...componentBase }).prefault({}),
        dra: z
            .strictObject({
                ...componentBase,
                /** ComputeDomains for multi-node NVLink pools. Defaults to on when a pool's NVLink domain spans nodes. */
                computeDomains: z.boolean().optional(),
            })
            .prefault({}),
        /**
         * Keep operator namespaces and shared CRDs (Gateway API, GAIE) when the stack is destroyed:
         * other stacks' and users' objects live in them. Defaults to true.
         */
        retainOnDelete: z.boolean().default(true),
        nfd: z.strictObject({ ...componentBase }).prefault({}),
        certManager: z.strictObject({ ...componentBase }).prefault({}),
        monitoring: z.strictObject({ ...componentBase }).prefault({}),
        keda: z.strictObject({ ...componentBase }).prefault({}),
        lws: z.strictObject({ ...componentBase }).prefault({}),
        kuberay: z.strictObject({ ...componentBase }).prefault({}),
        gateway: z
            .strictObject({
                ...componentBase,
                provider: z.enum(["istio", "kgateway", "agentgateway"]).default("istio"),
            })
            .prefault({}),
        kserve: z
            .strictObject({
                ...componentBase,
                mode: z.enum(["Standard", "Knative"]).default("Standard"),
            })
            .prefault({}),
        llmd: z.strictObject({ ...componentBase }).prefault({}),
        nimOperator: z.strictObject({ ...componentBase }).prefault({}),
        dynamo: z.strictObject({ ...componentBase }).prefault({}),
        /**
         * Registry mirror for air-gapped clusters, e.g. "registry.internal:5000" (host[:port][/path]):
         * every image the stack pulls — engines, chart values and chart defaults, operator CRs — is
         * pulled from there, same path and tag (docs/airgap.md). Defaults to none.
         */
        imageRegistry: z
            .string()
            .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9._-]+)*$/, 'must be a registry host[:port][/path], e.g. "registry.internal:5000"')
            .optional(),
        /**
         * Air-gapped installs: override any chart source or CRD manifest location by its key in
         * components/versions.ts (e.g. `charts.gpuOperator.repo`, `manifests.gatewayApi.url`).
         */
        sources: z
            .strictObject({
                charts: z.record(z.string(), chartOverrideSchema).default({}),
                manifests: z.record(z.string(), z.strictObject({ url: z.string().min(1) })).default({}),
            })
            .prefault({}),
    })
    .prefault({});

// ── models (engine + serving) ───────────────────────────────────────────────────────

export const engines = ["vllm", "sglang", "trtllm"] as const;
export type EngineKind = (typeof engines)[number];

export const servingModes = ["engine", "kserve", "llmisvc", "llmd", "rayserve", "nim", "dynamo"] as const;
export type ServingMode = (typeof servingModes)[number];

export const parallelismSchema = z.union([
    z.literal("auto"),
    z.strictObject({
        tensor: positiveInt.default(1),
        pipeline: positiveInt.default(1),
        data: positiveInt.default(1),
    }),
]);


export const autoscalingSchema = z
    .strictObject({
        min: z.number().int().nonnegative().default(1),
        max: positiveInt,
        /** Prometheus query KEDA evaluates. Defaults to the vLLM running-requests gauge. */
        query: z.string().min(1).default(DEFAULT_AUTOSCALING_QUERY),
        /** Target value per replica. Defaults to 2. */
        target: z.number().positive().default(2),
    })
    .refine((a) => a.min <= a.max, { message: "min must be ≤ max", path: ["min"] });

/** Architecture facts for a model the built-in catalog does not know. */
export const modelSizeSchema = z.strictObject({
    /** Total parameters, in billions. */
    paramsB: z.number().positive(),
    /** Active parameters per token (MoE), in billions. Defaults to paramsB. */
    activeParamsB: z.number().positive().optional(),
    layers: positiveInt,
    attentionHeads: positiveInt,
    kvHeads: positiveInt,
    headDim: positiveInt,
    /** Bytes per parameter of the weights as served: bf16 2, fp8 1, mxfp4 ~0.53. Defaults to 2. */
    bytesPerParam: z.number().positive().default(2),
});

export const modelSchema = z
    .strictObject({
        /** Workload name (DNS-1123). Defaults to the last segment of `model`, lower-cased. */
        name: dnsLabel.optional(),
        /** Hugging Face model id, e.g. "Qwen/Qwen3-0.6B" (or the NIM image name for `serving: nim`). */
        model: modelId,
        engine: z.enum(engines).default("vllm"),
        /** Node pool to place on. Defaults to the only pool when the fleet has one. */
        pool: dnsLabel.optional(),
        parallelism: parallelismSchema.default("auto"),
        /** How the model is served. `engine` = the engine's own Deployment/StatefulSet + Service. */
        serving: z.enum(servingModes).default("engine"),
        /** Replicas (model copies). Ignored when `autoscaling` is set (its `min` applies). Defaults to 1. */
        replicas: z.number().int().nonnegative().default(1),
        autoscaling: autoscalingSchema.optional(),
        /** Context length to size the KV cache for and pass as --max-model-len. Defaults to 8192. */
        maxModelLen: positiveInt.default(8192),
        /** Concurrent sequences at full context the KV cache must hold. Defaults to 1. */
        concurrency: positiveInt.default(1),
        /** Fraction of GPU memory the engine may use. Defaults to 0.9. */
        gpuMemoryUtilization: z.number().gt(0).max(1).default(0.9),
        /** How one replica spans nodes when it needs more than one. Defaults to lws. */
        multiNode: z.enum(["lws", "ray"]).default("lws"),
        /** single-node workload kind. Defaults to StatefulSet (stable names, per-replica cache PVCs). */
        workload: z.enum(["StatefulSet", "Deployment"]).default("StatefulSet"),
        /** Use a DRA ResourceClaimTemplate instead of the device plugin resource. Defaults to false. */
        dra: z.boolean().default(false),
        /** Model cache PVC size (e.g. "200Gi"); omit for no cache. Retained on delete. */
        cacheSize: byteQuantity("200Gi").optional(),
        /** StorageClass of the cache PVC (a DNS-1123 subdomain). Defaults to the cluster's default class. */
        storageClass: k8sString(k8s.dns1123Subdomain).optional(),
        /** Engine image override; must be pinned (tag or digest, never latest). */
        image: k8sString(k8s.imageReference)
            .refine((s) => /(@sha256:[a-f0-9]{64}$)|(:[\w][\w.-]{0,127}$)/.test(s) && !/:latest$/.test(s), {
                message: "must be pinned to a tag or digest (not latest, not untagged)",
            })
            .optional(),
        /** Extra engine CLI arguments, appended verbatim. */
        extraArgs: z.array(z.string()).default([]),
        /** Extra environment variables for the engine container. */
        env: envMap.default({}),
        /** Architecture facts for models the built-in catalog does not know (wins over `config` and the catalog). */
        size: modelSizeSchema.optional(),
        /**
         * A local config.json (or a directory holding one) to read the architecture from: hidden size,
         * layers, heads, KV heads, MoE, MLA, sliding window, dtype, quantization_config. Relative paths
         * resolve from the working directory (the Pulumi project directory).
         */
        config: z.string().min(1).optional(),
        /** Weight format override (else quantization_config, the name suffix, the catalog, the config's dtype). */
        dtype: z.enum(QUANT_KINDS).optional(),
        /** KV-cache element type; fp8 halves the KV cache and is passed to vLLM/SGLang as --kv-cache-dtype. Defaults to auto (the model's dtype). */
        kvCacheDtype: z.enum(KV_CACHE_DTYPES).default("auto"),
        /** Serving options per mode (only the one matching `serving` is read). */
        kserve: z
            .strictObject({
                /** Use an hf:// storageUri (true) or --model_id args (false). Defaults to true. */
                storageUri: z.boolean().default(true),
                /** Also create a PodMonitor for the predictor (scrape annotations are always set). Defaults to true. */
                podMonitor: z.boolean().default(true),
            })
            .prefault({}),
        /** `serving: llmisvc` (KServe LLMInferenceService). */
        llmisvc: z
            .strictObject({
                /** Managed router: Gateway + HTTPRoute + InferencePool with the EPP scheduler. Defaults to true. */
                router: z.boolean().default(true),
                /** Prefill/decode disaggregation: number of prefill replicas (0 = off). Defaults to 0. */
                prefillReplicas: z.number().int().nonnegative().default(0),
                /** CPU memory for KV-cache offloading per replica, e.g. "64Gi" (spec.kvCacheOffloading.cpu); omit for none. */
                kvCacheOffloadCpu: byteQuantity("64Gi").optional(),
            })
            .prefault({}),
        llmd: z
            .strictObject({
                /** Prefill/decode disaggregation: number of prefill replicas (0 = off). */
                prefillReplicas: z.number().int().nonnegative().default(0),
                /** Prefill parallelism (tensor), defaults to the decode tensor degree. */
                prefillTensor: positiveInt.optional(),
                /** Wide expert parallelism: vLLM --enable-expert-parallel across the data-parallel ranks (MoE models). Defaults to false. */
                expertParallel: z.boolean().default(false),
            })
            .prefault({}),
        /** `serving: rayserve` (KubeRay RayService with Ray Serve LLM). */
        rayserve: z
            .strictObject({
                /** CPUs of the Ray head pod (it runs no model). Defaults to "2". */
                headCpu: k8sString((q) => k8s.quantity(q, { what: "CPU", example: "2" })).default("2"),
                /** Memory of the Ray head pod. Defaults to "8Gi". */
                headMemory: byteQuantity("8Gi").default("8Gi"),
            })
            .prefault({}),
        nim: z
            .strictObject({
                /** NIM image repository, e.g. "nvcr.io/nim/meta/llama-3.1-8b-instruct". Required for `serving: nim`. */
                image: k8sString(k8s.imageReference).optional(),
                /** NIM image tag, e.g. "1.13.1". Required for `serving: nim`. */
                tag: imageTag.optional(),
                /** NIMCache PVC size. Defaults to `cacheSize`, else "100Gi". */
                cacheSize: byteQuantity("100Gi").optional(),
            })
            .prefault({}),
        dynamo: z
            .strictObject({
                /** Disaggregated prefill/decode workers. */
                disaggregated: z.boolean().default(false),
                /** Prefill workers when disaggregated. Defaults to 1. */
                prefillReplicas: positiveInt.default(1),
            })
            .prefault({}),
    })
    .superRefine((m, ctx) => {
        // The default name is derived from the id: it must itself be a valid name, or the plan
        // would register resources without one.
        if (m.name !== undefined) return;
        const derived = defaultModelName(m.model);
        const bad = k8s.dns1123Label(derived, 50);
        if (bad) {
            ctx.addIssue({
                code: "custom",
                path: ["name"],
                params: { got: m.model },
                message: `the default name derived from model ${JSON.stringify(m.model)} is ${JSON.stringify(derived)}, which ${bad}; set models[].name (a DNS-1123 label)`,
            });
        }
    })
    .transform((m) => ({
        ...m,
        name: m.name ?? defaultModelName(m.model),
        // "auto" is the absence of explicit parallelism (components/types.ts Model.parallelism).
        parallelism: m.parallelism === "auto" ? undefined : m.parallelism,
    }));

export const stackConfigSchema = z.strictObject({
    cluster: clusterSchema,
    fleet: fleetSchema,
    platform: platformSchema,
    models: z.array(modelSchema).default([]),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
export type ClusterConfig = ParsedStackConfig["cluster"];
export type PoolConfig = ParsedStackConfig["fleet"]["pools"][number];
export type PlatformConfig = ParsedStackConfig["platform"];
export type ModelConfig = ParsedStackConfig["models"][number];
export type Parallelism = Exclude<z.output<typeof parallelismSchema>, "auto">;
