/**
 * LlmDInfra: the common part of llm-d's well-lit paths, once per stack — the `llm-d-infra` chart,
 * which renders the inference Gateway (and its provider-specific parameters) for the gateway
 * provider the platform layer installed. Every llm-d model attaches its HTTPRoute to this Gateway.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease, deepMerge } from "../common/helm";
import { dependsOnAll } from "../common/dependencies";
import { componentOpts, componentType } from "../common/k8s";
import { GatewayRef, ServingInstallArgs } from "./common";

/** Gateway providers llm-d-infra 1.4 renders natively (`gateway.provider`). */
/** Gateway provider the llm-d Gateway is rendered for (llm-d-infra `gateway.provider`). */
export const LlmDGatewayProvider = {
    istio: "istio",
    agentgateway: "agentgateway",
} as const;
export type LlmDGatewayProvider = (typeof LlmDGatewayProvider)[keyof typeof LlmDGatewayProvider];

export interface LlmDInfraArgs extends ServingInstallArgs {
    /** Namespace of the Gateway (the model workloads' namespace, as in the llm-d guides). */
    namespace: pulumi.Input<string>;
    /** The gateway provider installed by the platform layer. */
    provider: LlmDGatewayProvider;
    /** GatewayClass of that provider. Defaults to the provider name ("istio", "agentgateway"). */
    className?: string;
    /** Name of the Gateway. Defaults to "llm-d-inference-gateway". */
    gatewayName?: string;
    /** The Gateway API CRDs (GatewayApiCrds `crds`): the Gateway waits for them. Defaults to none (installed elsewhere). */
    gatewayCrds?: k8s.yaml.v2.ConfigFile;
    /** The gateway provider's control plane (GatewayProvider `controlPlane`, installed after its CRDs): the Gateway waits for it. Defaults to none. */
    gatewayProvider?: k8s.helm.v3.Release;
}

/** llm-d-infra values. Every key exists in upstream values-1.4.0.yaml (checked by tests). Pure. */
export function llmdInfraValues(args: Pick<LlmDInfraArgs, "provider" | "className" | "gatewayName">): Record<string, unknown> {
    return {
        gateway: {
            enabled: true,
            provider: args.provider,
            gatewayClassName: args.className ?? args.provider,
            // A fixed name: HTTPRoutes and endpoints refer to it.
            fullnameOverride: args.gatewayName ?? "llm-d-inference-gateway",
        },
    };
}

export class LlmDInfra extends pulumi.ComponentResource {
    /** The inference Gateway llm-d models route through. */
    public readonly gateway: GatewayRef;
    /** The release that renders the Gateway. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: LlmDInfraArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("LlmDInfra"), name, args, componentOpts("serving", "LlmDInfra", opts));
        // The Gateway's name and class are read back from the merged values (a stack may override them).
        const values = deepMerge(llmdInfraValues(args), args.values);
        this.release = chartRelease(
            name,
            {
                chartKey: "llmdInfra",
                overrides: args.chartOverrides,
                releaseName: "llm-d-infra",
                namespace: args.namespace,
                values,
                skipAwait: args.skipAwait,
            },
            // The chart renders a Gateway (Gateway API CRDs) and provider parameters (provider CRDs).
            { parent: this, dependsOn: dependsOnAll(args.gatewayCrds, args.gatewayProvider) },
        );
        const gw = values["gateway"] as { gatewayClassName: string; fullnameOverride: string };
        this.gateway = { name: gw.fullnameOverride, namespace: args.namespace, className: gw.gatewayClassName };
        this.registerOutputs({});
    }
}
