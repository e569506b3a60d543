/**
 * Platform layer: the workload namespace and its Secrets, then operators and cluster services,
 * each switched on from the fleet and the models (and overridable with `platform.<x>.enabled`).
 * Exposes what the layers above need: which resource installs each CRD API group (custom
 * resources depend on it), the workload namespace, the inference Gateway and Prometheus.
 *
 * What turns on what is decided first, in the pure `platformDecisions(config)` (validation
 * included), then the components are created. Independent operators install in parallel; the
 * only dependsOn edges are real ones (cert-manager before the AMD operator, CRD installers before
 * the objects and controllers that use their kinds, monitoring CRDs before charts that render
 * ServiceMonitors).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE } from "../../../components/common/k8s";
import { ChartKey, charts, manifests } from "../../../components/versions";
import { chartSourceProblems } from "../../../components/common/helm";
import { nvlinkSpansNodes } from "../../../components/physical/fleet";
import { WorkloadNamespace } from "../../../components/platform/namespace";
import { Toleration, tolerationsFor } from "../../../components/platform/common";
import { NvidiaGpuOperator, nvidiaDriverRoot } from "../../../components/platform/gpu-operator";
import { NvidiaNetworkOperator } from "../../../components/platform/network-operator";
import { AmdGpuOperator } from "../../../components/platform/amd-gpu-operator";
import { IntelGaudiOperator } from "../../../components/platform/intel-gaudi-operator";
import { ComputeDomainSpec, NvidiaDraDriver } from "../../../components/platform/dra-driver";
import { NodeFeatureDiscovery } from "../../../components/platform/nfd";
import { CertManager } from "../../../components/platform/cert-manager";
import { Monitoring } from "../../../components/platform/monitoring";
import { Keda } from "../../../components/platform/keda";
import { LeaderWorkerSet } from "../../../components/platform/lws";
import { KubeRay } from "../../../components/platform/kuberay";
import { GatewayApiCrds, GATEWAY_API_GROUPS } from "../../../components/platform/gateway-api-crds";
import { InferenceExtensionCrds, INFERENCE_EXTENSION_GROUPS } from "../../../components/platform/inference-extension-crds";
import { GatewayProvider, GatewayProviderKind } from "../../../components/platform/gateway-provider";
import { InferenceGateway } from "../../../components/platform/inference-gateway";
import { ConfigError, path } from "../../config/load";
import type { ParsedStackConfig, PoolConfig, Vendor } from "../../config/schema";
import { placedModels, type PlacedModel } from "../placement";

export interface PlatformLayerArgs {
    config: ParsedStackConfig & { secrets?: { hfToken?: pulumi.Output<string>; ngcApiKey?: pulumi.Output<string> } };
    /** Decisions when the caller already made them (stacks/config/validate.ts). Defaults to `platformDecisions(config)`. */
    decisions?: PlatformDecisions;
}

/** Why a component is on or off: what the layer builds, decided before anything is registered. */
export interface PlatformDecisions {
    vendors: Vendor[];
    gpuOperator: boolean;
    /** GPU operator's device plugin (off when the DRA driver manages NVIDIA GPUs). */
    gpuDevicePlugin: boolean;
    networkOperator: boolean;
    /** Pools' RDMA resource names (e.g. "rdma/rdma_shared_device_a"), deduplicated. */
    rdmaResourceNames: string[];
    amdGpuOperator: boolean;
    /** AMD GPUs managed by AMD's DRA driver (a model on an AMD pool has `dra: true`). */
    amdDra: boolean;
    intelGaudiOperator: boolean;
    nvidiaDra: boolean;
    /** The NVIDIA DRA driver publishes GPUs (not only ComputeDomains). */
    draGpus: boolean;
    /** ComputeDomains, one per multi-node NVLink pool (empty when compute domains are off). */
    computeDomains: { pool: string; name: string }[];
    nfd: boolean;
    certManager: boolean;
    monitoring: boolean;
    keda: boolean;
    lws: boolean;
    kuberay: boolean;
    gateway: boolean;
    /**
     * The platform's `inference-gateway` Gateway (KServe ingress, LLMInferenceService routes). Not
     * when llm-d is the only user: llm-d-infra renders its own Gateway, and two would be confusing.
     */
    inferenceGateway: boolean;
    gatewayProvider: GatewayProviderKind;
    retainOnDelete: boolean;
}

const KSERVE_MODES = new Set(["kserve", "llmisvc"]);
const GATEWAY_MODES = new Set(["llmd", "llmisvc", "kserve"]);

/** ComputeDomain name for a pool (short enough for the driver's derived object names). */
export function computeDomainName(pool: string): string {
    return `${pool}-imex`;
}

function minor(version: string): number {
    return Number(version.split(".")[1] ?? "0");
}

/**
 * Decide which platform components this stack installs, and validate combinations. Pure; throws
 * ConfigError naming the config path, the value and what is allowed.
 */
export function platformDecisions(cfg: ParsedStackConfig, placed: readonly PlacedModel[] = placedModels(cfg)): PlatformDecisions {
    const p = cfg.platform;
    const problems: string[] = [];
    const pools = cfg.fleet.pools;
    const vendors = [...new Set(pools.map((x) => x.accelerator.vendor))];
    const has = (v: Vendor) => vendors.includes(v);

    // Air-gapped overrides must name real entries: a typo would silently fetch from the internet.
    for (const [key, override] of Object.entries(p.sources.charts)) {
        if (!(key in charts)) problems.push(`${path(["platform", "sources", "charts", key])}: unknown chart key; allowed: ${Object.keys(charts).join(", ")}`);
        // A local chart must exist and be the pinned chart at the version in use (read from its Chart.yaml).
        else problems.push(...chartSourceProblems(key as ChartKey, override, path(["platform", "sources", "charts", key, "chart"])));
    }
    for (const key of Object.keys(p.sources.manifests)) {
        if (!(key in manifests)) problems.push(`${path(["platform", "sources", "manifests", key])}: unknown manifest key; allowed: ${Object.keys(manifests).join(", ")}`);
    }

    const modelPools = placed.map((m) => m.pool);
    const multiNode = placed.map((m) => m.placement.nodesPerReplica > 1);

    const gpuOperator = p.gpuOperator.enabled ?? has("nvidia");
    const amdGpuOperator = p.amdGpuOperator.enabled ?? has("amd");
    const intelGaudiOperator = p.intelGaudiOperator.enabled ?? has("intel");

    const rdmaPools = pools.filter((x) => x.rdma !== undefined);
    const networkOperator = p.networkOperator.enabled ?? rdmaPools.length > 0;
    const rdmaResourceNames = [...new Set(rdmaPools.map((x) => x.rdma!.resourceName))];
    if (networkOperator && rdmaResourceNames.length === 0) {
        problems.push(`${path(["platform", "networkOperator", "enabled"])}: got true, but no pool sets rdma.resourceName; add fleet.pools[].rdma (e.g. {nicsPerNode: 8, resourceName: "rdma/rdma_shared_device_a"}) or leave networkOperator.enabled unset`);
    }

    // DRA: NVIDIA GPUs and/or ComputeDomains (multi-node NVLink pools); AMD through its DeviceConfig.
    const draModels = cfg.models.map((m, i) => ({ m, i, pool: modelPools[i] })).filter((x) => x.m.dra);
    draModels
        .filter((x) => x.pool.accelerator.vendor === "intel")
        .forEach((x) => problems.push(`${path(["models", x.i, "dra"])}: got true on Intel pool "${x.pool.name}"; DRA is supported here for nvidia and amd pools; set dra: false`));
    const nvl72Pools = pools.filter((x) => x.accelerator.vendor === "nvidia" && nvlinkSpansNodes(x));
    const nvidiaDraModels = draModels.filter((x) => x.pool.accelerator.vendor === "nvidia");
    const draGpus = p.dra.enabled === true || nvidiaDraModels.length > 0;
    const wantComputeDomains = p.dra.computeDomains ?? nvl72Pools.length > 0;
    const nvidiaDra = p.dra.enabled ?? (nvidiaDraModels.length > 0 || nvl72Pools.length > 0);
    if (p.dra.enabled === false && draModels.length > 0) {
        problems.push(`${path(["models", draModels[0].i, "dra"])}: got true, but platform.dra.enabled is false; enable DRA or set the model's dra: false`);
    }
    if (p.dra.computeDomains === true && !nvidiaDra) {
        problems.push(`${path(["platform", "dra", "computeDomains"])}: got true, but the NVIDIA DRA driver is off (platform.dra.enabled: false); enable it or drop computeDomains`);
    }
    if (p.dra.computeDomains === true && nvl72Pools.length === 0) {
        problems.push(`${path(["platform", "dra", "computeDomains"])}: got true, but no NVIDIA pool has an NVLink domain spanning nodes (fleet.pools[].nvlinkDomain > accelerator.perNode)`);
    }
    if ((nvidiaDra && draGpus) || draModels.length > 0) {
        if (minor(cfg.cluster.kubernetesVersion) < 34) {
            problems.push(`${path(["cluster", "kubernetesVersion"])}: got "${cfg.cluster.kubernetesVersion}"; DRA GPU claims use resource.k8s.io/v1, which needs Kubernetes 1.34 or newer`);
        }
    }
    const computeDomains = nvidiaDra && wantComputeDomains ? nvl72Pools.map((x) => ({ pool: x.name, name: computeDomainName(x.name) })) : [];
    const gpuDevicePlugin = !(nvidiaDra && draGpus);
    if (!gpuDevicePlugin) {
        // The DRA driver and the device plugin cannot both hand out the same GPUs.
        cfg.models.forEach((m, i) => {
            if (!m.dra && modelPools[i].accelerator.vendor === "nvidia") {
                problems.push(`${path(["models", i, "dra"])}: must be true: the NVIDIA DRA driver manages GPUs in this stack, so the GPU operator's device plugin (nvidia.com/gpu) is off; set dra: true, or platform.dra.enabled: false with no NVIDIA model using dra`);
            }
        });
        if (p.gpuOperator.sharing.mode !== "none") {
            problems.push(`${path(["platform", "gpuOperator", "sharing", "mode"])}: got "${p.gpuOperator.sharing.mode}"; time-slicing/MPS configure the device plugin, which is off when DRA manages the GPUs (share GPUs with shared ResourceClaims instead); allowed: "none"`);
        }
    }
    const amdDra = amdGpuOperator && draModels.some((x) => x.pool.accelerator.vendor === "amd");
    if (draModels.some((x) => x.pool.accelerator.vendor === "amd") && !amdGpuOperator) {
        problems.push(`${path(["platform", "amdGpuOperator", "enabled"])}: got false, but a model on an AMD pool uses dra (AMD's DRA driver comes with the operator); enable the operator`);
    }

    const kserve = p.kserve.enabled ?? cfg.models.some((m) => KSERVE_MODES.has(m.serving));
    const certManager = p.certManager.enabled ?? (kserve || amdGpuOperator);
    if (p.certManager.enabled === false && amdGpuOperator) {
        problems.push(`${path(["platform", "certManager", "enabled"])}: got false, but the AMD GPU operator needs cert-manager (its webhooks); enable cert-manager or disable platform.amdGpuOperator`);
    }
    // KEDA scales engine workloads and Standard-mode InferenceServices; Knative scales its own
    // revisions and Ray Serve its replicas, so those alone do not need it.
    const keda =
        p.keda.enabled ??
        cfg.models.some((m) => m.autoscaling !== undefined && (m.serving === "engine" || (m.serving === "kserve" && p.kserve.mode === "Standard")));
    const lws =
        p.lws.enabled ??
        cfg.models.some((m, i) => multiNode[i] && m.serving !== "rayserve" && (m.multiNode === "lws" || m.serving === "llmisvc" || m.serving === "llmd"));
    // Only Ray Serve uses the operator (RayService); multi-node `multiNode: ray` engines are plain
    // StatefulSets running their own Ray cluster, as in the upstream vLLM guide.
    const kuberay = p.kuberay.enabled ?? cfg.models.some((m) => m.serving === "rayserve");
    const gateway = p.gateway.enabled ?? cfg.models.some((m) => GATEWAY_MODES.has(m.serving));
    const monitoring = p.monitoring.enabled ?? true;
    const nfd = p.nfd.enabled ?? (gpuOperator || networkOperator || amdGpuOperator || intelGaudiOperator);

    if (problems.length > 0) throw new ConfigError(problems);
    return {
        vendors,
        gpuOperator,
        gpuDevicePlugin,
        networkOperator,
        rdmaResourceNames,
        amdGpuOperator,
        amdDra,
        intelGaudiOperator,
        nvidiaDra,
        draGpus,
        computeDomains,
        nfd,
        certManager,
        monitoring,
        keda,
        lws,
        kuberay,
        gateway,
        inferenceGateway:
            gateway && (cfg.models.some((m) => m.serving === "kserve" || m.serving === "llmisvc") || !cfg.models.some((m) => m.serving === "llmd")),
        gatewayProvider: p.gateway.provider,
        retainOnDelete: p.retainOnDelete,
    };
}

function taintsOf(pools: readonly PoolConfig[], pick: (p: PoolConfig) => boolean): Toleration[] {
    return tolerationsFor(pools.filter(pick).flatMap((p) => p.taints));
}

/** What installs an API group's CRDs: a Helm release (operators, CRD charts) or a manifest file (Gateway API, GAIE). */
export type CrdInstaller = k8s.helm.v3.Release | k8s.yaml.v2.ConfigFile;
/** API group → the resource that installs its CRDs in this stack. */
export type CrdInstallers = Partial<Record<string, CrdInstaller>>;

function installerOf<T extends CrdInstaller>(crds: CrdInstallers, group: string, kind: abstract new (...a: never[]) => T, what: string): T | undefined {
    const r = crds[group];
    if (r === undefined || r instanceof kind) return r as T | undefined;
    // A wiring bug in this repository, not a config error: the group's installer is of the other kind.
    throw new Error(`the CRDs of ${group} are installed by a ${r.constructor.name}, not a ${what}`);
}

/** The Helm release that installs `group`'s CRDs, if this stack installs them (what component args typed `k8s.helm.v3.Release` take). */
export function releaseFor(crds: CrdInstallers, group: string): k8s.helm.v3.Release | undefined {
    return installerOf(crds, group, k8s.helm.v3.Release, "Helm release");
}

/** The manifest file that installs `group`'s CRDs, if this stack installs them (what component args typed `k8s.yaml.v2.ConfigFile` take). */
export function manifestsFor(crds: CrdInstallers, group: string): k8s.yaml.v2.ConfigFile | undefined {
    return installerOf(crds, group, k8s.yaml.v2.ConfigFile, "manifest file");
}

export class PlatformLayer extends pulumi.ComponentResource {
    /** Namespace the model workloads run in. */
    public readonly namespace: pulumi.Output<string>;
    public readonly workloads: WorkloadNamespace;
    /**
     * API group → the resource that installs its CRDs in this stack (e.g. "monitoring.coreos.com" →
     * the kube-prometheus-stack release). Custom resources of that group depend on it.
     */
    public readonly crdInstallers: CrdInstallers = {};
    /** What this stack installs, and why (see platformDecisions). */
    public readonly decisions: PlatformDecisions;
    /** The inference Gateway, when a gateway provider is installed. */
    public readonly gateway?: { name: pulumi.Output<string>; namespace: pulumi.Output<string>; className: string };
    /** In-cluster Prometheus base URL (KEDA Prometheus triggers), when monitoring is on. */
    public readonly prometheusUrl?: string;
    /** cert-manager's release, for serving-layer installs that need certificates (KServe). */
    public readonly certManager?: k8s.helm.v3.Release;
    /** The NVIDIA DRA driver release (DeviceClasses `gpu.nvidia.com`…); GpuClaims depend on it. */
    public readonly draDriver?: k8s.helm.v3.Release;
    /** Pool name → channel ResourceClaimTemplate of its ComputeDomain (multi-node NVLink pools). */
    public readonly computeDomainChannels: Record<string, string> = {};
    /** RDMA extended resources the Network Operator advertises (what engine pods request). */
    public readonly rdmaResourceNames: string[] = [];

    public readonly components: {
        gpuOperator?: NvidiaGpuOperator;
        networkOperator?: NvidiaNetworkOperator;
        amdGpuOperator?: AmdGpuOperator;
        intelGaudiOperator?: IntelGaudiOperator;
        draDriver?: NvidiaDraDriver;
        nfd?: NodeFeatureDiscovery;
        certManager?: CertManager;
        monitoring?: Monitoring;
        keda?: Keda;
        lws?: LeaderWorkerSet;
        kuberay?: KubeRay;
        gatewayApiCrds?: GatewayApiCrds;
        inferenceExtensionCrds?: InferenceExtensionCrds;
        gatewayProvider?: GatewayProvider;
        inferenceGateway?: InferenceGateway;
    } = {};

    constructor(name: string, args: PlatformLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:stack:PlatformLayer`, name, {}, opts);
        const cfg = args.config;
        const p = cfg.platform;
        // Validate first: a bad combination registers nothing below.
        const d = args.decisions ?? platformDecisions(cfg);
        this.decisions = d;
        const pools = cfg.fleet.pools;
        const child = { parent: this };
        const common = {
            chartOverrides: p.sources.charts,
            retainOnDelete: d.retainOnDelete,
            skipAwait: cfg.cluster.skipAwait,
        };
        const c = this.components;

        this.workloads = new WorkloadNamespace(
            "workloads",
            { name: cfg.cluster.namespace, hfToken: cfg.secrets?.hfToken, ngcApiKey: cfg.secrets?.ngcApiKey, skipAwait: cfg.cluster.skipAwait },
            child,
        );
        this.namespace = this.workloads.namespace;

        // ── cluster services with no prerequisites ────────────────────────────────────
        if (d.monitoring) {
            c.monitoring = new Monitoring("monitoring", { ...common, values: p.monitoring.values }, child);
            this.crdInstallers["monitoring.coreos.com"] = c.monitoring.release;
            this.prometheusUrl = c.monitoring.prometheusUrl;
        }
        const monitoringCrds = c.monitoring?.release;
        if (d.certManager) {
            c.certManager = new CertManager("cert-manager", { ...common, values: p.certManager.values }, child);
            this.crdInstallers["cert-manager.io"] = c.certManager.release;
            this.certManager = c.certManager.release;
        }
        if (d.nfd) {
            c.nfd = new NodeFeatureDiscovery("nfd", { ...common, values: p.nfd.values, tolerations: taintsOf(pools, () => true) }, child);
        }

        // ── accelerator and NIC operators (in parallel) ──────────────────────────────────
        // The DRA driver first: its chart owns the ComputeDomain CRDs, which the GPU Operator chart
        // also ships (an older schema) in crds/; installed after, the GPU Operator's copy is skipped.
        if (d.nvidiaDra) {
            const domains: ComputeDomainSpec[] = d.computeDomains.map((x) => ({ name: x.name }));
            c.draDriver = new NvidiaDraDriver(
                "dra-driver",
                {
                    ...common,
                    values: p.dra.values,
                    // Where the driver lives on the host depends on who installed it.
                    driverRoot: nvidiaDriverRoot(d.gpuOperator ? p.gpuOperator.driver : false),
                    gpus: d.draGpus,
                    computeDomainsEnabled: d.computeDomains.length > 0,
                    computeDomains: domains,
                    workloadNamespace: this.namespace,
                    tolerations: taintsOf(pools, (x) => x.accelerator.vendor === "nvidia"),
                },
                child,
            );
            this.crdInstallers["resource.nvidia.com"] = c.draDriver.release;
            this.draDriver = c.draDriver.release;
            d.computeDomains.forEach((x) => {
                this.computeDomainChannels[x.pool] = c.draDriver!.computeDomainChannels[x.name];
            });
        }
        if (d.gpuOperator) {
            const g = p.gpuOperator;
            c.gpuOperator = new NvidiaGpuOperator(
                "gpu-operator",
                {
                    ...common,
                    values: g.values,
                    driver: g.driver,
                    driverVersion: g.driverVersion,
                    toolkit: g.toolkit,
                    mig: g.mig,
                    sharing: g.sharing,
                    cdi: g.cdi,
                    devicePlugin: d.gpuDevicePlugin,
                    serviceMonitor: d.monitoring,
                    tolerations: taintsOf(pools, (x) => x.accelerator.vendor === "nvidia"),
                    crdsOwnedBy: c.draDriver?.release,
                },
                child,
            );
            this.crdInstallers["nvidia.com"] = c.gpuOperator.release;
        }
        if (d.networkOperator) {
            const n = p.networkOperator;
            c.networkOperator = new NvidiaNetworkOperator(
                "network-operator",
                {
                    ...common,
                    values: n.values,
                    rdmaResourceNames: d.rdmaResourceNames,
                    ifNames: n.ifNames,
                    sriov: n.sriov,
                    imageRepository: n.imageRepository,
                    tolerations: taintsOf(pools, (x) => x.rdma !== undefined),
                },
                child,
            );
            this.crdInstallers["mellanox.com"] = c.networkOperator.release;
            this.rdmaResourceNames.push(...c.networkOperator.rdmaResourceNames);
        }
        if (d.amdGpuOperator) {
            c.amdGpuOperator = new AmdGpuOperator(
                "amd-gpu-operator",
                {
                    ...common,
                    values: p.amdGpuOperator.values,
                    // platformDecisions guarantees cert-manager is on with the AMD operator.
                    certManager: c.certManager!.release,
                    dra: d.amdDra,
                    metricsExporter: true,
                    tolerations: taintsOf(pools, (x) => x.accelerator.vendor === "amd"),
                },
                child,
            );
            this.crdInstallers["amd.com"] = c.amdGpuOperator.release;
        }
        if (d.intelGaudiOperator) {
            c.intelGaudiOperator = new IntelGaudiOperator("intel-gaudi-operator", { ...common, values: p.intelGaudiOperator.values }, child);
            this.crdInstallers["habanalabs.habana.ai"] = c.intelGaudiOperator.release;
        }
        // ── workload operators ────────────────────────────────────────────────────────────
        if (d.keda) {
            c.keda = new Keda("keda", { ...common, values: p.keda.values, monitoringCrds }, child);
            this.crdInstallers["keda.sh"] = c.keda.release;
        }
        if (d.lws) {
            c.lws = new LeaderWorkerSet("lws", { ...common, values: p.lws.values, monitoringCrds }, child);
            this.crdInstallers["leaderworkerset.x-k8s.io"] = c.lws.release;
        }
        if (d.kuberay) {
            c.kuberay = new KubeRay("kuberay", { ...common, values: p.kuberay.values, monitoringCrds }, child);
            this.crdInstallers["ray.io"] = c.kuberay.release;
        }

        // ── Gateway API, GAIE, gateway provider and the inference Gateway ─────────────────
        if (d.gateway) {
            const manifestOverrides = p.sources.manifests;
            c.gatewayApiCrds = new GatewayApiCrds("gateway-api", { manifestOverrides, retainOnDelete: d.retainOnDelete }, child);
            c.inferenceExtensionCrds = new InferenceExtensionCrds("gateway-api-inference-extension", { manifestOverrides, retainOnDelete: d.retainOnDelete }, child);
            for (const g of GATEWAY_API_GROUPS) this.crdInstallers[g] = c.gatewayApiCrds.crds;
            for (const g of INFERENCE_EXTENSION_GROUPS) this.crdInstallers[g] = c.inferenceExtensionCrds.crds;
            c.gatewayProvider = new GatewayProvider(
                "gateway-provider",
                {
                    ...common,
                    values: p.gateway.values,
                    provider: d.gatewayProvider,
                    gatewayApiCrds: c.gatewayApiCrds.crds,
                    inferenceExtensionCrds: c.inferenceExtensionCrds.crds,
                },
                child,
            );
            if (d.gatewayProvider === "istio") {
                // istio base installs the Istio CRDs (DestinationRule for EPP TLS, …).
                this.crdInstallers["networking.istio.io"] = c.gatewayProvider.crdsRelease;
            }
            if (d.inferenceGateway) {
                c.inferenceGateway = new InferenceGateway(
                    "inference-gateway",
                    {
                        namespace: this.namespace,
                        className: c.gatewayProvider.className,
                        gatewayApiCrds: c.gatewayApiCrds.crds,
                        controlPlane: c.gatewayProvider.controlPlane,
                    },
                    child,
                );
                this.gateway = { name: c.inferenceGateway.name, namespace: c.inferenceGateway.namespace, className: c.inferenceGateway.className };
            }
        }

        this.registerOutputs({ namespace: this.namespace, prometheusUrl: this.prometheusUrl });
    }

    /** True when this stack installs the CRDs of `group` (so its custom resources may be created). */
    public installs(group: string): boolean {
        return this.crdInstallers[group] !== undefined;
    }
}
