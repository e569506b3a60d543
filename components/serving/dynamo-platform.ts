/**
 * DynamoPlatform: the NVIDIA Dynamo platform, once per stack — the `dynamo-crds` chart (0.7.x keeps
 * the CRDs in their own chart) and the `dynamo-platform` chart (operator, etcd, NATS) in
 * `dynamo-system`.
 *
 * No upstream chart defaults for Dynamo are in ../shared: the charts get no values of their own
 * (only a stack's `platform.dynamo.values`), and tests pin that.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease } from "../common/helm";
import { componentOpts, componentType } from "../common/k8s";
import { installNamespace, ServingInstallArgs } from "./common";

export interface DynamoPlatformArgs extends ServingInstallArgs {
    /** Install namespace. Defaults to "dynamo-system". */
    namespace?: string;
}

export class DynamoPlatform extends pulumi.ComponentResource {
    /** The release installing the Dynamo CRDs (DynamoGraphDeployment, `nvidia.com`). */
    public readonly crds: k8s.helm.v3.Release;
    /** The platform release (operator + admission webhook): graph deployments wait for it. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: DynamoPlatformArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("DynamoPlatform"), name, args, componentOpts("serving", "DynamoPlatform", opts));
        const ns = installNamespace(this, `${name}-ns`, args.namespace ?? "dynamo-system", "dynamo");
        const common = { overrides: args.chartOverrides, namespace: ns.metadata.name, skipAwait: args.skipAwait };
        // Retained: deleting a CRD deletes every graph deployment of it.
        this.crds = chartRelease(`${name}-crds`, { ...common, chartKey: "dynamoCrds", releaseName: "dynamo-crds", values: {} }, { parent: this, retainOnDelete: true });
        this.release = chartRelease(
            name,
            { ...common, chartKey: "dynamoPlatform", releaseName: "dynamo-platform", values: args.values ?? {} },
            // The operator watches the Dynamo kinds from start-up.
            { parent: this, dependsOn: [this.crds] },
        );
        this.registerOutputs({});
    }
}
