/**
 * Shared pieces of the platform components: the operator namespace (with Pod Security level and
 * retain-on-delete), the base Args every chart-based platform component takes, manifest source
 * resolution for air-gapped installs, and tolerations for pool taints.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease, deepMerge, type ChartOverrides } from "../common/helm";
import { standardLabels } from "../common/k8s";
import { ChartKey, ManifestKey, manifests, ManifestSource } from "../versions";

/** Args common to every chart-based platform component. */
export interface OperatorArgs {
    /** Namespace the operator is installed into. Defaults differ per component (the upstream-documented one). */
    namespace?: string;
    /**
     * Create the namespace (with its Pod Security label). Set false when the namespace already
     * exists (e.g. created by another stack or by the cluster's bootstrap). Defaults to true.
     */
    createNamespace?: boolean;
    /**
     * Keep the namespace when this stack is destroyed: an operator namespace often ends up holding
     * objects other stacks or users created (policies, secrets, custom resources), and deleting
     * it would take them with it. Defaults to true.
     */
    retainOnDelete?: boolean;
    /** Per-stack chart source overrides, keyed like components/versions.ts `charts` (`platform.sources.charts`). Defaults to none. */
    chartOverrides?: ChartOverrides;
    /** Extra chart values deep-merged over the component's computed values (any JSON object). Defaults to none. */
    values?: { [key: string]: any };
    /** Do not wait for the release's workloads to become ready. Defaults to false. */
    skipAwait?: boolean;
}

/** Pod Security Admission level of a namespace (`pod-security.kubernetes.io/enforce`). */
export const PodSecurityLevel = {
    Privileged: "privileged",
    Baseline: "baseline",
    Restricted: "restricted",
} as const;
/** Pod Security Admission level of a namespace (`pod-security.kubernetes.io/enforce`). */
export type PodSecurityLevel = (typeof PodSecurityLevel)[keyof typeof PodSecurityLevel];

/**
 * The operator namespace: created here (labelled with its Pod Security level) unless
 * `createNamespace` is false, in which case the name is passed through.
 */
export function operatorNamespace(
    parent: pulumi.Resource,
    resourceName: string,
    component: string,
    args: OperatorArgs,
    defaultNamespace: string,
    podSecurity: PodSecurityLevel,
): { name: pulumi.Output<string>; resource?: k8s.core.v1.Namespace } {
    const name = args.namespace ?? defaultNamespace;
    if (args.createNamespace === false) return { name: pulumi.output(name) };
    const ns = new k8s.core.v1.Namespace(
        `${resourceName}-ns`,
        {
            metadata: {
                name,
                labels: {
                    ...standardLabels(component, resourceName),
                    "pod-security.kubernetes.io/enforce": podSecurity,
                    "pod-security.kubernetes.io/audit": podSecurity,
                    "pod-security.kubernetes.io/warn": podSecurity,
                },
            },
        },
        { parent, retainOnDelete: args.retainOnDelete ?? true },
    );
    return { name: ns.metadata.name, resource: ns };
}

/** What an operator component installs: its chart, into its namespace. */
export interface OperatorInstallSpec {
    /** `app.kubernetes.io/name` of the namespace. */
    component: string;
    /** The upstream-documented namespace (used unless `args.namespace` is set). */
    defaultNamespace: string;
    podSecurity: PodSecurityLevel;
    chartKey: ChartKey;
    releaseName: string;
    /** The component's computed values; `args.values` are deep-merged over them. */
    values: Record<string, unknown>;
    /** Real ordering only (e.g. the CRDs of ServiceMonitors the chart renders, cert-manager for webhooks). */
    dependsOn?: (pulumi.Resource | undefined)[];
}

/**
 * The operator namespace (see operatorNamespace) and the chart release in it: what most platform
 * components are. Chart source from the versions table with the stack's overrides.
 */
export function installOperator(
    parent: pulumi.Resource,
    name: string,
    args: OperatorArgs,
    spec: OperatorInstallSpec,
): { namespace: pulumi.Output<string>; release: k8s.helm.v3.Release } {
    const ns = operatorNamespace(parent, name, spec.component, args, spec.defaultNamespace, spec.podSecurity);
    const dependsOn = (spec.dependsOn ?? []).filter((r): r is pulumi.Resource => r !== undefined);
    const release = chartRelease(
        name,
        {
            chartKey: spec.chartKey,
            overrides: args.chartOverrides,
            releaseName: spec.releaseName,
            namespace: ns.name,
            values: deepMerge(spec.values, args.values),
            skipAwait: args.skipAwait,
        },
        { parent, ...(dependsOn.length > 0 ? { dependsOn } : {}) },
    );
    return { namespace: ns.name, release };
}

/** Where to take one manifest from instead of its pinned URL. */
export interface ManifestOverride {
    /** Mirror URL or local file of the same manifest. */
    url: string;
}

/** Per-stack manifest overrides, keyed like components/versions.ts `manifests` (`platform.sources.manifests`). */
export type ManifestOverrides = { [key: string]: ManifestOverride | undefined };

/** The manifest location for `key`: the pinned URL, or the stack's override (mirror URL or local file). */
export function resolveManifest(key: ManifestKey, overrides: ManifestOverrides = {}): ManifestSource {
    const pinned: ManifestSource = manifests[key];
    const o = overrides[key];
    return o ? { url: o.url, version: pinned.version } : pinned;
}

/** Toleration operator. */
export const TolerationOperator = {
    Exists: "Exists",
    Equal: "Equal",
} as const;
/** Toleration operator. */
export type TolerationOperator = (typeof TolerationOperator)[keyof typeof TolerationOperator];

/** A Kubernetes toleration (the shape charts take under `tolerations`). */
export interface Toleration {
    key: string;
    operator: TolerationOperator;
    value?: string;
    effect?: string;
}

/** Tolerations for a set of node taints (deduplicated), so node agents run on tainted GPU pools. */
export function tolerationsFor(taints: readonly { key: string; value?: string; effect: string }[]): Toleration[] {
    const seen = new Set<string>();
    const out: Toleration[] = [];
    for (const t of taints) {
        const id = `${t.key}=${t.value ?? ""}:${t.effect}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(t.value === undefined ? { key: t.key, operator: "Exists", effect: t.effect } : { key: t.key, operator: "Equal", value: t.value, effect: t.effect });
    }
    return out;
}

/** `base` plus the entries of `extra` not already in it (charts replace a list value wholesale). */
export function withTolerations(base: readonly Toleration[], extra: readonly Toleration[]): Toleration[] {
    const id = (t: Toleration) => `${t.key}|${t.operator}|${t.value ?? ""}|${t.effect ?? ""}`;
    const seen = new Set(base.map(id));
    return [...base, ...extra.filter((t) => !seen.has(id(t)))];
}
