/**
 * Conformance against the real upstream data in ../shared/upstream (or $INFERENCE_PLATFORM_UPSTREAM):
 *  - `validateObject(doc)`: a custom resource against the openAPIV3Schema of the CRD version its
 *    apiVersion names, with the API server's structural-schema rules (unknown fields rejected unless
 *    `x-kubernetes-preserve-unknown-fields`, required, enums, types, int-or-string, nullable).
 *  - `checkValuesKeys(chart, version, values)`: every values path set exists in the chart's defaults,
 *    unless beneath a map the chart leaves open.
 * CEL rules (`x-kubernetes-validations`) are not evaluated here; the e2e run against a real API
 * server covers what it creates.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import * as YAML from "yaml";

export const UPSTREAM_ENV = "INFERENCE_PLATFORM_UPSTREAM";

/** The upstream data directory; throws (never silently passes) when it is missing. */
export function upstreamDir(): string {
    const dir = process.env[UPSTREAM_ENV] ?? path.resolve(__dirname, "..", "..", "..", "shared", "upstream");
    if (!fs.existsSync(path.join(dir, "crds")) || !fs.existsSync(path.join(dir, "charts"))) {
        throw new Error(
            `upstream schemas not found at ${dir}: the conformance suite needs the real CRDs and chart defaults ` +
                `(shared/upstream next to this checkout, see shared/upstream/README.md and SOURCES.tsv). ` +
                `Point ${UPSTREAM_ENV} at a copy of that directory.`,
        );
    }
    return dir;
}

type Schema = Record<string, unknown>;

interface CrdVersion {
    group: string;
    kind: string;
    version: string;
    file: string;
    validate: ValidateFunction;
}

let crdIndex: Map<string, CrdVersion> | undefined;
let groupsIndex: Map<string, string[]> | undefined;

// CRD patterns are Go RE2 syntax; JS unicode mode rejects some of their escapes (e.g. `\-` in the NIM CRDs).
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });

/** openAPIV3Schema (structural) → JSON Schema with the API server's unknown-field rules. */
export function toJsonSchema(s: Schema, inLogic = false, atRoot = false): Schema {
    if (s["x-kubernetes-int-or-string"]) return { anyOf: [{ type: "integer" }, { type: "string" }] };
    const out: Schema = {};
    for (const [k, v] of Object.entries(s)) {
        if (k.startsWith("x-kubernetes-") || k === "nullable" || k === "format" || k === "description" || k === "default" || k === "example") continue;
        out[k] = v;
    }
    if (s["nullable"] && typeof s["type"] === "string") out["type"] = [s["type"], "null"];
    const props = s["properties"] as Record<string, Schema> | undefined;
    if (props) {
        const p: Record<string, Schema> = {};
        for (const [k, v] of Object.entries(props)) {
            // The API server validates metadata itself; CRDs only say `type: object` there.
            p[k] = atRoot && k === "metadata" ? { type: "object" } : toJsonSchema(v, inLogic);
        }
        if (s["x-kubernetes-embedded-resource"]) {
            p["apiVersion"] ??= { type: "string" };
            p["kind"] ??= { type: "string" };
            p["metadata"] ??= { type: "object" };
        }
        out["properties"] = p;
    }
    if (s["additionalProperties"] && typeof s["additionalProperties"] === "object") {
        out["additionalProperties"] = toJsonSchema(s["additionalProperties"] as Schema, inLogic);
    }
    const isObject = s["type"] === "object" || props !== undefined;
    if (isObject && !inLogic && !s["x-kubernetes-preserve-unknown-fields"] && s["additionalProperties"] === undefined) {
        // Structural schemas prune unknown fields; with strict field validation they are errors.
        out["additionalProperties"] = false;
    }
    if (s["items"] && typeof s["items"] === "object") out["items"] = toJsonSchema(s["items"] as Schema, inLogic);
    for (const k of ["allOf", "anyOf", "oneOf"]) {
        if (Array.isArray(s[k])) out[k] = (s[k] as Schema[]).map((x) => toJsonSchema(x, true));
    }
    if (s["not"]) out["not"] = toJsonSchema(s["not"] as Schema, true);
    return out;
}

function loadCrds(): Map<string, CrdVersion> {
    if (crdIndex) return crdIndex;
    const dir = path.join(upstreamDir(), "crds");
    crdIndex = new Map();
    groupsIndex = new Map();
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".yaml")).sort()) {
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8"))) {
            const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema: Schema } }[] } };
            if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
            const { group, names } = crd.spec;
            groupsIndex.set(group, [...(groupsIndex.get(group) ?? []), names.kind]);
            for (const v of crd.spec.versions) {
                if (!v.schema) continue;
                const key = `${group}/${v.name}/${names.kind}`;
                crdIndex.set(key, {
                    group,
                    kind: names.kind,
                    version: v.name,
                    file: f,
                    // Compiled on first use: compiling every CRD up front costs seconds.
                    get validate(): ValidateFunction {
                        const compiled = ajv.compile(toJsonSchema(v.schema!.openAPIV3Schema, false, true));
                        Object.defineProperty(this, "validate", { value: compiled });
                        return compiled;
                    },
                } as CrdVersion);
            }
        }
    }
    return crdIndex;
}

/** API groups that upstream/crds covers. */
export function upstreamGroups(): string[] {
    loadCrds();
    return [...groupsIndex!.keys()];
}

/** Built-in Kubernetes API groups: their objects are typed by @pulumi/kubernetes, not CRDs. */
export const BUILTIN_GROUPS = new Set([
    "", "apps", "batch", "policy", "autoscaling", "rbac.authorization.k8s.io", "networking.k8s.io", "storage.k8s.io",
    "resource.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io",
    "apiregistration.k8s.io", "certificates.k8s.io", "discovery.k8s.io", "node.k8s.io",
]);

/**
 * Custom resource kinds with no upstream schema in shared/ (the README lists them): their
 * components pin the emitted shape in their own tests instead.
 */
export const NO_UPSTREAM_SCHEMA: Record<string, string> = {
    "habanalabs.habana.ai": "Intel Gaudi operator",
    "operator.knative.dev": "Knative operator",
    "nvidia.com/DynamoGraphDeployment": "NVIDIA Dynamo",
    "networking.istio.io": "Istio",
};

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
    const i = apiVersion.lastIndexOf("/");
    return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export type ObjectCheck = { status: "valid" } | { status: "invalid"; errors: string[] } | { status: "builtin" } | { status: "no-upstream"; reason: string };

/** Validate one object. Custom resources must match an upstream CRD version; built-ins are skipped. */
export function checkObject(doc: Record<string, unknown>): ObjectCheck {
    const apiVersion = String(doc["apiVersion"] ?? "");
    const kind = String(doc["kind"] ?? "");
    const { group, version } = splitApiVersion(apiVersion);
    if (BUILTIN_GROUPS.has(group)) return { status: "builtin" };
    const crds = loadCrds();
    const crd = crds.get(`${group}/${version}/${kind}`);
    if (!crd) {
        const reason = NO_UPSTREAM_SCHEMA[`${group}/${kind}`] ?? NO_UPSTREAM_SCHEMA[group];
        if (reason && !(groupsIndex!.get(group) ?? []).includes(kind)) return { status: "no-upstream", reason };
        const served = [...crds.values()].filter((c) => c.group === group && c.kind === kind).map((c) => `${c.group}/${c.version}`);
        return {
            status: "invalid",
            errors: [
                served.length
                    ? `${kind} ${apiVersion}: that version has no schema upstream; served: ${served.join(", ")}`
                    : `${kind} ${apiVersion}: no upstream CRD for this kind (groups known: ${upstreamGroups().join(", ")})`,
            ],
        };
    }
    const ok = crd.validate(doc);
    return ok ? { status: "valid" } : { status: "invalid", errors: (crd.validate.errors ?? []).map((e) => formatAjvError(kind, doc, e)) };
}

/** Errors for one custom resource ([] when valid or built-in). */
export function validateObject(doc: Record<string, unknown>): string[] {
    const r = checkObject(doc);
    return r.status === "invalid" ? r.errors : [];
}

function formatAjvError(kind: string, doc: Record<string, unknown>, e: ErrorObject): string {
    const name = (doc["metadata"] as { name?: string } | undefined)?.name ?? "?";
    const where = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(root)";
    if (e.keyword === "additionalProperties") {
        return `${kind}/${name}: ${where}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    }
    if (e.keyword === "enum") return `${kind}/${name}: ${where}: ${e.message} (${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})`;
    return `${kind}/${name}: ${where}: ${e.message}`;
}

// ── chart values ────────────────────────────────────────────────────────────────────

/** Keys under which charts take free-form maps (Helm ignores unknown keys, so these are the only safe opens). */
export const OPEN_MAP_KEYS = new Set([
    "extraArgs", "extraEnv", "env", "envs", "nodeSelector", "labels", "annotations", "tolerations", "affinity",
    "podAnnotations", "podLabels", "resources", "securityContext", "podSecurityContext", "containerSecurityContext",
    "extraVolumes", "extraVolumeMounts", "commonLabels", "additionalLabels", "flags", "config", "data",
]);

/**
 * Values paths a chart's templates read and document but leave out of (or only comment in) its
 * defaults file: chart → dotted paths (everything beneath a listed path is accepted).
 */
export const TEMPLATE_ONLY_KEYS: Record<string, string[]> = {
    // inferencepool: `inferencePool.modelServers` is REQUIRED and only commented in values.yaml;
    // templates/epp-config.yaml renders `inferenceExtension.pluginsCustomConfig` (commented example).
    inferencepool: ["inferencePool.modelServers", "inferenceExtension.pluginsCustomConfig"],
    // llm-d-modelservice: templates/decode-deployment.yaml (and prefill-, -lws, -statefulset) render
    // `{{- if .Values.decode.tolerations }} tolerations: …` although values.yaml has no such key.
    // templates/_helpers.tpl `llm-d-modelservice.container` renders `.container.extraConfig` verbatim
    // into each container (probes, securityContext; the direct probe keys are deprecated there).
    "llm-d-modelservice": ["decode.tolerations", "prefill.tolerations", "decode.containers[0].extraConfig", "prefill.containers[0].extraConfig"],
};

const valuesCache = new Map<string, unknown>();

export function chartDefaultsFile(chart: string, version: string): string {
    return path.join(upstreamDir(), "charts", chart, `values-${version.replace(/^v/, "")}.yaml`);
}

export function hasChartDefaults(chart: string, version: string): boolean {
    return fs.existsSync(chartDefaultsFile(chart, version));
}

function loadDefaults(chart: string, version: string): unknown {
    const f = chartDefaultsFile(chart, version);
    if (!valuesCache.has(f)) {
        if (!fs.existsSync(f)) throw new Error(`no upstream defaults for chart ${chart} ${version} (expected ${f})`);
        valuesCache.set(f, YAML.parse(fs.readFileSync(f, "utf8")));
    }
    return valuesCache.get(f);
}

/**
 * A subchart's defaults are the parent's defaults under the subchart's name (Helm passes
 * `<sub>.*` down): read from the pinned archive in ../shared/charts (`charts/<sub>/values.yaml`),
 * the parent's own values taking precedence. E.g. gpu-operator-charts' `kmm.controller.manager.image`.
 * Read only when a key is missing from the parent's defaults (tar is slow on big archives).
 */
function withSubchartDefaults(chart: string, version: string, defaults: unknown, subcharts: string[]): unknown {
    const dir = path.resolve(upstreamDir(), "..", "charts");
    const bare = version.replace(/^v/, "");
    const archive = [`${chart}-v${bare}.tgz`, `${chart}-${bare}.tgz`].map((a) => path.join(dir, a)).find((a) => fs.existsSync(a));
    if (!archive || !isMap(defaults)) return defaults;
    const out: Record<string, unknown> = { ...defaults };
    for (const sub of subcharts) {
        const r = spawnSync("tar", ["xzOf", archive, `${chart}/charts/${sub}/values.yaml`], { encoding: "utf8" });
        const parsed = r.status === 0 ? (YAML.parse(r.stdout) as unknown) : undefined;
        if (isMap(parsed)) out[sub] = mergeDefaults(parsed, out[sub]);
    }
    return out;
}

function mergeDefaults(base: Record<string, unknown>, over: unknown): Record<string, unknown> {
    if (!isMap(over)) return base;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = isMap(v) && isMap(out[k]) ? mergeDefaults(out[k] as Record<string, unknown>, v) : v;
    return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Values paths set in `values` that the chart's defaults do not have (with a reason each). */
export function checkValuesKeys(chart: string, version: string, values: unknown): string[] {
    const first = valuesProblems(chart, version, loadDefaults(chart, version), values);
    if (first.length === 0) return first;
    // Keys under a subchart's name may be the subchart's own defaults.
    const subs = [...new Set(first.map((p) => /values key "([^".[]+)["[.]/.exec(p)?.[1]).filter((x): x is string => x !== undefined))];
    return subs.length ? valuesProblems(chart, version, withSubchartDefaults(chart, version, loadDefaults(chart, version), subs), values) : first;
}

function valuesProblems(chart: string, version: string, defaults: unknown, values: unknown): string[] {
    // Istio charts keep their defaults under `_internal_defaults_do_not_set` (users set the paths
    // beneath it at the top), and istiod copies `pilot.*` to the top (templates/zzy_descope_legacy.yaml).
    if (isMap(defaults) && isMap(defaults["_internal_defaults_do_not_set"])) {
        const inner = defaults["_internal_defaults_do_not_set"] as Record<string, unknown>;
        defaults = { ...defaults, ...inner, ...(chart === "istiod" ? { pilot: inner } : {}) };
    }
    const problems: string[] = [];
    const walk = (v: unknown, d: unknown, at: string[]) => {
        if (!isMap(v)) return;
        for (const [k, sub] of Object.entries(v)) {
            const p = [...at, k];
            if (!isMap(d) || !(k in d)) {
                if ((TEMPLATE_ONLY_KEYS[chart] ?? []).includes(p.join("."))) continue;
                problems.push(`${chart} ${version}: values key "${p.join(".")}" does not exist in the chart's defaults`);
                continue;
            }
            const dv = d[k];
            if (OPEN_MAP_KEYS.has(k) || dv === null || (isMap(dv) && Object.keys(dv).length === 0)) continue;
            if (isMap(dv)) {
                if (isMap(sub)) walk(sub, dv, p);
                else if (sub !== null) problems.push(`${chart} ${version}: values key "${p.join(".")}" is a map in the chart's defaults, got ${JSON.stringify(sub)}`);
            } else if (Array.isArray(dv)) {
                // A list replaces the default list; items follow the shape of the default's first item when there is one.
                if (Array.isArray(sub) && isMap(dv[0])) sub.forEach((item, i) => walk(item, dv[0], [...at, `${k}[${i}]`]));
            } else if (isMap(sub)) {
                problems.push(`${chart} ${version}: values key "${p.join(".")}" is a scalar (${JSON.stringify(dv)}) in the chart's defaults, got a map`);
            }
        }
    };
    walk(values, defaults, []);
    return problems;
}
