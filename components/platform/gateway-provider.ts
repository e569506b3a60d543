/**
 * GatewayProvider: the Gateway API implementation the inference Gateway runs on, with Gateway API
 * Inference Extension support switched on:
 *  - istio: charts `base` then `istiod` (`pilot.env.ENABLE_GATEWAY_API_INFERENCE_EXTENSION`),
 *    GatewayClass `istio`;
 *  - kgateway: charts `kgateway-crds` then `kgateway` (`inferenceExtension.enabled`), class `kgateway`;
 *  - agentgateway: charts `agentgateway-crds` then `agentgateway` (`inferenceExtension.enabled`),
 *    class `agentgateway`.
 * None of these installs the Gateway API or GAIE CRDs: the control plane depends on
 * GatewayApiCrds and InferenceExtensionCrds (it watches those kinds from startup).
 *
 * No upstream chart defaults for Istio, kgateway or agentgateway are in ../shared/upstream (its
 * README lists them as missing): the few values set here are the ones their install guides
 * document, and test/platform pins them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartKey } from "../versions";
import { chartRelease, deepMerge } from "../common/helm";
import { componentOpts, componentType } from "../common/k8s";
import { OperatorArgs, operatorNamespace } from "./common";

/** The Gateway API implementation. */
export const GatewayProviderKind = {
    Istio: "istio",
    Kgateway: "kgateway",
    Agentgateway: "agentgateway",
} as const;
/** The Gateway API implementation. */
export type GatewayProviderKind = (typeof GatewayProviderKind)[keyof typeof GatewayProviderKind];

export interface GatewayProviderArgs extends OperatorArgs {
    /** Which implementation. Defaults to "istio". */
    provider?: GatewayProviderKind;
    /** The manifests that install the Gateway API CRDs (GatewayApiCrds.crds). Required. */
    gatewayApiCrds: k8s.yaml.v2.ConfigFile;
    /** The manifests that install the GAIE CRDs, InferencePool (InferenceExtensionCrds.crds). Required. */
    inferenceExtensionCrds: k8s.yaml.v2.ConfigFile;
}

interface ProviderShape {
    namespace: string;
    crdsChart: ChartKey;
    crdsRelease: string;
    controlChart: ChartKey;
    controlRelease: string;
    className: string;
    controlValues: Record<string, unknown>;
}

/** Charts, namespace, GatewayClass and control-plane values per provider. Pure. */
export function gatewayProviderShape(provider: GatewayProviderKind): ProviderShape {
    switch (provider) {
        case "istio":
            return {
                namespace: "istio-system",
                crdsChart: "istioBase",
                crdsRelease: "istio-base",
                controlChart: "istiod",
                controlRelease: "istiod",
                className: "istio",
                controlValues: { pilot: { env: { ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" } } },
            };
        case "kgateway":
            return {
                namespace: "kgateway-system",
                crdsChart: "kgatewayCrds",
                crdsRelease: "kgateway-crds",
                controlChart: "kgateway",
                controlRelease: "kgateway",
                className: "kgateway",
                controlValues: { inferenceExtension: { enabled: true } },
            };
        case "agentgateway":
            return {
                namespace: "agentgateway-system",
                crdsChart: "agentgatewayCrds",
                crdsRelease: "agentgateway-crds",
                controlChart: "agentgateway",
                controlRelease: "agentgateway",
                className: "agentgateway",
                controlValues: { inferenceExtension: { enabled: true } },
            };
    }
}

export class GatewayProvider extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** Release with the provider's own CRDs (istio base / kgateway-crds / agentgateway-crds). */
    public readonly crdsRelease: k8s.helm.v3.Release;
    /** The control plane release (istiod / kgateway / agentgateway); it creates the GatewayClass. */
    public readonly controlPlane: k8s.helm.v3.Release;
    /** GatewayClass name Gateways use. */
    public readonly className: string;
    public readonly provider: GatewayProviderKind;

    constructor(name: string, args: GatewayProviderArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("GatewayProvider"), name, args, componentOpts("platform", "GatewayProvider", opts));
        this.provider = args.provider ?? "istio";
        const shape = gatewayProviderShape(this.provider);
        this.className = shape.className;
        const ns = operatorNamespace(this, name, this.provider, args, shape.namespace, "baseline");
        this.namespace = ns.name;
        this.crdsRelease = chartRelease(
            `${name}-${shape.crdsRelease}`,
            { chartKey: shape.crdsChart, overrides: args.chartOverrides, releaseName: shape.crdsRelease, namespace: this.namespace, values: {}, skipAwait: args.skipAwait },
            { parent: this },
        );
        this.controlPlane = chartRelease(
            `${name}-${shape.controlRelease}`,
            {
                chartKey: shape.controlChart,
                overrides: args.chartOverrides,
                releaseName: shape.controlRelease,
                namespace: this.namespace,
                values: deepMerge(shape.controlValues, args.values),
                skipAwait: args.skipAwait,
            },
            // Its own CRDs/webhooks first; Gateway API and InferencePool kinds must exist when it starts watching them.
            { parent: this, dependsOn: [this.crdsRelease, args.gatewayApiCrds, args.inferenceExtensionCrds] },
        );
        this.registerOutputs({ namespace: this.namespace, className: this.className });
    }
}
