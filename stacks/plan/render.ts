/**
 * What the Helm releases of a plan really create: each `helm.v3.Release` the program registers is
 * rendered with `helm template` from its chart source (a local archive/directory given in
 * `platform.sources.charts`, or `<chart>-<version>.tgz` in a chart directory given once with
 * `--charts`), at the stack's Kubernetes version with the chart's CRDs included. The plan writes
 * the result to rendered/<release>.yaml; the tests check the objects (kinds served, CRs against
 * the CRDs really installed, policies, images).
 *
 * helm is a tool built from Go modules (scripts/tools/helm.sh); without it, or without a release's
 * chart, the plan says so in one line and carries on.
 */
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { isLocalPath, upstreamChartName } from "../../components/common/helm";
import type { RecordedResource } from "./mock-engine";

/** The repository root: the nearest directory with a package.json (from stacks/plan/ or its compiled copy in bin/). */
const ROOT = packageRoot(__dirname);

function packageRoot(from: string): string {
    for (let d = from; ; d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, "package.json"))) return d;
        if (path.dirname(d) === d) return path.resolve(from, "..", "..");
    }
}

/** One Helm release as the program registered it. */
export interface PlannedRelease {
    urn: string;
    releaseName: string;
    /** The chart as registered: a name in `repo`, an `oci://` reference, or a local path. */
    chart: string;
    repo?: string;
    version: string;
    namespace: string;
    values: Record<string, unknown>;
}

/** A rendered Kubernetes object and where it came from. */
export interface RenderedObject {
    release: string;
    /** Template file (`# Source:` comment of helm template), e.g. "gpu-operator/templates/clusterpolicy.yaml". */
    source: string;
    doc: Record<string, unknown>;
}

export interface RenderedRelease {
    release: PlannedRelease;
    /** Local chart path used, when found. */
    chartPath?: string;
    /** Why it was not rendered (no helm, chart not found, helm error). */
    skipped?: string;
    objects: RenderedObject[];
    /** helm template's output, normalised (what rendered/<release>.yaml holds). */
    text?: string;
    ms: number;
}

export interface RenderOptions {
    /** helm binary; undefined: not available (every release is skipped with that reason). */
    helm?: string;
    /** Directory of `<chart>-<version>.tgz` archives (or `<chart>/` directories), e.g. ../shared/charts. */
    chartsDir?: string;
    /** Kubernetes minor version, e.g. "1.34". */
    kubeVersion: string;
}

export function plannedReleases(resources: readonly RecordedResource[]): PlannedRelease[] {
    return resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => {
            const i = r.inputs as Record<string, unknown>;
            return {
                urn: r.urn,
                releaseName: String(i["name"] ?? r.name),
                chart: String(i["chart"]),
                repo: (i["repositoryOpts"] as { repo?: string } | undefined)?.repo,
                version: String(i["version"] ?? ""),
                namespace: String(i["namespace"] ?? "default"),
                values: (i["values"] ?? {}) as Record<string, unknown>,
            };
        });
}

const HELM_RECIPE = ["bash", [path.join(ROOT, "scripts", "tools", "helm.sh"), "--path"]] as const;

/** The recipe's answer: the path it printed when it exits 0 and the file is there. */
function helmFromRecipe(status: number | null, stdout: string): string | undefined {
    const p = status === 0 ? stdout.trim() : "";
    return p && fs.existsSync(p) ? p : undefined;
}

/** The helm binary: $HELM, else the tool recipe's cached build (never builds). */
export function findHelm(): string | undefined {
    if (process.env["HELM"]) return process.env["HELM"];
    const r = spawnSync(HELM_RECIPE[0], HELM_RECIPE[1], { encoding: "utf8" });
    return helmFromRecipe(r.status, r.stdout);
}

/** findHelm without blocking: the recipe runs while the caller goes on (the plan command). */
export function findHelmAsync(): Promise<string | undefined> {
    if (process.env["HELM"]) return Promise.resolve(process.env["HELM"]);
    return new Promise((resolve) => {
        execFile(HELM_RECIPE[0], HELM_RECIPE[1], { encoding: "utf8" }, (err, stdout) => resolve(helmFromRecipe(err ? null : 0, stdout)));
    });
}

/**
 * The local chart for a release: its own chart when that is a local path, else
 * `<chartsDir>/<chart>-<version>.tgz` (version as pinned, with or without the `v`), else a
 * `<chartsDir>/<chart>/` directory whose Chart.yaml has that version.
 */
export function locateChart(rel: PlannedRelease, chartsDir?: string): { path: string } | { missing: string } {
    if (isLocalPath(rel.chart)) {
        const p = path.resolve(rel.chart);
        return fs.existsSync(p) ? { path: p } : { missing: `local chart ${rel.chart} not found` };
    }
    const name = upstreamChartName(rel.chart);
    if (!chartsDir) return { missing: `chart ${name} ${rel.version} is remote (${rel.repo ?? rel.chart}); give --charts <dir> or a local platform.sources.charts path` };
    const bare = rel.version.replace(/^v/, "");
    for (const v of [rel.version, bare, `v${bare}`]) {
        const p = path.resolve(chartsDir, `${name}-${v}.tgz`);
        if (fs.existsSync(p)) return { path: p };
    }
    const dir = path.resolve(chartsDir, name);
    if (fs.existsSync(path.join(dir, "Chart.yaml"))) {
        const meta = YAML.parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as { version?: string };
        if (String(meta?.version ?? "").replace(/^v/, "") === bare) return { path: dir };
    }
    return { missing: `no ${name}-${rel.version}.tgz in ${chartsDir}` };
}

/** helm template output by chart, release, namespace, kube version and values (the same release recurs across stacks). */
const templateCache = new Map<string, { text?: string; error?: string }>();

/** Render one release. Throws nothing: failures come back as `skipped`. */
export function renderRelease(rel: PlannedRelease, opts: RenderOptions): RenderedRelease {
    const start = process.hrtime.bigint();
    const done = (r: Omit<RenderedRelease, "ms" | "release">): RenderedRelease => ({ release: rel, ...r, ms: Number(process.hrtime.bigint() - start) / 1e6 });
    if (!opts.helm) return done({ skipped: "helm not built (scripts/tools/helm.sh)", objects: [] });
    const loc = locateChart(rel, opts.chartsDir);
    if ("missing" in loc) return done({ skipped: loc.missing, objects: [] });
    const key = JSON.stringify([opts.helm, loc.path, rel.releaseName, rel.namespace, opts.kubeVersion, rel.values]);
    const hit = templateCache.get(key);
    if (hit) {
        return hit.text !== undefined
            ? done({ chartPath: loc.path, objects: parseRendered(rel.releaseName, hit.text), text: hit.text })
            : done({ chartPath: loc.path, skipped: hit.error, objects: [] });
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ip-render-"));
    try {
        const valuesFile = path.join(tmp, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(rel.values));
        const args = [
            "template", rel.releaseName, loc.path,
            "--namespace", rel.namespace,
            "--kube-version", `${opts.kubeVersion}.0`,
            "--include-crds",
            "--values", valuesFile,
        ];
        const r = spawnSync(opts.helm, args, {
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
            // No repository config, cache or plugins from the user's home: offline and reproducible.
            env: { ...process.env, HELM_CACHE_HOME: path.join(tmp, "cache"), HELM_CONFIG_HOME: path.join(tmp, "config"), HELM_DATA_HOME: path.join(tmp, "data") },
        });
        if (r.status !== 0) {
            const err = (r.stderr || r.error?.message || "").trim().split("\n").slice(-1)[0];
            templateCache.set(key, { error: `helm template failed: ${err}` });
            return done({ chartPath: loc.path, skipped: `helm template failed: ${err}`, objects: [] });
        }
        const text = r.stdout;
        templateCache.set(key, { text });
        return done({ chartPath: loc.path, objects: parseRendered(rel.releaseName, text), text });
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/** Objects of a `helm template` stream, each with the template it came from. */
export function parseRendered(release: string, text: string): RenderedObject[] {
    const out: RenderedObject[] = [];
    // Split on document markers ourselves: a crds/ file that starts with `---` leaves helm's
    // `# Source:` line alone in an empty document, which carries over to the next one.
    let pending: string | undefined;
    for (const chunk of text.split(/^---[ \t]*$/m)) {
        const m = /^# Source: (.+)$/m.exec(chunk);
        if (m) pending = m[1].trim();
        // parseDocument keeps going past go-yaml-only quirks (the Knative operator CRDs' multi-line
        // single-quoted descriptions) that strict YAML 1.2 rejects; they only affect descriptions.
        const js = YAML.parseDocument(chunk, { uniqueKeys: false }).toJS({ maxAliasCount: -1 }) as Record<string, unknown> | null;
        if (!js || typeof js !== "object" || !js["kind"]) continue;
        const source = pending ?? "?";
        pending = undefined;
        if (js["kind"] === "List" && Array.isArray(js["items"])) {
            for (const item of js["items"] as Record<string, unknown>[]) out.push({ release, source, doc: item });
        } else out.push({ release, source, doc: js });
    }
    return out;
}

export interface RenderedStack {
    releases: RenderedRelease[];
    /** Wall time of rendering every release, ms. */
    ms: number;
}

export function renderReleases(resources: readonly RecordedResource[], opts: RenderOptions): RenderedStack {
    const start = process.hrtime.bigint();
    const releases = plannedReleases(resources).map((rel) => renderRelease(rel, opts));
    return { releases, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/** rendered/<release>.yaml file names (namespace-qualified only when two releases share a name). */
export function renderedFiles(stack: RenderedStack): Record<string, string> {
    const files: Record<string, string> = {};
    const names = stack.releases.map((r) => r.release.releaseName);
    for (const r of stack.releases) {
        if (r.text === undefined) continue;
        const dup = names.filter((n) => n === r.release.releaseName).length > 1;
        const base = dup ? `${r.release.namespace}-${r.release.releaseName}` : r.release.releaseName;
        files[path.join("rendered", `${base}.yaml`)] = r.text;
    }
    return files;
}

/** Every rendered object of a stack. */
export function renderedObjects(stack: RenderedStack): RenderedObject[] {
    return stack.releases.flatMap((r) => r.objects);
}

/** One line per release that was not rendered, plus the timing line. */
export function renderSummary(stack: RenderedStack): string[] {
    const rendered = stack.releases.filter((r) => !r.skipped);
    const lines = [
        `rendered ${rendered.length}/${stack.releases.length} Helm release(s), ${renderedObjects(stack).length} objects, in ${Math.round(stack.ms)} ms`,
    ];
    const noHelm = stack.releases.filter((r) => r.skipped?.startsWith("helm not built"));
    if (noHelm.length && noHelm.length === stack.releases.length) return [`not rendering ${noHelm.length} Helm release(s): helm not built (run scripts/tools/helm.sh or npm run tools)`];
    for (const r of stack.releases) if (r.skipped) lines.push(`  not rendered: ${r.release.releaseName}: ${r.skipped}`);
    return lines;
}
