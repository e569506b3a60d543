/**
 * GatewayApiCrds: the Kubernetes Gateway API CRDs (Gateway, GatewayClass, HTTPRoute, GRPCRoute,
 * ReferenceGrant — the standard channel) from the pinned release manifest
 * (components/versions.ts `manifests.gatewayApi`), applied server-side as one `yaml.v2.ConfigFile`.
 *
 * Air-gapped: `manifestOverrides.gatewayApi.url` points at a mirror URL or a local file.
 * CRDs are cluster-wide and shared: deleting them deletes every Gateway and route in the cluster,
 * whoever created them. So they are retained on delete by default.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { ManifestOverrides, resolveManifest } from "./common";

export interface GatewayApiCrdsArgs {
    /** Per-stack manifest overrides (`platform.sources.manifests`). Defaults to the pinned release URL. */
    manifestOverrides?: ManifestOverrides;
    /** Keep the CRDs when this stack is destroyed. Defaults to true. */
    retainOnDelete?: boolean;
}

/** API groups whose CRDs this installs. */
export const GATEWAY_API_GROUPS = ["gateway.networking.k8s.io"] as const;

export class GatewayApiCrds extends pulumi.ComponentResource {
    /** The ConfigFile that applies the CRDs; Gateway API objects depend on it. */
    public readonly crds: k8s.yaml.v2.ConfigFile;
    /** Manifest location used (pinned or overridden). */
    public readonly url: string;
    public readonly version: string;

    constructor(name: string, args: GatewayApiCrdsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("GatewayApiCrds"), name, args, componentOpts("platform", "GatewayApiCrds", opts));
        const src = resolveManifest("gatewayApi", args.manifestOverrides);
        this.url = src.url;
        this.version = src.version;
        this.crds = new k8s.yaml.v2.ConfigFile(`${name}-crds`, { file: src.url }, { parent: this, retainOnDelete: args.retainOnDelete ?? true });
        this.registerOutputs({ url: this.url });
    }
}
