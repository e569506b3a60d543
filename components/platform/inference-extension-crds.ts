/**
 * InferenceExtensionCrds: the Gateway API Inference Extension (GAIE) CRDs — InferencePool
 * (`inference.networking.k8s.io/v1`) and InferenceObjective (`inference.networking.x-k8s.io/v1alpha2`)
 * — from the pinned release manifest (components/versions.ts `manifests.gatewayApiInferenceExtension`),
 * as one `yaml.v2.ConfigFile`.
 *
 * Air-gapped: `manifestOverrides.gatewayApiInferenceExtension.url` points at a mirror or a local
 * file. Retained on delete by default: other stacks' InferencePools depend on these CRDs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { ManifestOverrides, resolveManifest } from "./common";

export interface InferenceExtensionCrdsArgs {
    /** Per-stack manifest overrides (`platform.sources.manifests`). Defaults to the pinned release URL. */
    manifestOverrides?: ManifestOverrides;
    /** Keep the CRDs when this stack is destroyed. Defaults to true. */
    retainOnDelete?: boolean;
}

/** API groups whose CRDs this installs. */
export const INFERENCE_EXTENSION_GROUPS = ["inference.networking.k8s.io", "inference.networking.x-k8s.io"] as const;

export class InferenceExtensionCrds extends pulumi.ComponentResource {
    /** The ConfigFile that applies the CRDs; InferencePools and InferenceObjectives depend on it. */
    public readonly crds: k8s.yaml.v2.ConfigFile;
    public readonly url: string;
    public readonly version: string;

    constructor(name: string, args: InferenceExtensionCrdsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("InferenceExtensionCrds"), name, args, componentOpts("platform", "InferenceExtensionCrds", opts));
        const src = resolveManifest("gatewayApiInferenceExtension", args.manifestOverrides);
        this.url = src.url;
        this.version = src.version;
        this.crds = new k8s.yaml.v2.ConfigFile(`${name}-crds`, { file: src.url }, { parent: this, retainOnDelete: args.retainOnDelete ?? true });
        this.registerOutputs({ url: this.url });
    }
}
