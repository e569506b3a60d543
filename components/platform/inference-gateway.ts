/**
 * InferenceGateway: the Gateway (`gateway.networking.k8s.io/v1`) that inference traffic enters
 * through, in the workloads' namespace; HTTPRoutes to InferencePools attach to it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";

/** Namespaces whose routes may attach to the listener (`allowedRoutes.namespaces.from`). */
export const AllowedRoutes = {
    /** Only routes in the Gateway's namespace. */
    Same: "Same",
    /** Routes in every namespace. */
    All: "All",
} as const;
/** Namespaces whose routes may attach to the listener (`allowedRoutes.namespaces.from`). */
export type AllowedRoutes = (typeof AllowedRoutes)[keyof typeof AllowedRoutes];

export interface InferenceGatewayArgs {
    /** Namespace of the Gateway (where the routes live). */
    namespace: pulumi.Input<string>;
    /** GatewayClass (from the GatewayProvider), e.g. "istio". */
    className: string;
    /** The manifests that install the Gateway API CRDs (GatewayApiCrds.crds). Required. */
    gatewayApiCrds: k8s.yaml.v2.ConfigFile;
    /**
     * The gateway control plane. The Gateway depends on it so that on destroy the Gateway goes
     * first, while its controller is still there to clean up what it provisioned for it.
     * Defaults to none.
     */
    controlPlane?: k8s.helm.v3.Release;
    /** Gateway object name. Defaults to "inference-gateway". */
    gatewayName?: string;
    /** HTTP listener port. Defaults to 80. */
    port?: number;
    /** Namespaces whose routes may attach: "Same" or "All". Defaults to "Same". */
    allowedRoutes?: AllowedRoutes;
}

/** The Gateway spec. Pure. */
export function inferenceGatewaySpec(args: Pick<InferenceGatewayArgs, "className" | "port" | "allowedRoutes">): Record<string, unknown> {
    return {
        gatewayClassName: args.className,
        listeners: [{ name: "http", port: args.port ?? 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: args.allowedRoutes ?? "Same" } } }],
    };
}

export class InferenceGateway extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;
    public readonly className: string;

    constructor(name: string, args: InferenceGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("InferenceGateway"), name, args, componentOpts("platform", "InferenceGateway", opts));
        const port = args.port ?? 80;
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
            throw new pulumi.ResourceError(`InferenceGateway: port must be 1–65535; got ${args.port}`, this);
        }
        this.className = args.className;
        const gateway = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: { name: args.gatewayName ?? "inference-gateway", namespace: args.namespace, labels: standardLabels("inference-gateway", name) },
                spec: inferenceGatewaySpec(args),
            },
            { parent: this, dependsOn: dependsOnAll(args.gatewayApiCrds, args.controlPlane) },
        );
        this.name = gateway.metadata.name;
        this.namespace = gateway.metadata.namespace.apply((n) => n ?? "");
        this.registerOutputs({ name: this.name, namespace: this.namespace });
    }
}
