/**
 * KnativeServing: Knative Serving for KServe's Knative deployment mode (scale-to-zero). The Knative
 * operator chart (`knative-operator`) and one `KnativeServing` custom resource
 * (`operator.knative.dev/v1beta1`) with a networking layer: net-istio when the inference gateway is
 * Istio, Kourier otherwise.
 *
 * No upstream schema or chart defaults for Knative are in ../shared: the chart gets no values and
 * the KnativeServing shape is pinned in test/serving/knative.test.ts.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease } from "../common/helm";
import { PACKAGE, standardLabels } from "../common/k8s";
import { componentVersions } from "../versions";
import { installNamespace, ServingInstallArgs } from "./common";

export type KnativeNetworking = "istio" | "kourier";

export interface KnativeServingArgs extends ServingInstallArgs {
    /** Networking layer: "istio" (net-istio, needs Istio) or "kourier". Defaults to "kourier". */
    networking?: KnativeNetworking;
    /** Resources Knative must wait for (e.g. the Istio control plane for net-istio). Defaults to none. */
    dependsOn?: pulumi.Resource[];
}

export const KNATIVE_SERVING_NAMESPACE = "knative-serving";
export const KNATIVE_OPERATOR_NAMESPACE = "knative-operator";

/** The KnativeServing custom resource body. Pure; the tests pin its shape. */
export function knativeServingSpec(networking: KnativeNetworking): Record<string, unknown> {
    return {
        version: componentVersions.knativeServing,
        ingress: networking === "istio" ? { istio: { enabled: true } } : { kourier: { enabled: true } },
        config: {
            // Knative reads these ConfigMap keys as strings.
            autoscaler: { "enable-scale-to-zero": "true" },
            ...(networking === "kourier" ? { network: { "ingress-class": "kourier.ingress.networking.knative.dev" } } : {}),
        },
    };
}

export class KnativeServing extends pulumi.ComponentResource {
    /** The KnativeServing CR: KServe's controller must start after Knative Serving exists. */
    public readonly ready: pulumi.Resource;
    public readonly operator: k8s.helm.v3.Release;

    constructor(name: string, args: KnativeServingArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:serving:KnativeServing`, name, {}, opts);
        const networking = args.networking ?? "kourier";
        const opNs = installNamespace(this, `${name}-operator-ns`, KNATIVE_OPERATOR_NAMESPACE, "knative-operator");
        this.operator = chartRelease(
            `${name}-operator`,
            {
                chartKey: "knativeOperator",
                overrides: args.chartOverrides,
                releaseName: "knative-operator",
                namespace: opNs.metadata.name,
                values: args.values ?? {},
                skipAwait: args.skipAwait,
            },
            { parent: this, dependsOn: args.dependsOn ?? [] },
        );
        const servingNs = installNamespace(this, `${name}-serving-ns`, KNATIVE_SERVING_NAMESPACE, "knative-serving");
        const serving = new k8s.apiextensions.CustomResource(
            `${name}-serving`,
            {
                apiVersion: "operator.knative.dev/v1beta1",
                kind: "KnativeServing",
                metadata: { name: "knative-serving", namespace: servingNs.metadata.name, labels: standardLabels("knative-serving", name) },
                spec: knativeServingSpec(networking),
            },
            // The KnativeServing kind exists once the operator chart installed its CRDs.
            { parent: this, dependsOn: [this.operator] },
        );
        this.ready = serving;
        this.registerOutputs({});
    }
}
