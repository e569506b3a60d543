/**
 * Helm release helper shared by every chart-based component: resolves the chart source from the
 * versions table plus per-stack overrides (air-gapped mirrors, local paths), and registers one
 * `helm.v3.Release` with the options every release here wants.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { charts, ChartKey, ChartSource } from "../versions";

/** Per-stack chart overrides, keyed like components/versions.ts `charts`. */
export type ChartOverrides = Partial<Record<string, { chart?: string; repo?: string; version?: string }>>;

/** The chart source for `key`: the pinned entry with any stack override applied over it. */
export function resolveChart(key: ChartKey, overrides: ChartOverrides = {}): ChartSource {
    const pinned: ChartSource = charts[key];
    const o = overrides[key];
    if (!o) return pinned;
    const chart = o.chart ?? pinned.chart;
    // A repo only makes sense for a chart name: an OCI reference or a local path carries its own location.
    const repo = o.repo ?? (o.chart && (o.chart.startsWith("oci://") || isLocalPath(o.chart)) ? undefined : pinned.repo);
    return {
        chart,
        repo,
        version: o.version ?? pinned.version,
        // The override is still the same upstream chart: conformance keeps checking against its defaults.
        upstream: pinned.upstream ?? { chart: upstreamChartName(pinned.chart), version: pinned.version.replace(/^v/, "") },
    };
}

export function isLocalPath(chart: string): boolean {
    return chart.startsWith("/") || chart.startsWith("./") || chart.startsWith("../") || chart.endsWith(".tgz");
}

/** "oci://ghcr.io/x/charts/kube-prometheus-stack" → "kube-prometheus-stack". */
export function upstreamChartName(chart: string): string {
    return chart.replace(/\/+$/, "").split("/").pop()!.replace(/-\d[\w.-]*\.tgz$/, "");
}

export interface ChartReleaseArgs {
    /** Key in components/versions.ts `charts`. */
    chartKey: ChartKey;
    /** Per-stack overrides of chart sources. */
    overrides?: ChartOverrides;
    /** Helm release name. */
    releaseName: string;
    namespace: pulumi.Input<string>;
    values: pulumi.Input<Record<string, unknown>>;
    /** Create the namespace if missing. Defaults to false: components create their namespaces explicitly. */
    createNamespace?: boolean;
    /** Skip waiting for the release's resources to become ready. Defaults to false. */
    skipAwait?: boolean;
    /** Install/upgrade the chart's CRDs. Defaults to false (helm's own default: install only). */
    skipCrds?: boolean;
}

/** One `helm.v3.Release` for a pinned chart. Values stay visible to CrossGuard as release inputs. */
export function chartRelease(name: string, args: ChartReleaseArgs, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    const src = resolveChart(args.chartKey, args.overrides);
    return new k8s.helm.v3.Release(
        name,
        {
            name: args.releaseName,
            chart: src.chart,
            version: src.version,
            repositoryOpts: src.repo ? { repo: src.repo } : undefined,
            namespace: args.namespace,
            createNamespace: args.createNamespace ?? false,
            values: args.values,
            skipAwait: args.skipAwait ?? false,
            skipCrds: args.skipCrds ?? false,
            // Large operator charts take minutes to become ready on a fresh cluster.
            timeout: 900,
            // Roll back a failed upgrade rather than leave a half-applied release.
            atomic: false,
            cleanupOnFail: true,
        },
        opts,
    );
}

/** Deep merge of plain objects (arrays and scalars from `over` replace). Used for `values` overrides. */
export function deepMerge<T extends Record<string, unknown>>(base: T, over: Record<string, unknown> | undefined): T {
    if (!over) return base;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
        const b = out[k];
        out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
    }
    return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
