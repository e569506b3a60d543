/**
 * Platform layer: the workload namespace and its Secrets, then operators and cluster services
 * (filled in by the platform components). Exposes what the layers above need: which resource
 * installs each CRD API group (custom resources depend on it), and the workload namespace.
 */
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE } from "../../components/common/k8s";
import { WorkloadNamespace } from "../../components/platform/namespace";
import type { StackConfig } from "../config";

export interface PlatformLayerArgs {
    config: StackConfig;
}

export class PlatformLayer extends pulumi.ComponentResource {
    /** Namespace the model workloads run in. */
    public readonly namespace: pulumi.Output<string>;
    public readonly workloads: WorkloadNamespace;
    /**
     * API group → the resource that installs its CRDs in this stack (e.g. "monitoring.coreos.com" →
     * the kube-prometheus-stack release). Custom resources of that group depend on it.
     */
    public readonly crdInstallers: Partial<Record<string, pulumi.Resource>> = {};

    constructor(name: string, args: PlatformLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:stack:PlatformLayer`, name, {}, opts);
        const cfg = args.config;
        this.workloads = new WorkloadNamespace(
            "workloads",
            { name: cfg.cluster.namespace, hfToken: cfg.secrets.hfToken, ngcApiKey: cfg.secrets.ngcApiKey },
            { parent: this },
        );
        this.namespace = this.workloads.namespace;
        this.registerOutputs({ namespace: this.namespace });
    }

    /** True when this stack installs the CRDs of `group` (so its custom resources may be created). */
    public installs(group: string): boolean {
        return this.crdInstallers[group] !== undefined;
    }
}
