/**
 * NimOperator: the NVIDIA NIM Operator (`k8s-nim-operator` chart, namespace `nim-operator`), once
 * per stack. It installs the `apps.nvidia.com` CRDs (NIMCache, NIMService) and reconciles them.
 * The operator image is pinned (the chart's default tag is the moving `release-3.0`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease, deepMerge } from "../common/helm";
import { componentOpts, componentType } from "../common/k8s";
import { images } from "../versions";
import { installNamespace, ServingInstallArgs } from "./common";

export interface NimOperatorArgs extends ServingInstallArgs {
    /** Install namespace. Defaults to "nim-operator". */
    namespace?: string;
}

/** k8s-nim-operator values. Every key exists in upstream values-3.1.2.yaml (checked by tests). Pure. */
export function nimOperatorValues(): Record<string, unknown> {
    return { operator: { image: { repository: images.nimOperator.repository, tag: images.nimOperator.tag } } };
}

export class NimOperator extends pulumi.ComponentResource {
    /** The release installing the apps.nvidia.com CRDs; NIMCache/NIMService depend on it. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: NimOperatorArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("NimOperator"), name, args, componentOpts("serving", "NimOperator", opts));
        const ns = installNamespace(this, `${name}-ns`, args.namespace ?? "nim-operator", "nim-operator");
        this.release = chartRelease(
            name,
            {
                chartKey: "nimOperator",
                overrides: args.chartOverrides,
                releaseName: "nim-operator",
                namespace: ns.metadata.name,
                values: deepMerge(nimOperatorValues(), args.values),
                skipAwait: args.skipAwait,
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
