/**
 * Helm release helper shared by every chart-based component: resolves the chart source from the
 * versions table plus per-stack overrides (air-gapped mirrors, local paths), and registers one
 * `helm.v3.Release` with the options every release here wants.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import * as zlib from "node:zlib";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { charts, ChartKey, ChartSource } from "../versions";

/** Where to take one chart from instead of its pinned source (a mirror, an OCI reference, a local .tgz or directory). */
export interface ChartOverride {
    /** Chart name in `repo`, an `oci://` reference, or a local path (packaged .tgz or chart directory). Defaults to the pinned chart. */
    chart?: string;
    /** Chart repository URL (ignored for `oci://` and local charts). Defaults to the pinned repository. */
    repo?: string;
    /** Chart version. Defaults to the pinned version. */
    version?: string;
}

/** Per-stack chart overrides, keyed like components/versions.ts `charts`. */
export type ChartOverrides = { [key: string]: ChartOverride | undefined };

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

/** The name and version a local chart (packaged .tgz or chart directory) declares in its Chart.yaml. */
export interface ChartMeta {
    name: string;
    version: string;
}

/**
 * Reads `name` and `version` from a chart's Chart.yaml: `<dir>/Chart.yaml` for a chart directory,
 * the top-level `<chart>/Chart.yaml` entry for a `helm package` archive (gzip'd tar). Throws with
 * a short reason (no such file, not a chart archive, no name/version) when it cannot.
 */
export function readLocalChartMeta(file: string): ChartMeta {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
    } catch {
        throw new Error("no such file or directory");
    }
    const text = stat.isDirectory() ? readIfExists(nodePath.join(file, "Chart.yaml")) : chartYamlFromArchive(fs.readFileSync(file));
    if (text === undefined) throw new Error(stat.isDirectory() ? "a directory without Chart.yaml" : "an archive without a top-level <chart>/Chart.yaml");
    // Chart.yaml's name and version are top-level scalars (helm requires both).
    const scalar = (key: string) => text.match(new RegExp(`^${key}:[ \\t]*["']?([^"'#\\r\\n]*?)["']?[ \\t]*(?:#.*)?$`, "m"))?.[1];
    const name = scalar("name");
    const version = scalar("version");
    if (!name || !version) throw new Error("a Chart.yaml without name or version");
    return { name, version };
}

function readIfExists(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/** The text of the `<top>/Chart.yaml` entry of a gzip'd tar (ustar, with PAX/GNU long names), or undefined. */
export function chartYamlFromArchive(data: Buffer): string | undefined {
    let tar: Buffer;
    try {
        tar = zlib.gunzipSync(data);
    } catch {
        throw new Error("not a gzip'd chart archive");
    }
    let longName: string | undefined;
    for (let off = 0; off + 512 <= tar.length; ) {
        const header = tar.subarray(off, off + 512);
        if (header.every((b) => b === 0)) break;
        const str = (a: number, b: number) => header.subarray(a, b).toString("utf8").replace(/\0.*$/s, "");
        const size = parseInt(str(124, 136).trim() || "0", 8);
        const type = String.fromCharCode(header[156] || 48);
        const body = tar.subarray(off + 512, off + 512 + size);
        off += 512 + Math.ceil(size / 512) * 512;
        if (type === "L") {
            longName = body.toString("utf8").replace(/\0.*$/s, "");
            continue;
        }
        if (type === "x") {
            longName = body.toString("utf8").match(/^\d+ path=(.*)$/m)?.[1] ?? longName;
            continue;
        }
        const prefix = str(345, 500);
        const name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
        longName = undefined;
        if ((type === "0" || type === "\0") && /^[^/]+\/Chart\.yaml$/.test(name.replace(/^\.\//, ""))) return body.toString("utf8");
    }
    return undefined;
}

/**
 * Problems with a stack's chart source override that a local path makes checkable before anything
 * is registered: the file must exist and hold the pinned chart (name) at the version in use (the
 * override's `version`, else the pin). One line per problem, naming
 * `platform.sources.charts.<key>.chart`. Remote sources (repo names, oci://) are left to Helm.
 */
export function chartSourceProblems(key: ChartKey, override: { chart?: string; version?: string } | undefined, configPath: string, cwd = process.cwd()): string[] {
    if (!override?.chart || !isLocalPath(override.chart) || /^[a-z][a-z0-9+.-]*:\/\//i.test(override.chart)) return [];
    const pinned: ChartSource = charts[key];
    const expected = {
        name: pinned.upstream?.chart ?? upstreamChartName(pinned.chart),
        version: override.version ?? pinned.version,
    };
    const want = `the ${expected.name} chart at version ${expected.version} (a helm package .tgz or chart directory)`;
    const file = nodePath.resolve(cwd, override.chart);
    let meta: ChartMeta;
    try {
        meta = readLocalChartMeta(file);
    } catch (e) {
        return [`${configPath}: got ${override.chart} (${file}: ${(e as Error).message}); allowed: ${want}`];
    }
    const bare = (v: string) => v.replace(/^v/, "");
    if (meta.name !== expected.name || bare(meta.version) !== bare(expected.version)) {
        return [`${configPath}: got ${override.chart}, which holds chart ${meta.name} version ${meta.version}; allowed: ${want}`];
    }
    return [];
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
