/**
 * KServe v0.20.0's LLMInferenceService preset merge, reimplemented from its source so the final
 * pod specs of the project's LLMInferenceServices can be checked offline:
 *
 *  - which well-known LLMInferenceServiceConfigs apply — kserve/kserve@v0.20.0
 *    pkg/controller/v1alpha2/llmisvc/config_merge.go `combineBaseRefsConfig` (scheduler / route
 *    presets; P/D: prefill + decode templates; worker: data- or pipeline-parallel variants);
 *  - `MergeSpecs`/`mergeSpecs`: presets in that order, then the service's own spec, each as a
 *    strategic merge patch (k8s.io/apimachinery strategicpatch with the corev1 patch strategies:
 *    containers, initContainers, volumes, env merged by `name`, ports by `containerPort`,
 *    volumeMounts by `mountPath`; every other list, `command` and `args` included, replaced);
 *  - `ReplaceVariables`: the Go templates inside the presets, evaluated against the service
 *    (`.Spec`, `.ObjectMeta`, `.GlobalConfig`) with its functions `ChildName`, `kvTransferConfig`
 *    and `shutdownTimeout`.
 *
 * The presets are the real ones: files/llmisvcconfigs/resources.yaml of the pinned
 * kserve-runtime-configs chart archive in ../shared/charts, read at test time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as YAML from "yaml";
import { sharedChartsDir } from "./tools";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** One file of a .tgz archive (ustar), or undefined. */
export function readTgzEntry(tgz: string, inner: string): string | undefined {
    const buf = zlib.gunzipSync(fs.readFileSync(tgz));
    let off = 0;
    let longName: string | undefined;
    while (off + 512 <= buf.length) {
        const header = buf.subarray(off, off + 512);
        if (header.every((b) => b === 0)) break;
        const field = (a: number, n: number) => header.subarray(a, a + n).toString("utf8").replace(/\0.*$/s, "");
        const size = parseInt(field(124, 12).trim() || "0", 8);
        const type = field(156, 1);
        const prefix = field(345, 155);
        let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
        longName = undefined;
        const data = buf.subarray(off + 512, off + 512 + size);
        if (type === "L") longName = data.toString("utf8").replace(/\0.*$/s, "");
        else if (name.replace(/^\.\//, "") === inner) return data.toString("utf8");
        name = "";
        off += 512 + Math.ceil(size / 512) * 512;
    }
    return undefined;
}

export const RUNTIME_CONFIGS_CHART = "kserve-runtime-configs-v0.20.0.tgz";

let presetCache: Map<string, Obj> | undefined;

/** The well-known LLMInferenceServiceConfigs (name → spec) of the pinned kserve-runtime-configs chart. */
export function presets(): Map<string, Obj> {
    if (presetCache) return presetCache;
    const tgz = path.join(sharedChartsDir(), RUNTIME_CONFIGS_CHART);
    const text = readTgzEntry(tgz, "kserve-runtime-configs/files/llmisvcconfigs/resources.yaml");
    if (!text) throw new Error(`${tgz}: files/llmisvcconfigs/resources.yaml not found`);
    presetCache = new Map();
    for (const d of YAML.parseAllDocuments(text)) {
        const doc = d.toJS() as { kind?: string; metadata?: { name: string }; spec?: Obj } | null;
        if (doc?.kind === "LLMInferenceServiceConfig" && doc.metadata && doc.spec) presetCache.set(doc.metadata.name, doc.spec);
    }
    return presetCache;
}

const get = (o: unknown, ...p: string[]): unknown => p.reduce<unknown>((c, k) => (isObj(c) ? c[k] : undefined), o);
const isDataParallel = (par: unknown) => Number(get(par, "data") ?? 0) > 0 || Number(get(par, "dataLocal") ?? 0) > 0;
const isPipelineParallel = (par: unknown) => Number(get(par, "pipeline") ?? 0) > 0;

/** combineBaseRefsConfig: the well-known configs, in merge order, for a service spec. */
export function wellKnownRefs(spec: Obj): string[] {
    const refs: string[] = [];
    const router = get(spec, "router");
    if (isObj(router) && isObj(router["scheduler"]) && !get(router, "scheduler", "pool", "ref", "name")) refs.push("kserve-config-llm-scheduler");
    if (isObj(router) && isObj(router["route"]) && !get(router, "route", "http", "refs")) refs.push("kserve-config-llm-router-route");
    if (spec["tracing"] !== undefined) refs.push("kserve-config-llm-tracing");
    const variant = (worker: unknown, par: unknown, single: string, data: string, pipeline: string) => {
        if (worker === undefined) refs.push(single);
        else if (isDataParallel(par)) refs.push(data);
        else if (isPipelineParallel(par)) refs.push(pipeline);
    };
    if (spec["prefill"] !== undefined) {
        const prefill = spec["prefill"] as Obj;
        variant(prefill["worker"], prefill["parallelism"], "kserve-config-llm-prefill-template", "kserve-config-llm-prefill-worker-data-parallel", "kserve-config-llm-prefill-worker-pipeline-parallel");
        variant(spec["worker"], spec["parallelism"], "kserve-config-llm-decode-template", "kserve-config-llm-decode-worker-data-parallel", "kserve-config-llm-decode-worker-pipeline-parallel");
    } else {
        variant(spec["worker"], spec["parallelism"], "kserve-config-llm-template", "kserve-config-llm-worker-data-parallel", "kserve-config-llm-worker-pipeline-parallel");
    }
    return refs;
}

// ── strategic merge patch (the corev1 strategies the pod specs use) ─────────────────────

/** patchMergeKey per list field name (k8s.io/api/core/v1 types.go `patchStrategy:"merge"`). */
const MERGE_KEYS: Record<string, string> = {
    containers: "name",
    initContainers: "name",
    ephemeralContainers: "name",
    volumes: "name",
    env: "name",
    ports: "containerPort",
    volumeMounts: "mountPath",
    imagePullSecrets: "name",
    hostAliases: "ip",
    resourceClaims: "name",
};

export function strategicMerge(base: unknown, patch: unknown, field?: string): unknown {
    if (patch === undefined) return base;
    if (patch === null) return undefined;
    if (isObj(base) && isObj(patch)) {
        const out: Obj = { ...base };
        for (const [k, v] of Object.entries(patch)) {
            const merged = strategicMerge(base[k], v, k);
            if (merged === undefined) delete out[k];
            else out[k] = merged;
        }
        return out;
    }
    if (Array.isArray(base) && Array.isArray(patch) && field && MERGE_KEYS[field]) {
        const key = MERGE_KEYS[field];
        const out = base.map((x) => x);
        for (const item of patch) {
            const i = out.findIndex((b) => isObj(b) && isObj(item) && b[key] === item[key]);
            if (i >= 0) out[i] = strategicMerge(out[i], item);
            else out.push(item);
        }
        return out;
    }
    return patch;
}

// ── Go templates of the presets (ReplaceVariables) ──────────────────────────────────────

/** The reconciler's global config: `enableLLMInferenceServiceTLS` is not set by the pinned charts (configmap-patch.yaml), so false. */
export interface TemplateGlobals {
    EnableTLS: boolean;
    InferencePoolNamespacedName: string;
    /** ingress config `modelBasedRoutingHeaderName` (not set by the pinned charts: ""). */
    ModelBasedRoutingHeaderName?: string;
}

/** kmeta.ChildName: parent + suffix, shortened with an md5 when over 63 characters (not needed for the project's names). */
function childName(parent: string, suffix: string): string {
    const n = parent + suffix;
    if (n.length > 63) throw new Error(`ChildName ${n}: over 63 characters (kmeta would hash it)`);
    return n;
}

function quantityBytes(q: string): number {
    const m = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(q);
    if (!m) throw new Error(`quantity ${q}`);
    return Number(m[1]) * { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[m[2] ?? ""]!;
}

/** Evaluate one template pipeline (field paths, the three preset functions, `and`). */
function evalExpr(expr: string, svc: Obj, g: TemplateGlobals): unknown {
    const tokens = expr.match(/`[^`]*`|"[^"]*"|\S+/g) ?? [];
    const value = (t: string): unknown => {
        if (/^`.*`$/.test(t) || /^".*"$/.test(t)) return t.slice(1, -1);
        if (/^\d+$/.test(t)) return Number(t);
        if (t === "nil") return undefined;
        if (t.startsWith(".GlobalConfig.")) return (g as unknown as Obj)[t.slice(".GlobalConfig.".length)] ?? "";
        if (t.startsWith(".")) {
            const parts = t.slice(1).split(".").map((p) => (p === "Spec" ? "spec" : p === "ObjectMeta" ? "metadata" : p[0].toLowerCase() + p.slice(1)));
            // Go field names → JSON: KVCacheOffloading → kvCacheOffloading.
            return get(svc, ...parts.map((p) => (p === "kVCacheOffloading" ? "kvCacheOffloading" : p)));
        }
        throw new Error(`unsupported template token ${t}`);
    };
    const [fn, ...args] = tokens;
    switch (fn) {
        case "or": {
            const vs = args.map(value);
            return vs.find((v) => v !== undefined && v !== null && v !== false && v !== 0 && v !== "") ?? vs[vs.length - 1];
        }
        case "and":
            return args.map(value).every((v) => v !== undefined && v !== null && v !== false && v !== 0 && v !== "") ? value(args[args.length - 1]) : false;
        case "ChildName":
            return childName(String(value(args[0])), String(value(args[1])));
        case "shutdownTimeout": {
            const tgps = Number(get(value(args[0]), "terminationGracePeriodSeconds") ?? 60);
            const pre = Number(value(args[1]));
            return Math.max(0, tgps - pre - Math.min(5, tgps));
        }
        case "kvTransferConfig": {
            const kv = value(args[0]);
            if (!isObj(kv)) return "";
            const cfg = { kv_connector: "OffloadingConnector", kv_role: "kv_both", kv_connector_extra_config: { cpu_bytes_to_use: quantityBytes(String(kv["cpu"])), spec_name: "TieringOffloadingSpec" } };
            // As config_merge.go: `"` → `\\\"`, which the JSON round trip of ReplaceVariables turns into `\"`.
            return "--kv-transfer-config '" + JSON.stringify(cfg).replace(/"/g, '\\\\\\"') + "'";
        }
        default:
            if (args.length) throw new Error(`unsupported template function ${fn}`);
            return value(fn ?? "");
    }
}

/** Render the Go template actions in a string (`{{ x }}`, `{{ if c }}…{{ else }}…{{ end }}`, trim markers). */
export function renderTemplate(s: string, svc: Obj, g: TemplateGlobals): string {
    const re = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/gs;
    type Tok = { kind: "text"; text: string } | { kind: "action"; expr: string; trimL: boolean; trimR: boolean };
    const toks: Tok[] = [];
    let last = 0;
    for (const m of s.matchAll(re)) {
        toks.push({ kind: "text", text: s.slice(last, m.index) });
        toks.push({ kind: "action", expr: m[2], trimL: m[1] === "-", trimR: m[3] === "-" });
        last = m.index! + m[0].length;
    }
    toks.push({ kind: "text", text: s.slice(last) });
    // Apply trim markers to neighbouring text.
    toks.forEach((t, i) => {
        if (t.kind !== "action") return;
        const prev = toks[i - 1];
        const next = toks[i + 1];
        if (t.trimL && prev?.kind === "text") prev.text = prev.text.replace(/\s+$/, "");
        if (t.trimR && next?.kind === "text") next.text = next.text.replace(/^\s+/, "");
    });
    let pos = 0;
    const truthy = (v: unknown) => v !== undefined && v !== null && v !== false && v !== 0 && v !== "";
    const block = (): { out: string; end: "end" | "else" | "eof" } => {
        let out = "";
        while (pos < toks.length) {
            const t = toks[pos++];
            if (t.kind === "text") {
                out += t.text;
                continue;
            }
            if (t.expr === "end") return { out, end: "end" };
            if (t.expr === "else") return { out, end: "else" };
            if (t.expr.startsWith("if ")) {
                const cond = truthy(evalExpr(t.expr.slice(3), svc, g));
                const a = block();
                let b = "";
                if (a.end === "else") b = block().out;
                out += cond ? a.out : b;
                continue;
            }
            const v = evalExpr(t.expr, svc, g);
            out += v === undefined || v === null ? "<no value>" : String(v);
        }
        return { out, end: "eof" };
    };
    return block().out;
}

/**
 * ReplaceVariables executes the template over the JSON encoding of the config, then decodes it:
 * trim markers (`{{-`) eat only real whitespace of the JSON text (an encoded newline `\n` is not
 * whitespace there), and function output lands inside a JSON string literal.
 */
function renderDeep(v: unknown, svc: Obj, g: TemplateGlobals): unknown {
    if (typeof v === "string") return v.includes("{{") ? (JSON.parse(renderTemplate(JSON.stringify(v), svc, g)) as string) : v;
    if (Array.isArray(v)) return v.map((x) => renderDeep(x, svc, g));
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderDeep(x, svc, g)]));
    return v;
}

export interface MergedService {
    /** Configs applied, in order (preset names). */
    refs: string[];
    /** Configs the service needs that the pinned charts do not ship (KServe: ConfigNotFound, never deploys). */
    missing: string[];
    /** The final spec after MergeSpecs and ReplaceVariables. */
    spec: Obj;
}

/** The LLMInferenceService spec as KServe v0.20.0 resolves it. */
export function mergeLlmInferenceService(svc: Obj, globals: TemplateGlobals): MergedService {
    const spec = (svc["spec"] ?? {}) as Obj;
    const all = presets();
    const refs = wellKnownRefs(spec);
    const missing = refs.filter((r) => !all.has(r));
    let merged: unknown = {};
    for (const r of refs) if (all.has(r)) merged = strategicMerge(merged, all.get(r));
    merged = strategicMerge(merged, spec);
    // ReplaceVariables renders the whole config; the pod specs are what this tier checks (the
    // router/scheduler parts use template functions of their own).
    const out = { ...(merged as Obj) };
    for (const k of ["template", "worker"]) if (out[k] !== undefined) out[k] = renderDeep(out[k], svc, globals);
    if (isObj(out["prefill"])) {
        const p = { ...(out["prefill"] as Obj) };
        for (const k of ["template", "worker"]) if (p[k] !== undefined) p[k] = renderDeep(p[k], svc, globals);
        out["prefill"] = p;
    }
    return { refs, missing, spec: out };
}
