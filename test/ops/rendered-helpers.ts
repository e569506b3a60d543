/**
 * Helpers for the rendered-release tests: helm from the tool cache (skip loudly without it, fail
 * on CI), the pinned charts of ../shared/charts, one render per stack, and the CRDs a stack really
 * installs (rendered CRDs of its releases; the Gateway API / GAIE bundles it applies from URLs come
 * from ../shared/upstream, the same release files).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import * as YAML from "yaml";
import { findHelm } from "../../stacks/plan/render";
import { renderStackPlan, type StackRender } from "../../stacks/plan/inventory";
import type { PlanResult } from "../../stacks/plan/plan";
import { planExample, ROOT } from "../helpers";
import { toJsonSchema, upstreamDir } from "../conformance/upstream";

export const CHARTS_DIR = process.env["INFERENCE_PLATFORM_CHARTS"] ?? path.resolve(ROOT, "..", "shared", "charts");

/** helm, or undefined after a loud message (a missing helm FAILS on CI, where `npm run tools` builds it first). */
export function helmForTests(): string | undefined {
    const helm = findHelm();
    if (helm) return helm;
    const msg = "helm is not built: run `npm run tools` (or scripts/tools/helm.sh); rendered-release checks SKIPPED";
    if (process.env["CI"]) throw new Error(`${msg.replace(" SKIPPED", "")} — required on CI`);
    console.warn(`\n  !!! ${msg} !!!\n`);
    return undefined;
}

/** Charts ../shared/charts could not assemble (SKIPPED.txt): `<chart>-<version>` → reason. */
export function skippedCharts(): Map<string, string> {
    const f = path.join(CHARTS_DIR, "SKIPPED.txt");
    const out = new Map<string, string>();
    if (!fs.existsSync(f)) return out;
    for (const line of fs.readFileSync(f, "utf8").split("\n")) {
        const m = /^([^:]+):\s*(.*)$/.exec(line.trim());
        if (!m) continue;
        for (const id of m[1].split(",")) out.set(id.trim(), m[2]);
    }
    return out;
}

const cache = new Map<string, Promise<{ plan: PlanResult; render: StackRender }>>();

/** Plan a stack file and render its releases from ../shared/charts (once per file per run). */
export function renderedStack(file: string, helm: string): Promise<{ plan: PlanResult; render: StackRender }> {
    let p = cache.get(file);
    if (!p) {
        p = planExample(file).then((plan) => ({ plan, render: renderStackPlan(plan, { chartsDir: CHARTS_DIR, helm }) }));
        cache.set(file, p);
    }
    return p;
}

// ── CRDs ─────────────────────────────────────────────────────────────────────────────

type Schema = Record<string, unknown>;

export interface InstalledCrd {
    name: string;
    group: string;
    kind: string;
    /** Served versions. */
    versions: string[];
    /** Who installs it: a release name, or "program:<ConfigFile name>". */
    owner: string;
    /** Template it came from (`<chart>/crds/…` is installed only when missing; helm never replaces it). */
    source?: string;
    schemas: Record<string, Schema | undefined>;
}

interface CrdDoc {
    kind?: string;
    metadata?: { name?: string };
    spec?: { group: string; names: { kind: string }; versions: { name: string; served?: boolean; schema?: { openAPIV3Schema: Schema } }[] };
}

export function crdOf(doc: unknown, owner: string): InstalledCrd | undefined {
    const c = doc as CrdDoc;
    if (c?.kind !== "CustomResourceDefinition" || !c.spec) return undefined;
    const versions = c.spec.versions.filter((v) => v.served !== false);
    return {
        name: c.metadata?.name ?? `${c.spec.names.kind}.${c.spec.group}`,
        group: c.spec.group,
        kind: c.spec.names.kind,
        versions: versions.map((v) => v.name),
        owner,
        schemas: Object.fromEntries(versions.map((v) => [v.name, v.schema?.openAPIV3Schema])),
    };
}

/** CRD bundles the program applies from release URLs (yaml.v2.ConfigFile): the upstream files of those groups. */
const CONFIGFILE_GROUPS: { url: RegExp; groups: string[] }[] = [
    { url: /gateway-api-inference-extension/, groups: ["inference.networking.k8s.io", "inference.networking.x-k8s.io"] },
    { url: /kubernetes-sigs\/gateway-api\//, groups: ["gateway.networking.k8s.io"] },
];

/** Every CRD the stack installs, from every owner (duplicates kept, so they can be reported). */
export function installedCrds(plan: PlanResult, render: StackRender): InstalledCrd[] {
    const out: InstalledCrd[] = [];
    for (const rel of render.rendered.releases) for (const o of rel.objects) {
        const c = crdOf(o.doc, rel.release.releaseName);
        if (c) out.push({ ...c, source: o.source });
    }
    for (const r of plan.resources) {
        if (r.type !== "kubernetes:yaml/v2:ConfigFile") continue;
        const url = String(r.inputs["file"] ?? "");
        const groups = CONFIGFILE_GROUPS.find((g) => g.url.test(url))?.groups;
        if (!groups) throw new Error(`ConfigFile ${r.name} (${url}): no known CRD bundle; add it to CONFIGFILE_GROUPS`);
        for (const f of fs.readdirSync(path.join(upstreamDir(), "crds")).sort()) {
            if (!groups.some((g) => f.startsWith(`${g}_`))) continue;
            for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(upstreamDir(), "crds", f), "utf8"))) {
                const c = crdOf(d.toJS(), `program:${r.name}`);
                if (c) out.push(c);
            }
        }
    }
    return out;
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
/** Compiled per schema text: the same CRD comes back in every stack that installs it. */
const compiled = new Map<string, ValidateFunction>();

/** Go RE2 patterns JavaScript cannot compile (e.g. `(?i)` flags) are dropped; CEL rules are not evaluated either. */
function jsPatternsOnly(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(jsPatternsOnly);
    if (!v || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
        if (k === "pattern" && typeof x === "string") {
            try {
                new RegExp(x);
            } catch {
                continue;
            }
        }
        out[k] = jsPatternsOnly(x);
    }
    return out;
}

/** Errors of one custom resource against an installed CRD version's schema. */
export function validateAgainst(crd: InstalledCrd, version: string, doc: Record<string, unknown>): string[] {
    const schema = crd.schemas[version];
    if (!schema) return [];
    const key = JSON.stringify(schema);
    let v = compiled.get(key);
    if (!v) {
        // The API server always accepts apiVersion/kind/metadata at the root (some CRDs, e.g. Istio's, only declare spec/status).
        const root = jsPatternsOnly(schema) as Schema;
        const props = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, ...((root["properties"] as Schema) ?? {}) };
        v = ajv.compile(toJsonSchema({ ...root, properties: props }, false, true));
        compiled.set(key, v);
    }
    if (v(doc)) return [];
    return (v.errors ?? []).map((e) => {
        const where = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(root)";
        const extra = e.keyword === "additionalProperties" ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : "";
        return `${where}: ${e.message}${extra}`;
    });
}
