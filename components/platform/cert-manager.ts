/**
 * CertManager: cert-manager (chart `cert-manager`) with its CRDs, kept on uninstall
 * (`crds.keep`): deleting the CRDs would garbage-collect every Certificate and Issuer in the
 * cluster, including other users'. Needed by KServe and the AMD GPU Operator.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease, deepMerge } from "../common/helm";
import { PACKAGE } from "../common/k8s";
import { OperatorArgs, operatorNamespace } from "./common";

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
        super(`${PACKAGE}:platform:CertManager`, name, {}, opts);
        const ns = operatorNamespace(this, name, "cert-manager", args, "cert-manager", "restricted");
        this.namespace = ns.name;
        this.release = chartRelease(
            name,
            {
                chartKey: "certManager",
                overrides: args.chartOverrides,
                releaseName: "cert-manager",
                namespace: this.namespace,
                values: deepMerge(certManagerValues(), args.values),
                skipAwait: args.skipAwait,
            },
            { parent: this },
        );
        this.registerOutputs({ namespace: this.namespace });
    }
}
