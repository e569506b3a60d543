/**
 * InferenceGateway: the Gateway (`gateway.networking.k8s.io/v1`) that inference traffic enters
 * through, in the workloads' namespace; HTTPRoutes to InferencePools attach to it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE, standardLabels } from "../common/k8s";

export interface InferenceGatewayArgs {
    /** Namespace of the Gateway (where the routes live). */
    namespace: pulumi.Input<string>;
    /** GatewayClass (from the GatewayProvider), e.g. "istio". */
    className: string;
    /** The resource that installs the Gateway API CRDs. Required. */
    gatewayApiCrds: pulumi.Resource;
    /**
     * The gateway control plane. The Gateway depends on it so that on destroy the Gateway goes
     * first, while its controller is still there to clean up what it provisioned for it.
     * Defaults to none.
     */
    controlPlane?: pulumi.Resource;
    /** Gateway object name. Defaults to "inference-gateway". */
    gatewayName?: string;
    /** HTTP listener port. Defaults to 80. */
    port?: number;
    /** Namespaces whose routes may attach: "Same" or "All". Defaults to "Same". */
    allowedRoutes?: "Same" | "All";
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
    public readonly gateway: k8s.apiextensions.CustomResource;

    constructor(name: string, args: InferenceGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:platform:InferenceGateway`, name, {}, opts);
        const port = args.port ?? 80;
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
            throw new pulumi.ResourceError(`InferenceGateway: port must be 1–65535; got ${args.port}`, this);
        }
        this.className = args.className;
        this.gateway = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: { name: args.gatewayName ?? "inference-gateway", namespace: args.namespace, labels: standardLabels("inference-gateway", name) },
                spec: inferenceGatewaySpec(args),
            },
            { parent: this, dependsOn: [args.gatewayApiCrds, ...(args.controlPlane ? [args.controlPlane] : [])] },
        );
        this.name = this.gateway.metadata.name;
        this.namespace = this.gateway.metadata.namespace.apply((n) => n ?? "");
        this.registerOutputs({ name: this.name, namespace: this.namespace });
    }
}
