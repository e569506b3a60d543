/**
 * NvidiaDraDriver: the NVIDIA DRA driver for GPUs (chart `dra-driver-nvidia-gpu`). It publishes
 * GPUs as DRA devices (DeviceClass `gpu.nvidia.com`, `mig.nvidia.com`) and, for multi-node NVLink
 * (rack-scale, e.g. GB200 NVL72) pools, ComputeDomains (`resource.nvidia.com/v1beta1`): one per
 * such pool, created here in the workload namespace. Its channel ResourceClaimTemplate is what
 * multi-node workloads on that pool add to their pods.
 *
 * With the GPU Operator on the same nodes, turn its device plugin off (`devicePlugin: false`) and
 * pass its driver root (`/run/nvidia/driver` for an operator-installed driver, `/` for a host one).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { OperatorArgs, installOperator, Toleration, withTolerations } from "./common";

/** A multi-node NVLink domain to create a ComputeDomain for. */
export interface ComputeDomainSpec {
    /** ComputeDomain name (DNS-1123); the channel template is `<name>-channel`. */
    name: string;
    /**
     * Nodes the domain waits for before its workloads start. 0 lets IMEX daemons join as pods
     * arrive (the driver's recommended setting). Defaults to 0.
     */
    numNodes?: number;
}

export interface NvidiaDraDriverArgs extends OperatorArgs {
    /** Host path of the NVIDIA driver root: "/run/nvidia/driver" with the GPU Operator's driver, "/" for a host driver. Defaults to "/". */
    driverRoot?: string;
    /** Publish GPUs as DRA devices (`gpu.nvidia.com`). Defaults to true. */
    gpus?: boolean;
    /** Run the ComputeDomain controller and kubelet plugin (multi-node NVLink). Defaults to true when `computeDomains` is non-empty, else false. */
    computeDomainsEnabled?: boolean;
    /** ComputeDomains to create (one per multi-node NVLink pool). Defaults to none. */
    computeDomains?: ComputeDomainSpec[];
    /** Namespace for the ComputeDomains (the workloads' namespace). Required when `computeDomains` is non-empty. */
    workloadNamespace?: pulumi.Input<string>;
    /** Extra tolerations for the kubelet plugin (pool taints), added to the chart's own. Defaults to none. */
    tolerations?: Toleration[];
}

/** The chart's default kubelet-plugin toleration (kept when tolerations are added). */
const CHART_PLUGIN_TOLERATION: Toleration = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };

/** Validate args; throws naming the arg and the fix. Pure. */
export function validateDraDriverArgs(args: NvidiaDraDriverArgs, parent?: pulumi.Resource): void {
    const domains = args.computeDomains ?? [];
    if (domains.length > 0 && args.computeDomainsEnabled === false) {
        throw new pulumi.ResourceError("NvidiaDraDriver: computeDomains given but computeDomainsEnabled is false; enable it or drop the domains", parent);
    }
    if (domains.length > 0 && args.workloadNamespace === undefined) {
        throw new pulumi.ResourceError("NvidiaDraDriver: workloadNamespace is required with computeDomains (ComputeDomains are namespaced, next to the workloads)", parent);
    }
    if ((args.gpus ?? true) === false && !(args.computeDomainsEnabled ?? domains.length > 0)) {
        throw new pulumi.ResourceError("NvidiaDraDriver: gpus and compute domains are both off; enable at least one", parent);
    }
    const names = domains.map((d) => d.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new pulumi.ResourceError(`NvidiaDraDriver: ComputeDomain name "${dup}" is used twice`, parent);
    for (const d of domains) {
        if (d.numNodes !== undefined && (!Number.isInteger(d.numNodes) || d.numNodes < 0)) {
            throw new pulumi.ResourceError(`NvidiaDraDriver: computeDomains["${d.name}"].numNodes must be an integer ≥ 0; got ${d.numNodes}`, parent);
        }
    }
}

/** Chart values (before `values` overrides). Pure. */
export function draDriverValues(args: NvidiaDraDriverArgs): Record<string, unknown> {
    const gpus = args.gpus ?? true;
    const values: Record<string, unknown> = {
        nvidiaDriverRoot: args.driverRoot ?? "/",
        // The chart refuses `resources.gpus.enabled` without this acknowledgement.
        gpuResourcesEnabledOverride: gpus,
        resources: {
            gpus: { enabled: gpus },
            computeDomains: { enabled: args.computeDomainsEnabled ?? (args.computeDomains ?? []).length > 0 },
        },
    };
    if (args.tolerations && args.tolerations.length > 0) {
        values["kubeletPlugin"] = { tolerations: withTolerations([CHART_PLUGIN_TOLERATION], args.tolerations) };
    }
    return values;
}

/** The ComputeDomain object for a domain. Pure. */
export function computeDomainSpec(d: ComputeDomainSpec): Record<string, unknown> {
    return {
        numNodes: d.numNodes ?? 0,
        channel: { resourceClaimTemplate: { name: `${d.name}-channel` } },
    };
}

export class NvidiaDraDriver extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `resource.nvidia.com` CRDs and the DeviceClasses. */
    public readonly release: k8s.helm.v3.Release;
    /** ComputeDomain name → its channel ResourceClaimTemplate name (what multi-node pods claim). */
    public readonly computeDomainChannels: { [domain: string]: string } = {};

    constructor(name: string, args: NvidiaDraDriverArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("NvidiaDraDriver"), name, args, componentOpts("platform", "NvidiaDraDriver", opts));
        validateDraDriverArgs(args, this);
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "dra-driver-nvidia-gpu",
            defaultNamespace: "dra-driver-nvidia-gpu",
            podSecurity: "privileged",
            chartKey: "draDriverNvidia",
            releaseName: "dra-driver-nvidia-gpu",
            values: draDriverValues(args),
        }));
        for (const d of args.computeDomains ?? []) {
            new k8s.apiextensions.CustomResource(
                `${name}-${d.name}`,
                {
                    apiVersion: "resource.nvidia.com/v1beta1",
                    kind: "ComputeDomain",
                    metadata: { name: d.name, namespace: args.workloadNamespace, labels: standardLabels("compute-domain", d.name) },
                    spec: computeDomainSpec(d),
                },
                // The release installs the ComputeDomain CRD and the controller that creates the channel template.
                { parent: this, dependsOn: [this.release] },
            );
            this.computeDomainChannels[d.name] = `${d.name}-channel`;
        }
        this.registerOutputs({ namespace: this.namespace, computeDomainChannels: this.computeDomainChannels });
    }
}
