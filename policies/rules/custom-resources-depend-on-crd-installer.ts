import { str } from "../lib/json";
import type { GraphNode, GraphRule } from "../lib/rule";

/** Built-in API groups (and Pulumi provider pseudo-groups): their kinds need no CRD. */
const BUILTIN_GROUPS = new Set([
    "core", "apps", "batch", "autoscaling", "policy", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "authentication.k8s.io", "authorization.k8s.io", "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io",
    "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io", "rbac.authorization.k8s.io",
    "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io", "storagemigration.k8s.io", "helm.sh", "yaml", "kustomize", "meta",
]);

const INSTALLER_TYPES = new Set([
    "kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart",
    "kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml:ConfigGroup", "kubernetes:yaml:ConfigFile",
    "kubernetes:kustomize/v2:Directory", "kubernetes:kustomize:Directory",
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "kubernetes:apiextensions.k8s.io/v1beta1:CustomResourceDefinition",
]);

const STACK_TYPE = "pulumi:pulumi:Stack";

/** Group and kind of a custom resource, or undefined for built-in kinds and non-Kubernetes resources. */
export function customResourceKind(r: GraphNode): { group: string; kind: string } | undefined {
    if (r.type === "kubernetes:apiextensions.k8s.io:CustomResource") {
        const apiVersion = str(r.props, "apiVersion") ?? "";
        const kind = str(r.props, "kind") ?? "";
        const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
        return group && kind ? { group, kind } : undefined;
    }
    const m = /^kubernetes:([^:/]+)\/[^:]+:([A-Za-z0-9]+)$/.exec(r.type);
    if (!m || BUILTIN_GROUPS.has(m[1]) || !m[1].includes(".")) return undefined;
    return { group: m[1], kind: m[2] };
}

function ancestors(r: GraphNode): GraphNode[] {
    const out: GraphNode[] = [];
    for (let p = r.parent; p && !out.includes(p); p = p.parent) out.push(p);
    return out;
}

/** Rule 12: each custom resource waits for what installs its CRD. */
export const customResourcesDependOnCrdInstaller: GraphRule = {
    scope: "graph",
    name: "custom-resources-depend-on-crd-installer",
    description: "Every custom resource depends, directly or through its parents, on the resource that installs its CRD (a Helm Release/Chart, a yaml ConfigGroup/ConfigFile, or the CustomResourceDefinition itself), so a fresh cluster deploys in one pass.",
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: "Add dependsOn: [<the Helm Release / ConfigGroup / CustomResourceDefinition that installs the CRD>] to the custom resource (or to the component that parents it).",
    fleet: "unused",
    check(resources) {
        const violations: { message: string; urn: string }[] = [];
        const installers = resources.filter((r) => INSTALLER_TYPES.has(r.type));
        const isInstallerOrInside = (x: GraphNode): boolean => INSTALLER_TYPES.has(x.type) || ancestors(x).some((a) => INSTALLER_TYPES.has(a.type));
        const crds = resources.filter((r) => r.type.endsWith(":CustomResourceDefinition"));
        for (const r of resources) {
            const ck = customResourceKind(r);
            if (!ck) continue;
            const own = [r, ...ancestors(r)];
            const defining = crds.filter((d) => str(d.props, "spec", "group") === ck.group && str(d.props, "spec", "names", "kind") === ck.kind);
            // What counts as "the installer": the defining CRD and its enclosing installers/components, or — when the
            // CRD is not visible in the stack (installed by a Helm v3 Release) — any installer and what it contains.
            const targets = new Set<GraphNode>();
            const addWithAncestors = (x: GraphNode): void => {
                targets.add(x);
                for (const a of ancestors(x)) if (a.type !== STACK_TYPE && !own.includes(a)) targets.add(a);
            };
            if (defining.length > 0) defining.forEach(addWithAncestors);
            else resources.filter(isInstallerOrInside).forEach(addWithAncestors);
            // Rendered by the same chart/ConfigGroup as its CRD (or by any installer when the CRD is not visible).
            if (own.some((a) => INSTALLER_TYPES.has(a.type) && (defining.length === 0 || defining.some((d) => ancestors(d).includes(a))))) continue;
            if (dependsOnAny(own, targets)) continue;
            const which = defining.length > 0 ? defining.map((d) => `${d.name} (${d.type})`).join(", ") : installers.length > 0 ? `one of: ${installers.map((i) => i.name).slice(0, 6).join(", ")}` : "none found in the stack";
            violations.push({
                urn: r.urn,
                message: `${ck.kind} "${r.name}" (${ck.group}) does not depend on what installs its CRD (${which}); on a fresh cluster it fails with "no matches for kind ${ck.kind}": add dependsOn the Helm Release/ConfigGroup that installs the CRD.`,
            });
        }
        return { violations };
    },
};

/** Transitive dependencies of the resource and its parents reach one of the targets. */
function dependsOnAny(start: GraphNode[], targets: Set<GraphNode>): boolean {
    const seen = new Set<GraphNode>();
    const queue = start.flatMap((s) => s.dependencies);
    while (queue.length > 0) {
        const d = queue.pop() as GraphNode;
        if (seen.has(d)) continue;
        seen.add(d);
        if (targets.has(d)) return true;
        queue.push(...d.dependencies);
    }
    return false;
}
