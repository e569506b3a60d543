/** Small Kubernetes helpers shared across layers. */
import * as pulumi from "@pulumi/pulumi";

/** The package name in every type token (and the Pulumi package's name; see PulumiPlugin.yaml). */
export const PACKAGE = "inference-platform";

/** Layer a component was registered under before the multi-language package (its old token's module). */
export type ComponentLayer = "platform" | "engine" | "serving";

/**
 * Type token of a component: `inference-platform:index:<Class>`. The component provider host that
 * serves the multi-language package (@pulumi/pulumi provider/experimental) accepts only the `index`
 * module and names each resource after its class, so a program in another language gets exactly
 * this token, and a TypeScript program registering the class directly must use the same one.
 */
export function componentType(cls: string): string {
    return `${PACKAGE}:index:${cls}`;
}

/**
 * `opts` plus an alias from the token the component had before the package,
 * `inference-platform:<layer>:<Class>`, so stacks created earlier keep their state: the engine maps
 * the old URN (and those of the children, whose URNs embed the parent's type) to the new one
 * instead of replacing anything.
 */
export function componentOpts(layer: ComponentLayer, cls: string, opts?: pulumi.ComponentResourceOptions): pulumi.ComponentResourceOptions {
    return { ...opts, aliases: [...(opts?.aliases ?? []), { type: `${PACKAGE}:${layer}:${cls}` }] };
}

/** Standard labels every object this project creates carries. */
export function standardLabels(component: string, instance: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        "app.kubernetes.io/name": component,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/part-of": "inference-platform",
        "app.kubernetes.io/managed-by": "pulumi",
        ...extra,
    };
}

/**
 * Annotations for objects the provider would otherwise wait on (workloads, Services, PVCs, the
 * workload namespace and its Secrets). With `skipAwait` the Kubernetes provider does not wait for
 * rollout, endpoints or binding, and deletes with background propagation (the default, foreground,
 * leaves a finalizer only the garbage collector removes) — for API servers without kubelets and
 * controllers (the e2e cluster) and for dry runs.
 */
export function awaitAnnotations(skipAwait: boolean): Record<string, string> {
    return skipAwait ? { "pulumi.com/skipAwait": "true", "pulumi.com/deletionPropagationPolicy": "background" } : {};
}

/**
 * `cluster.skipAwait` for every Kubernetes object of a stack, including the custom resources the
 * serving layer creates (InferenceService, LLMInferenceService, NIMService, RayService, Gateway,
 * ScaledObject, …): `awaitAnnotations(true)` merged into each object's metadata. Without it a
 * destroy on an API server without a garbage collector never ends: the provider deletes with
 * foreground propagation, and the `foregroundDeletion` finalizer is removed only by the garbage
 * collector (found by the platform e2e). Helm releases and YAML components are left alone (they
 * carry their own `skipAwait`); so is the provider.
 */
export function skipAwaitTransformation(): pulumi.ResourceTransformation {
    const extra = awaitAnnotations(true);
    type Metadata = { annotations?: pulumi.Input<Record<string, string>> } | undefined;
    const annotate = (m: Metadata) => ({ ...m, annotations: pulumi.output(m?.annotations).apply((a) => ({ ...a, ...extra })) });
    return ({ type, props, opts }) => {
        if (!type.startsWith("kubernetes:") || type.startsWith("kubernetes:helm.sh") || type.startsWith("kubernetes:yaml")) return undefined;
        const metadata = (props as { metadata?: pulumi.Input<Metadata> }).metadata;
        return { props: { ...props, metadata: pulumi.Output.isInstance(metadata) ? metadata.apply(annotate) : annotate(metadata as Metadata) }, opts };
    };
}

/** Resource options for objects that must outlive this stack (shared CRDs, operator namespaces). */
export function retainOpts(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
    return { ...opts, retainOnDelete: true };
}

/** A Kubernetes quantity in GiB, rounded up: 131.2 → "132Gi". */
export function giQuantity(gib: number): string {
    return `${Math.ceil(gib)}Gi`;
}
