/**
 * NvidiaNetworkOperator: the NVIDIA Network Operator (chart `network-operator`) plus the one
 * NicClusterPolicy it reconciles, `nic-cluster-policy`: the RDMA shared device plugin (the
 * extended resource engine pods request for their NICs), the secondary network (Multus + CNI
 * plugins) and nv-ipam; SR-IOV (network operator's SR-IOV sub-operator + device plugin) optional.
 *
 * The NIC driver (DOCA-OFED) is not deployed: nodes use their host/inbox driver.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { images } from "../versions";
import { OperatorArgs, installOperator, Toleration } from "./common";

export interface NvidiaNetworkOperatorArgs extends OperatorArgs {
    /**
     * Extended resource names the RDMA shared device plugin advertises, as pools write them
     * (`rdma/<name>`, e.g. "rdma/rdma_shared_device_a"). One plugin config entry each. Required (≥ 1).
     */
    rdmaResourceNames: string[];
    /** Host interface names the RDMA plugin selects; empty selects every Mellanox (vendor 15b3) NIC. Defaults to []. */
    ifNames?: string[];
    /** Pods sharing one RDMA device per plugin resource (`rdmaHcaMax`). Defaults to 63. */
    rdmaHcaMax?: number;
    /** Deploy the SR-IOV network operator and the SR-IOV device plugin. Defaults to false. */
    sriov?: boolean;
    /** Registry the NicClusterPolicy images come from (air-gapped mirrors). Defaults to images.networkOperatorComponents.repository. */
    imageRepository?: string;
    /** Tolerations for the policy's node DaemonSets (pool taints). Defaults to none. */
    tolerations?: Toleration[];
}

/** The only NicClusterPolicy name the operator reconciles. */
export const NIC_CLUSTER_POLICY = "nic-cluster-policy";
/** Resource prefix of the RDMA shared device plugin. */
export const RDMA_RESOURCE_PREFIX = "rdma";

/** "rdma/rdma_shared_device_a" → "rdma_shared_device_a"; throws for another prefix. Pure. */
export function rdmaPluginResourceName(resourceName: string, parent?: pulumi.Resource): string {
    const i = resourceName.indexOf("/");
    const prefix = i < 0 ? "" : resourceName.slice(0, i);
    const rest = i < 0 ? resourceName : resourceName.slice(i + 1);
    if (prefix !== RDMA_RESOURCE_PREFIX || rest.length === 0) {
        throw new pulumi.ResourceError(
            `NvidiaNetworkOperator: RDMA resource name "${resourceName}" must be "${RDMA_RESOURCE_PREFIX}/<name>" (the shared device plugin's resourcePrefix is "${RDMA_RESOURCE_PREFIX}"), e.g. "rdma/rdma_shared_device_a"`,
            parent,
        );
    }
    return rest;
}

/** The RDMA shared device plugin's JSON config. Pure. */
export function rdmaSharedDevicePluginConfig(resourceNames: string[], ifNames: string[], rdmaHcaMax: number): string {
    const unique = [...new Set(resourceNames.map((n) => rdmaPluginResourceName(n)))];
    return JSON.stringify(
        {
            configList: unique.map((resourceName) => ({
                resourceName,
                resourcePrefix: RDMA_RESOURCE_PREFIX,
                rdmaHcaMax,
                selectors: ifNames.length > 0 ? { ifNames } : { vendors: ["15b3"] },
            })),
        },
        null,
        2,
    );
}

/** The NicClusterPolicy spec. Pure. */
export function nicClusterPolicySpec(args: NvidiaNetworkOperatorArgs): Record<string, unknown> {
    const c = images.networkOperatorComponents;
    const image = (name: string) => ({ image: name, repository: args.imageRepository ?? c.repository, version: c.version });
    const spec: Record<string, unknown> = {
        rdmaSharedDevicePlugin: {
            ...image(c.rdmaSharedDevicePlugin),
            config: rdmaSharedDevicePluginConfig(args.rdmaResourceNames, args.ifNames ?? [], args.rdmaHcaMax ?? 63),
        },
        secondaryNetwork: {
            multus: image(c.multus),
            cniPlugins: image(c.cniPlugins),
        },
        nvIpam: { ...image(c.nvIpam), enableWebhook: false },
    };
    if (args.sriov) {
        spec["sriovDevicePlugin"] = {
            ...image(c.sriovDevicePlugin),
            // Resources are defined by SriovNetworkNodePolicy objects (SR-IOV operator); start with none.
            config: JSON.stringify({ resourceList: [] }),
        };
    }
    if (args.tolerations && args.tolerations.length > 0) spec["tolerations"] = args.tolerations;
    return spec;
}

/** Chart values (before `values` overrides). Pure. */
export function networkOperatorValues(args: NvidiaNetworkOperatorArgs): Record<string, unknown> {
    return {
        // One NFD for the cluster: the standalone NodeFeatureDiscovery component. The NIC labelling
        // rules still deploy (they are NodeFeatureRules the standalone NFD evaluates).
        nfd: { enabled: false, deployNodeFeatureRules: true },
        sriovNetworkOperator: { enabled: args.sriov ?? false },
    };
}

export class NvidiaNetworkOperator extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `mellanox.com` CRDs. */
    public readonly release: k8s.helm.v3.Release;
    /** Extended resource names pods request for RDMA, as given (e.g. "rdma/rdma_shared_device_a"). */
    public readonly rdmaResourceNames: string[];

    constructor(name: string, args: NvidiaNetworkOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("NvidiaNetworkOperator"), name, args, componentOpts("platform", "NvidiaNetworkOperator", opts));
        if (args.rdmaResourceNames.length === 0) {
            throw new pulumi.ResourceError("NvidiaNetworkOperator: rdmaResourceNames needs at least one name (a pool's rdma.resourceName)", this);
        }
        args.rdmaResourceNames.forEach((n) => rdmaPluginResourceName(n, this));
        if (args.rdmaHcaMax !== undefined && (!Number.isInteger(args.rdmaHcaMax) || args.rdmaHcaMax < 1)) {
            throw new pulumi.ResourceError(`NvidiaNetworkOperator: rdmaHcaMax must be a positive integer; got ${args.rdmaHcaMax}`, this);
        }
        this.rdmaResourceNames = [...new Set(args.rdmaResourceNames)];
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "network-operator",
            defaultNamespace: "nvidia-network-operator",
            podSecurity: "privileged",
            chartKey: "networkOperator",
            releaseName: "network-operator",
            values: networkOperatorValues(args),
        }));
        new k8s.apiextensions.CustomResource(
            `${name}-nic-cluster-policy`,
            {
                apiVersion: "mellanox.com/v1alpha1",
                kind: "NicClusterPolicy",
                metadata: { name: NIC_CLUSTER_POLICY, labels: standardLabels("network-operator", name) },
                spec: nicClusterPolicySpec(args),
            },
            // The release installs the NicClusterPolicy CRD.
            { parent: this, dependsOn: [this.release] },
        );
        this.registerOutputs({ namespace: this.namespace, rdmaResourceNames: this.rdmaResourceNames });
    }
}
