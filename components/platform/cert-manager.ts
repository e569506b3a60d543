/**
 * CertManager: cert-manager (chart `cert-manager`) with its CRDs, kept on uninstall
 * (`crds.keep`): deleting the CRDs would garbage-collect every Certificate and Issuer in the
 * cluster, including other users'. Needed by KServe and the AMD GPU Operator.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { OperatorArgs, installOperator } from "./common";

export type CertManagerArgs = OperatorArgs;

/** Chart values (before `values` overrides). Pure. */
export function certManagerValues(): Record<string, unknown> {
    return { crds: { enabled: true, keep: true } };
}

export class CertManager extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `cert-manager.io` CRDs. Components needing certificates depend on it. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("CertManager"), name, args, componentOpts("platform", "CertManager", opts));
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "cert-manager",
            defaultNamespace: "cert-manager",
            podSecurity: "restricted",
            chartKey: "certManager",
            releaseName: "cert-manager",
            values: certManagerValues(),
        }));
        this.registerOutputs({ namespace: this.namespace });
    }
}
