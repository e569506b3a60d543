/**
 * NvidiaGpuOperator: the NVIDIA GPU Operator (chart `gpu-operator`) in its own privileged
 * namespace. The chart creates the ClusterPolicy `cluster-policy` itself; this component only
 * configures it through values (a second ClusterPolicy would fight the first).
 *
 * NFD is off inside the chart: the platform installs one standalone NodeFeatureDiscovery.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { OperatorArgs, installOperator, Toleration, withTolerations } from "./common";

/** MIG strategy of the GPU operator (`mig.strategy`). */
export const MigStrategy = {
    /** MIG manager off. */
    None: "none",
    /** Every GPU of a node in the same MIG layout, advertised as `nvidia.com/gpu`. */
    Single: "single",
    /** MIG slices advertised as `nvidia.com/mig-<profile>`. */
    Mixed: "mixed",
} as const;
/** MIG strategy of the GPU operator (`mig.strategy`). */
export type MigStrategy = (typeof MigStrategy)[keyof typeof MigStrategy];

/** GPU sharing through the device plugin config. */
export const GpuSharingMode = {
    None: "none",
    TimeSlicing: "time-slicing",
    Mps: "mps",
} as const;
/** GPU sharing through the device plugin config. */
export type GpuSharingMode = (typeof GpuSharingMode)[keyof typeof GpuSharingMode];

/** GPU sharing through the device plugin config. */
export interface GpuSharing {
    /** Sharing mode. */
    mode: GpuSharingMode;
    /** Pods per physical GPU (time-slicing and MPS). Defaults to the chart's. */
    replicas?: number;
}

export interface NvidiaGpuOperatorArgs extends OperatorArgs {
    /** Operator-installed driver (true) or a driver already on the host (false). Defaults to true. */
    driver?: boolean;
    /** Driver version the operator installs (ignored with a host driver). Defaults to the chart's. */
    driverVersion?: string;
    /** Let the operator manage the NVIDIA container toolkit. Defaults to true. */
    toolkit?: boolean;
    /** MIG strategy: "none" (MIG manager off), "single" or "mixed" (`nvidia.com/mig-<profile>`). Defaults to "none". */
    mig?: MigStrategy;
    /** GPU sharing through the device plugin config. Defaults to `{ mode: "none" }`. */
    sharing?: GpuSharing;
    /** Container Device Interface. Defaults to true. */
    cdi?: boolean;
    /**
     * The device plugin advertises `nvidia.com/gpu`. Turn it off when the NVIDIA DRA driver manages
     * the GPUs (both would hand out the same devices). Defaults to true.
     */
    devicePlugin?: boolean;
    /**
     * Have the operator create a ServiceMonitor for the DCGM exporter. The operator creates it at
     * reconcile time (not the chart), and retries until the prometheus-operator CRDs exist, so no
     * ordering against the monitoring release is needed. Defaults to false.
     */
    serviceMonitor?: boolean;
    /** Extra tolerations for the operator's node DaemonSets (pool taints), added to the chart's own. Defaults to none. */
    tolerations?: Toleration[];
    /**
     * The release that owns CRDs this chart also ships in crds/ (the NVIDIA DRA driver: the two
     * ComputeDomain CRDs, whose gpu-operator copy is an older schema). The chart has no values
     * switch for them; installing after the owner makes Helm skip its copy (crds/ are only created
     * when missing). Defaults to none.
     */
    crdsOwnedBy?: k8s.helm.v3.Release;
}

/** Name of the device-plugin ConfigMap the chart creates for time-slicing / MPS. */
export const DEVICE_PLUGIN_CONFIG = "device-plugin-config";
/** The chart's default DaemonSet toleration (kept when tolerations are added). */
const CHART_DAEMONSET_TOLERATION: Toleration = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };

/** Host path of the driver root: the operator's driver container mounts it here; a host driver lives at "/". */
export function nvidiaDriverRoot(operatorInstallsDriver: boolean): string {
    return operatorInstallsDriver ? "/run/nvidia/driver" : "/";
}

/** Validate args; throws with the arg name and the fix. Pure. */
export function validateGpuOperatorArgs(args: NvidiaGpuOperatorArgs, parent?: pulumi.Resource): void {
    const mode = args.sharing?.mode ?? "none";
    if (mode !== "none" && args.devicePlugin === false) {
        throw new pulumi.ResourceError(`NvidiaGpuOperator: sharing.mode "${mode}" needs the device plugin; set devicePlugin true or sharing.mode "none" (DRA shares GPUs through shared ResourceClaims)`, parent);
    }
    if (mode !== "none" && (args.sharing?.replicas ?? 2) < 2) {
        throw new pulumi.ResourceError(`NvidiaGpuOperator: sharing.replicas must be ≥ 2 for ${mode}; got ${args.sharing?.replicas}`, parent);
    }
    if (mode === "mps" && (args.mig ?? "none") === "mixed") {
        throw new pulumi.ResourceError(`NvidiaGpuOperator: sharing.mode "mps" is not supported with mig "mixed"; use mig "single" or "none"`, parent);
    }
}

/** The device plugin config document for time-slicing / MPS (the plugin's `version: v1` format). */
export function devicePluginSharingConfig(mode: Exclude<GpuSharingMode, "none">, replicas: number, mig: MigStrategy): string {
    const key = mode === "time-slicing" ? "timeSlicing" : "mps";
    return [
        "version: v1",
        "flags:",
        `  migStrategy: ${mig}`,
        "sharing:",
        `  ${key}:`,
        "    resources:",
        "      - name: nvidia.com/gpu",
        `        replicas: ${replicas}`,
        "",
    ].join("\n");
}

/** Chart values for the args (before `values` overrides). Pure. */
export function gpuOperatorValues(args: NvidiaGpuOperatorArgs): Record<string, unknown> {
    const driver = args.driver ?? true;
    const mig = args.mig ?? "none";
    const sharing = args.sharing?.mode ?? "none";
    const devicePlugin: Record<string, unknown> = { enabled: args.devicePlugin ?? true };
    if (sharing !== "none") {
        devicePlugin["config"] = {
            create: true,
            name: DEVICE_PLUGIN_CONFIG,
            default: sharing,
            data: { [sharing]: devicePluginSharingConfig(sharing, args.sharing?.replicas ?? 2, mig) },
        };
    }
    const values: Record<string, unknown> = {
        // One NFD for the cluster: the standalone NodeFeatureDiscovery component.
        nfd: { enabled: false },
        driver: { enabled: driver, ...(driver && args.driverVersion ? { version: args.driverVersion } : {}) },
        toolkit: { enabled: args.toolkit ?? true },
        devicePlugin,
        // "none" has no chart value: keep the chart's strategy and switch the MIG manager off.
        mig: { strategy: mig === "none" ? "single" : mig },
        migManager: { enabled: mig !== "none" },
        cdi: { enabled: args.cdi ?? true },
        dcgmExporter: { enabled: true, serviceMonitor: { enabled: args.serviceMonitor ?? false } },
        // The chart creates the one ClusterPolicy; never a second.
        clusterPolicy: { deployCR: true },
    };
    if (args.tolerations && args.tolerations.length > 0) {
        values["daemonsets"] = { tolerations: withTolerations([CHART_DAEMONSET_TOLERATION], args.tolerations) };
    }
    return values;
}

export class NvidiaGpuOperator extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `nvidia.com` CRDs (ClusterPolicy, NVIDIADriver). */
    public readonly release: k8s.helm.v3.Release;
    /** Driver root on the host, for the DRA driver's `nvidiaDriverRoot`. */
    public readonly driverRoot: string;
    /** Extended resource pods request ("nvidia.com/gpu"; MIG mixed adds `nvidia.com/mig-<profile>`). */
    public readonly resourceName: string = "nvidia.com/gpu";

    constructor(name: string, args: NvidiaGpuOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("NvidiaGpuOperator"), name, args, componentOpts("platform", "NvidiaGpuOperator", opts));
        validateGpuOperatorArgs(args, this);
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "gpu-operator",
            defaultNamespace: "gpu-operator",
            podSecurity: "privileged",
            chartKey: "gpuOperator",
            releaseName: "gpu-operator",
            values: gpuOperatorValues(args),
            dependsOn: [args.crdsOwnedBy],
        }));
        this.driverRoot = nvidiaDriverRoot(args.driver ?? true);
        this.registerOutputs({ namespace: this.namespace, driverRoot: this.driverRoot });
    }
}
