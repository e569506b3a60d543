/**
 * NodeFeatureDiscovery: the one NFD in the cluster (chart `node-feature-discovery`). GPU and NIC
 * operators have their bundled NFD switched off and rely on this one; their NodeFeatureRules
 * (PCI vendor labels such as `feature.node.kubernetes.io/pci-10de.present`) are evaluated here.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { OperatorArgs, installOperator, Toleration } from "./common";

export interface NodeFeatureDiscoveryArgs extends OperatorArgs {
    /** Tolerations for the nfd-worker DaemonSet, so it labels tainted GPU pools. Defaults to none. */
    tolerations?: Toleration[];
}

/** Chart values (before `values` overrides). Pure. */
export function nfdValues(args: NodeFeatureDiscoveryArgs): Record<string, unknown> {
    return args.tolerations && args.tolerations.length > 0 ? { worker: { tolerations: args.tolerations } } : {};
}

export class NodeFeatureDiscovery extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `nfd.k8s-sigs.io` CRDs (NodeFeatureRule). */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: NodeFeatureDiscoveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("NodeFeatureDiscovery"), name, args, componentOpts("platform", "NodeFeatureDiscovery", opts));
// nfd-worker mounts host paths (/sys, /proc, /etc/os-release): privileged.
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "node-feature-discovery",
            defaultNamespace: "node-feature-discovery",
            podSecurity: "privileged",
            chartKey: "nodeFeatureDiscovery",
            releaseName: "node-feature-discovery",
            values: nfdValues(args),
        }));
        this.registerOutputs({ namespace: this.namespace });
    }
}
