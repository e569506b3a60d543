/** Small Kubernetes helpers shared across layers. */
import * as pulumi from "@pulumi/pulumi";

/** The package name in every type token: `inference-platform:<layer>:<Type>`. */
export const PACKAGE = "inference-platform";

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

/** Resource options for objects that must outlive this stack (shared CRDs, operator namespaces). */
export function retainOpts(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
    return { ...opts, retainOnDelete: true };
}

/** A Kubernetes quantity in GiB, rounded up: 131.2 → "132Gi". */
export function giQuantity(gib: number): string {
    return `${Math.ceil(gib)}Gi`;
}
