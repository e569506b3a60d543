/**
 * The one table of pinned versions: Helm charts, CRD release manifests and container images.
 *
 * Components never hard-code a version, repository or image inline; they read this table, and a
 * stack can override any entry (`platform.<component>.chart` / `platform.sources`) — for
 * air-gapped clusters that mirror charts to an internal registry or a local directory.
 *
 * Chart versions match the upstream defaults in ../shared/upstream/charts (the support matrix);
 * the conformance suite checks every values key against them.
 */

/** Where a Helm chart comes from. `chart` may be a name in `repo`, an `oci://` reference, or a local path. */
export interface ChartSource {
    /** Chart name (with `repo`), an `oci://…` reference, or a local chart directory/tarball. */
    chart: string;
    /** Helm repository URL; omitted for OCI references and local paths. */
    repo?: string;
    /** Chart version, exactly as the repository publishes it (some charts use a `v` prefix). */
    version: string;
    /**
     * The upstream chart this source is, and the version of its defaults in ../shared/upstream/charts
     * (used by the conformance suite). Defaults to the last path segment of `chart` and `version`.
     */
    upstream?: { chart: string; version: string };
}

/** A remote (or local) manifest file, e.g. a release's CRD bundle. */
export interface ManifestSource {
    /** URL or local file path of the YAML manifest. */
    url: string;
    version: string;
}

const NGC = "https://helm.ngc.nvidia.com/nvidia";

export const charts = {
    // ── Platform: accelerators and networking ──────────────────────────────────────────
    gpuOperator: { chart: "gpu-operator", repo: NGC, version: "v26.7.0", upstream: { chart: "gpu-operator", version: "26.7.0" } },
    networkOperator: { chart: "network-operator", repo: NGC, version: "26.4.1" },
    amdGpuOperator: {
        chart: "gpu-operator-charts",
        repo: "https://rocm.github.io/gpu-operator",
        version: "v1.5.1",
        upstream: { chart: "gpu-operator-charts", version: "1.5.1" },
    },
    // No upstream defaults in ../shared for this chart: components pin their emitted shape in tests.
    intelGaudiOperator: {
        chart: "habana-ai-operator",
        repo: "https://vault.habana.ai/artifactory/api/helm/gaudi-helm",
        version: "1.23.0-695",
    },
    draDriverNvidia: { chart: "oci://registry.k8s.io/dra-driver-nvidia/charts/dra-driver-nvidia-gpu", version: "0.4.0" },
    nodeFeatureDiscovery: { chart: "oci://registry.k8s.io/nfd/charts/node-feature-discovery", version: "0.19.0" },
    // ── Platform: cluster services ─────────────────────────────────────────────────────
    certManager: {
        chart: "oci://quay.io/jetstack/charts/cert-manager",
        version: "v1.21.1",
        upstream: { chart: "cert-manager", version: "1.21.1" },
    },
    kubePrometheusStack: { chart: "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack", version: "88.5.3" },
    keda: { chart: "keda", repo: "https://kedacore.github.io/charts", version: "2.20.2" },
    lws: { chart: "oci://registry.k8s.io/lws/charts/lws", version: "0.10.0" },
    kuberayOperator: { chart: "kuberay-operator", repo: "https://ray-project.github.io/kuberay-helm/", version: "1.7.0" },
    // No upstream defaults in ../shared for Istio: the gateway provider pins its values in tests.
    istioBase: { chart: "base", repo: "https://istio-release.storage.googleapis.com/charts", version: "1.28.0" },
    istiod: { chart: "istiod", repo: "https://istio-release.storage.googleapis.com/charts", version: "1.28.0" },
    kgatewayCrds: { chart: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway-crds", version: "v2.1.0" },
    kgateway: { chart: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway", version: "v2.1.0" },
    // agentgateway (llm-d's recommended provider after kgateway); no upstream defaults in ../shared.
    agentgatewayCrds: { chart: "oci://cr.agentgateway.dev/charts/agentgateway-crds", version: "v1.1.0" },
    agentgateway: { chart: "oci://cr.agentgateway.dev/charts/agentgateway", version: "v1.1.0" },
    // ── Serving ────────────────────────────────────────────────────────────────────────
    kserveCrd: { chart: "oci://ghcr.io/kserve/charts/kserve-crd", version: "v0.20.0" },
    kserveResources: {
        chart: "oci://ghcr.io/kserve/charts/kserve-resources",
        version: "v0.20.0",
        upstream: { chart: "kserve-resources", version: "0.20.0" },
    },
    kserveLlmisvcCrd: { chart: "oci://ghcr.io/kserve/charts/kserve-llmisvc-crd", version: "v0.20.0" },
    // ClusterServingRuntimes (huggingfaceserver) and the well-known LLMInferenceServiceConfigs; both
    // are off by default in the chart. No upstream defaults in ../shared: KServe pins its values in tests.
    kserveRuntimeConfigs: { chart: "oci://ghcr.io/kserve/charts/kserve-runtime-configs", version: "v0.20.0" },
    kserveLlmisvcResources: {
        chart: "oci://ghcr.io/kserve/charts/kserve-llmisvc-resources",
        version: "v0.20.0",
        upstream: { chart: "kserve-llmisvc-resources", version: "0.20.0" },
    },
    // No upstream defaults in ../shared for the Knative operator.
    knativeOperator: { chart: "knative-operator", repo: "https://knative.github.io/operator", version: "v1.20.0" },
    llmdInfra: {
        chart: "llm-d-infra",
        repo: "https://llm-d-incubation.github.io/llm-d-infra/",
        version: "v1.4.0",
        upstream: { chart: "llm-d-infra", version: "1.4.0" },
    },
    // llm-d release set (LLMD_RELEASE below): the chart the pinned llm-d release's guides install the EPP with.
    inferencePool: {
        chart: "oci://registry.k8s.io/gateway-api-inference-extension/charts/inferencepool",
        version: "v1.4.0",
        upstream: { chart: "inferencepool", version: "1.4.0" },
    },
    llmdModelservice: {
        chart: "llm-d-modelservice",
        repo: "https://llm-d-incubation.github.io/llm-d-modelservice/",
        version: "v0.4.12",
        upstream: { chart: "llm-d-modelservice", version: "0.4.12" },
    },
    nimOperator: { chart: "k8s-nim-operator", repo: NGC, version: "v3.1.2", upstream: { chart: "k8s-nim-operator", version: "3.1.2" } },
    // No upstream defaults in ../shared for Dynamo: the component pins its values in tests.
    // 0.7.x ships the CRDs as their own chart (dynamo-crds), installed before the platform.
    dynamoCrds: { chart: "dynamo-crds", repo: "https://helm.ngc.nvidia.com/nvidia/ai-dynamo", version: "0.7.1" },
    dynamoPlatform: { chart: "dynamo-platform", repo: "https://helm.ngc.nvidia.com/nvidia/ai-dynamo", version: "0.7.1" },
} satisfies Record<string, ChartSource>;

export type ChartKey = keyof typeof charts;

export const manifests = {
    gatewayApi: {
        url: "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml",
        version: "v1.5.1",
    },
    gatewayApiInferenceExtension: {
        url: "https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/v1.5.0/manifests.yaml",
        version: "v1.5.0",
    },
} satisfies Record<string, ManifestSource>;

export type ManifestKey = keyof typeof manifests;

/** Container images. Always a pinned tag; never `latest`. */
export const images = {
    // Engine images. Tags confirmed to exist (see docs/engine.md, "Images"): vLLM's own docs build
    // FROM vllm/vllm-openai:v0.11.0; rocm/vllm tag from AMD's ROCm vLLM image history; SGLang tags
    // from SGLang docs/CI configs (CUDA and the MI300 ROCm build of the same release); Triton
    // 25.10 trtllm from NGC references.
    vllm: "vllm/vllm-openai:v0.11.0",
    vllmRocm: "rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909",
    // Habana's vault publishes its vLLM images only as `:latest`; OPEA's Gaudi vLLM image is
    // versioned with the Gaudi software release (1.22.0) and ships the `vllm` CLI.
    vllmGaudi: "opea/vllm-gaudi:1.22.0",
    sglang: "lmsysorg/sglang:v0.5.5.post2",
    sglangRocm: "lmsysorg/sglang:v0.5.5.post2-rocm700-mi30x",
    tritonTrtllm: "nvcr.io/nvidia/tritonserver:25.10-trtllm-python-py3",
    rayLlm: "rayproject/ray-llm:2.51.1-py311-cu128",
    rayVersion: "2.51.1",
    /** llm-d EPP (inferencepool chart 1.4 image values: hub/name/tag). Part of the llm-d release set (LLMD_RELEASE). */
    llmdInferenceScheduler: { hub: "ghcr.io/llm-d", name: "llm-d-inference-scheduler", tag: "v0.7.1" },
    /** P/D routing sidecar of llm-d-modelservice (the chart's default is `:latest`). Part of the llm-d release set. */
    llmdRoutingSidecar: "ghcr.io/llm-d/llm-d-routing-sidecar:v0.7.1",
    /** llm-d's vLLM (CUDA) model-server image. Part of the llm-d release set. */
    llmdCuda: "ghcr.io/llm-d/llm-d-cuda:v0.6.0",
    /** NIM operator: the chart's default tag is the moving `release-3.0`; pin the release. */
    nimOperator: { repository: "nvcr.io/nvidia/cloud-native/k8s-nim-operator", tag: "v3.1.2" },
    dynamoVllmRuntime: "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.7.1",
    kserveHuggingfaceServer: "kserve/huggingfaceserver:v0.20.0",
    /**
     * KMM (kernel module management) of the AMD GPU operator chart: its subchart defaults every
     * image to `:latest` (gpu-operator-charts-v1.5.1:charts/kmm/values.yaml). AMD tags its KMM fork
     * with the operator release (v1.4.1 runs rocm/kernel-module-management-operator:v1.4.1).
     */
    amdKmm: {
        operator: "docker.io/rocm/kernel-module-management-operator",
        webhook: "docker.io/rocm/kernel-module-management-webhook-server",
        signImage: "docker.io/rocm/kernel-module-management-signimage",
        worker: "docker.io/rocm/kernel-module-management-worker",
        tag: "v1.5.1",
    },
    /** LWS controller: the chart's default tag is `main` (pull Always); pin the release instead. */
    lwsController: { repository: "registry.k8s.io/lws/lws", tag: "v0.10.0" },
    /** NicClusterPolicy sub-components: the network-operator 26.4.1 release tags them all alike. */
    networkOperatorComponents: {
        repository: "nvcr.io/nvidia/mellanox",
        version: "network-operator-v26.4.1",
        rdmaSharedDevicePlugin: "k8s-rdma-shared-dev-plugin",
        sriovDevicePlugin: "sriov-network-device-plugin",
        multus: "multus-cni",
        cniPlugins: "plugins",
        nvIpam: "nvidia-k8s-ipam",
    },
} as const;

/** Versions of things that are not charts or images but must be pinned. */
export const componentVersions = {
    knativeServing: "1.20.0",
} as const;

/**
 * llm-d release sets: the versions one llm-d release deploys together. The EPP (scheduler image),
 * the inferencepool chart that renders its default plugins config, the P/D routing sidecar and the
 * model-server image must come from ONE release: the chart's default plugins config names plugins
 * only the matching scheduler registers (inferencepool v1.5.0 renders `core-metrics-extractor`, which
 * scheduler v0.7.1 — built on GAIE v1.4.0, whose extractor is `model-server-protocol-metrics` — does
 * not know, so its EPP exits at startup). Sources:
 *  - v0.6.0 (2026-04-03): llm-d/llm-d#1064 "update versions for v0.6.0 release" (scheduler and
 *    routing sidecar tags in the guides' gaie-* and ms-* values), #1070 "Last version bump before
 *    cutting v0.6" (routing sidecar → v0.7.1), the v0.7.0 release tracker llm-d/llm-d#1209 (column
 *    "v0.6.0 Version": inference-scheduler v0.7.1, routing-sidecar v0.7.1), kserve/kserve#5595
 *    (llm-d-cuda v0.6.0 with scheduler/sidecar v0.7.1); the llm-d docs' inferencepool page installs
 *    `inferencepool --version v1.4.0`; llm-d-inference-scheduler@v0.7.1:go.mod requires GAIE v1.4.0.
 *  - v0.7.0 (2026-05-12): kserve/kserve#5595 (llm-d-cuda v0.7.0, scheduler and sidecar v0.8.0) with
 *    the inferencepool chart v1.5.0 (scheduler v0.8.0 builds on GAIE v1.5).
 */
export interface LlmDReleaseSet {
    /** inferencepool chart version (EPP Deployment + default plugins config). */
    inferencePoolChart: string;
    /** ghcr.io/llm-d/llm-d-inference-scheduler tag (the EPP). */
    scheduler: string;
    /** ghcr.io/llm-d/llm-d-routing-sidecar tag (P/D). */
    routingSidecar: string;
    /** ghcr.io/llm-d/llm-d-cuda tag (vLLM model server). */
    modelServer: string;
}

export const LLMD_RELEASES: Record<string, LlmDReleaseSet> = {
    "v0.6.0": { inferencePoolChart: "v1.4.0", scheduler: "v0.7.1", routingSidecar: "v0.7.1", modelServer: "v0.6.0" },
    "v0.7.0": { inferencePoolChart: "v1.5.0", scheduler: "v0.8.0", routingSidecar: "v0.8.0", modelServer: "v0.7.0" },
};

/**
 * The pinned llm-d release. v0.6.0 because its scheduler (v0.7.1) is the one the Go module proxy
 * serves, so its own flag validation and plugin loader can check what this project generates
 * (v0.8.0 is refused there). The llm-d-incubation charts are versioned apart from llm-d; the pins
 * differ from the v0.6.0 guides where ../shared/upstream has no defaults for the guides' version:
 */
export const LLMD_RELEASE = {
    release: "v0.6.0",
    /** Chart pins that differ from the release's guides, with the reason (checked by tests: nothing else may differ). */
    chartDeviations: {
        llmdModelservice:
            "the v0.6.0 guides pin llm-d-modelservice v0.4.7/v0.4.9 (llm-d/llm-d#1064, #1262); v0.4.12 is a later patch of the same 0.4 line and the one whose defaults ../shared carries",
        llmdInfra: "llm-d-infra renders only the Gateway here; v1.4.0 (gateway.provider) is the version whose defaults ../shared carries",
    },
} as const;

function tagOf(image: string): string {
    return image.slice(image.lastIndexOf(":") + 1);
}

/** The llm-d parts as pinned above. */
export function pinnedLlmdSet(): LlmDReleaseSet {
    return {
        inferencePoolChart: charts.inferencePool.version,
        scheduler: images.llmdInferenceScheduler.tag,
        routingSidecar: tagOf(images.llmdRoutingSidecar),
        modelServer: tagOf(images.llmdCuda),
    };
}

/** Which llm-d release ships exactly this set; otherwise the problem (names each part that does not match). Pure. */
export function llmdReleaseOf(set: LlmDReleaseSet): { release: string } | { problem: string } {
    for (const [release, parts] of Object.entries(LLMD_RELEASES)) {
        if ((Object.keys(parts) as (keyof LlmDReleaseSet)[]).every((k) => parts[k] === set[k])) return { release };
    }
    const got = (Object.keys(set) as (keyof LlmDReleaseSet)[]).map((k) => `${k} ${set[k]}`).join(", ");
    const allowed = Object.entries(LLMD_RELEASES)
        .map(([r, p]) => `llm-d ${r} (${(Object.keys(p) as (keyof LlmDReleaseSet)[]).map((k) => `${k} ${p[k]}`).join(", ")})`)
        .join("; ");
    return { problem: `no llm-d release ships ${got}; allowed: ${allowed}` };
}
