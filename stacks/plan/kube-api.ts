/**
 * Built-in Kubernetes API group/versions and the minor versions that serve them by default
 * (alpha versions are off by default and are not listed). Source: the Kubernetes deprecated API
 * migration guide (kubernetes/website@main:content/en/docs/reference/using-api/deprecation-guide.md)
 * and the release notes that promoted each group (e.g. resource.k8s.io/v1 in 1.34).
 *
 * Used to check that every object a stack creates — directly or through a chart — is a kind its
 * cluster serves (`cluster.kubernetesVersion`), or a CRD the stack installs.
 */

/** group/version → [first minor that serves it, first minor that no longer does (exclusive)]. */
const SERVED: Record<string, { since: number; until?: number; kinds?: string[] }> = {
    v1: { since: 0 },
    "apps/v1": { since: 9 },
    "batch/v1": { since: 0 },
    "batch/v1beta1": { since: 8, until: 25 },
    "autoscaling/v1": { since: 0 },
    "autoscaling/v2": { since: 23 },
    "autoscaling/v2beta2": { since: 12, until: 26 },
    "policy/v1": { since: 21 },
    "policy/v1beta1": { since: 5, until: 25 },
    "rbac.authorization.k8s.io/v1": { since: 8 },
    "networking.k8s.io/v1": { since: 8 },
    "networking.k8s.io/v1beta1": { since: 14, until: 22 },
    "storage.k8s.io/v1": { since: 6 },
    "storage.k8s.io/v1beta1": { since: 4, until: 27 },
    "scheduling.k8s.io/v1": { since: 14 },
    "coordination.k8s.io/v1": { since: 14 },
    "admissionregistration.k8s.io/v1": { since: 16 },
    "admissionregistration.k8s.io/v1beta1": { since: 9, until: 22 },
    "apiextensions.k8s.io/v1": { since: 16 },
    "apiextensions.k8s.io/v1beta1": { since: 7, until: 22 },
    "apiregistration.k8s.io/v1": { since: 10 },
    "certificates.k8s.io/v1": { since: 19 },
    "discovery.k8s.io/v1": { since: 21 },
    "node.k8s.io/v1": { since: 20 },
    "flowcontrol.apiserver.k8s.io/v1": { since: 29 },
    "flowcontrol.apiserver.k8s.io/v1beta3": { since: 26, until: 32 },
    "resource.k8s.io/v1": { since: 34 },
    // Beta DRA APIs are off by default (feature gates / runtime-config) except where listed.
    "resource.k8s.io/v1beta1": { since: 32, until: 32 },
};

export function kubeMinor(version: string): number {
    const m = /^1\.(\d+)/.exec(version);
    if (!m) throw new Error(`not a Kubernetes version: ${version}`);
    return Number(m[1]);
}

/** True when the group is a built-in Kubernetes API group (served by kube-apiserver itself). */
export function isBuiltinGroup(group: string): boolean {
    return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

/** Undefined when served; else why not. Custom groups answer "not built in". */
export function builtinServed(apiVersion: string, kubeVersion: string): string | undefined {
    const minor = kubeMinor(kubeVersion);
    const s = SERVED[apiVersion];
    if (!s) return `${apiVersion} is not a built-in API version served by default`;
    if (minor < s.since) return `${apiVersion} is served from 1.${s.since}`;
    if (s.until !== undefined && minor >= s.until) return `${apiVersion} is not served since 1.${s.until}`;
    return undefined;
}
