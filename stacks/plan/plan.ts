/**
 * The offline plan: read a stack file, validate it, run the real program on the recording mock
 * engine, and render what it would register — resources.json, manifests/, plan.md, plan.json.
 * No Pulumi CLI, no cluster.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { CONFIG_NAMESPACE, deepestPath, path as configPath, describe, MAX_DEPTH, SECRET_KEYS, STRUCTURED_KEYS, StackConfig } from "../config/load";
import type { ParsedStackConfig } from "../config/schema";
import { checkedStackConfig, program } from "../stack/program";
import { RecordedResource, Recorder, settle } from "./mock-engine";
import { planModels, sizingMarkdown } from "./fleet-plan";
import type { StackPlan } from "../config/validate";
import * as pulumi from "@pulumi/pulumi";

/** A stack config file (Pulumi.<stack>.yaml or stacks/examples/<name>.yaml), as read from disk. */
export interface StackFile {
    /** Stack name: from Pulumi.<name>.yaml, or the example file's base name. */
    name: string;
    file: string;
    /** `config:` entries, keys as written (e.g. "inference-platform:fleet"). */
    config: Record<string, unknown>;
    /** ESC environments the stack imports (`environment:`); not resolvable offline. */
    environments: string[];
}

export class StackFileError extends Error {}

/** Largest stack file read (a real one is a few KiB): bounds parse time on runaway input. */
export const MAX_STACK_FILE_BYTES = 1024 * 1024;

export function readStackFile(file: string, name?: string): StackFile {
    let text: string;
    try {
        const size = fs.statSync(file).size;
        if (size > MAX_STACK_FILE_BYTES) {
            throw new StackFileError(`${file}: ${size} bytes is more than a stack file may hold (${MAX_STACK_FILE_BYTES} bytes)`);
        }
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        if (e instanceof StackFileError) throw e;
        throw new StackFileError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    return parseStackText(text, file, name);
}

/** A stack file's text, checked for shape: a mapping with a `config:` mapping. Throws StackFileError. */
export function parseStackText(text: string, file: string, name?: string): StackFile {
    if (text.length > MAX_STACK_FILE_BYTES) {
        throw new StackFileError(`${file}: ${text.length} characters is more than a stack file may hold (${MAX_STACK_FILE_BYTES} bytes)`);
    }
    let doc: unknown;
    try {
        doc = YAML.parse(text, { maxAliasCount: 100 });
    } catch (e) {
        const msg = (e as Error).message.split("\n")[0];
        if (/Maximum call stack size exceeded/.test(msg) || e instanceof RangeError) {
            const at = /at line \d+, column \d+/.exec(msg)?.[0];
            throw new StackFileError(`${file}: not valid YAML: nests too deeply for a stack config${at ? " " + at : ""} (at most ${MAX_DEPTH} levels)`);
        }
        throw new StackFileError(`${file}: not valid YAML: ${msg}`);
    }
    if (doc === null || doc === undefined) doc = {};
    if (typeof doc !== "object" || Array.isArray(doc)) {
        throw new StackFileError(`${file}: a stack file must be a YAML mapping with a "config:" key; got ${describe(doc)}`);
    }
    const d = doc as { config?: unknown; environment?: unknown };
    const config = d.config ?? {};
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
        throw new StackFileError(`${file}: "config:" must be a mapping of "inference-platform:<key>: <value>" entries; got ${describe(config)}`);
    }
    // Aliases may build a cycle (`&a [*a]`) or a runaway document: bounded here, before anything walks it.
    const tooDeep = deepestPath(config, MAX_DEPTH);
    if (tooDeep) {
        const [key, ...rest] = tooDeep;
        const shown = configPath([String(key).replace(/^inference-platform:/, ""), ...rest.slice(0, 6)]);
        throw new StackFileError(`${shown}…: nests more than ${MAX_DEPTH} levels deep (a YAML alias that contains itself, or a runaway document); a stack config needs far fewer`);
    }
    const base = path.basename(file).replace(/\.ya?ml$/, "");
    const env = d.environment;
    return {
        name: name ?? base.replace(/^Pulumi\./, ""),
        file,
        config: config as Record<string, unknown>,
        environments: Array.isArray(env) ? env.map(String) : env ? [String(env)] : [],
    };
}

/** Split stack-file config into the structured object the schema parses and the secret keys present. */
export function splitConfig(sf: StackFile): { structured: Record<string, unknown>; secretKeys: string[]; ignored: string[] } {
    const structured: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    const ignored: string[] = [];
    for (const [key, value] of Object.entries(sf.config)) {
        const [ns, k] = key.includes(":") ? key.split(":", 2) : [CONFIG_NAMESPACE, key];
        if (ns !== CONFIG_NAMESPACE) {
            ignored.push(key);
            continue;
        }
        if ((SECRET_KEYS as readonly string[]).includes(k)) {
            secretKeys.push(k);
            continue;
        }
        structured[k] = value;
    }
    return { structured, secretKeys, ignored };
}

export interface PlanResult {
    stack: StackFile;
    config: ParsedStackConfig;
    resources: RecordedResource[];
    /** What the validation gate computed (placed and sized models, platform decisions). */
    plan?: StackPlan;
}

/**
 * Validate and plan one stack file. The mock engine must already be installed (the caller owns
 * it: the plan CLI and the test setup install it once per process). Throws ConfigError on bad
 * config before anything is registered.
 */
export async function planStack(sf: StackFile, recorder: Recorder): Promise<PlanResult> {
    const { structured, secretKeys } = splitConfig(sf);
    const pulumiConfig: Record<string, string> = {};
    for (const [k, v] of Object.entries(structured)) pulumiConfig[`${CONFIG_NAMESPACE}:${k}`] = JSON.stringify(v);
    // Secrets are ciphertext (or in ESC) and cannot be read offline: plan with a marked placeholder.
    for (const k of secretKeys) pulumiConfig[`${CONFIG_NAMESPACE}:${k}`] = "[secret]";
    pulumi.runtime.setAllConfig(pulumiConfig, secretKeys.map((k) => `${CONFIG_NAMESPACE}:${k}`));
    // Validate first, exactly as the program reads its config (schema, placements, platform and
    // serving checks): a bad config throws ConfigError here and registers nothing.
    const checked = checkedStackConfig();
    await settle();
    recorder.clear();
    program(checked);
    await settle();
    return { stack: sf, config: checked.config, resources: [...recorder.resources], plan: checked.plan };
}

// ── rendering ─────────────────────────────────────────────────────────────────────────

/** A Kubernetes object the program creates directly, rebuilt from its registration. */
export interface ManifestDoc {
    file: string;
    doc: Record<string, unknown>;
    kind: "object" | "helm";
}

const NON_OBJECT_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml/v2:ConfigFile"]);

/** The apiVersion/kind of a recorded Kubernetes object, or undefined for non-objects. */
export function objectKind(r: RecordedResource): { apiVersion: string; kind: string } | undefined {
    if (!r.custom || !r.type.startsWith("kubernetes:") || NON_OBJECT_TYPES.has(r.type)) return undefined;
    if (r.type === "kubernetes:apiextensions.k8s.io:CustomResource" || r.type.startsWith("kubernetes:apiextensions.k8s.io:CustomResource")) {
        return { apiVersion: String(r.inputs["apiVersion"]), kind: String(r.inputs["kind"]) };
    }
    const m = /^kubernetes:([^:]+):(\w+)$/.exec(r.type);
    if (!m) return undefined;
    const [group, version] = m[1].split("/");
    if (!version) return undefined;
    return { apiVersion: group === "core" ? version : `${group}/${version}`, kind: m[2] };
}

export function renderManifests(resources: RecordedResource[]): ManifestDoc[] {
    const out: ManifestDoc[] = [];
    const used = new Set<string>();
    const unique = (base: string) => {
        let f = `${base}.yaml`;
        for (let i = 2; used.has(f); i++) f = `${base}-${i}.yaml`;
        used.add(f);
        return f;
    };
    for (const r of resources) {
        const k = objectKind(r);
        if (k) {
            const { apiVersion: _a, kind: _k, ...rest } = r.inputs;
            const doc = { apiVersion: k.apiVersion, kind: k.kind, ...rest };
            const md = (r.inputs["metadata"] ?? {}) as { name?: string; namespace?: string };
            const base = [k.kind, md.namespace, md.name ?? r.name].filter(Boolean).join("-").toLowerCase();
            out.push({ file: unique(base.replace(/[^a-z0-9.-]+/g, "-")), doc, kind: "object" });
        } else if (r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart") {
            const i = r.inputs as Record<string, unknown>;
            const repo = (i["repositoryOpts"] as { repo?: string } | undefined)?.repo;
            const doc = { chart: i["chart"], repo: repo ?? null, version: i["version"], namespace: i["namespace"] ?? null, releaseName: i["name"] ?? r.name, values: i["values"] ?? {} };
            out.push({ file: unique(`helm-${String(i["name"] ?? r.name).toLowerCase()}`), doc, kind: "helm" });
        }
    }
    return out;
}

/** Component layer of a recorded resource, from its type token or its ancestors'. */
function layerOf(r: RecordedResource, byUrn: Map<string, RecordedResource>): string {
    for (let cur: RecordedResource | undefined = r; cur; cur = byUrn.get(cur.parent)) {
        const m = /^inference-platform:stack:(\w+)Layer$/.exec(cur.type);
        if (m) return m[1].toLowerCase();
    }
    return "stack";
}

export function renderPlanMarkdown(result: PlanResult, manifests: ManifestDoc[]): string {
    const { config, resources, stack } = result;
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const lines: string[] = [];
    lines.push(`# Plan for stack \`${stack.name}\``, "", `Source: \`${stack.file}\``);
    if (stack.environments.length) {
        lines.push("", `ESC environments imported (not resolved offline; secrets planned as \`[secret]\`): ${stack.environments.map((e) => `\`${e}\``).join(", ")}`);
    }
    lines.push("", "## Physical layer: fleet", "", "| pool | nodes | accelerator | GPUs/node | memory | NVLink domain | RDMA |", "|---|---|---|---|---|---|---|");
    for (const p of config.fleet.pools) {
        lines.push(`| ${p.name} | ${p.nodes} | ${p.accelerator.vendor} ${p.accelerator.product} | ${p.accelerator.perNode} | ${p.accelerator.memoryGiB} GiB | ${p.nvlinkDomain} | ${p.rdma ? `${p.rdma.nicsPerNode} × ${p.rdma.resourceName}` : "—"} |`);
    }
    lines.push("", ...sizingMarkdown(config, planModels(config, result.plan?.models)));
    const components = resources.filter((r) => !r.custom && r.type.startsWith("inference-platform:"));
    for (const layer of ["platform", "engine", "serving"]) {
        const comps = components.filter((c) => layerOf(c, byUrn) === layer && !/Layer$/.test(c.type));
        lines.push("", `## ${layer[0].toUpperCase()}${layer.slice(1)} layer`, "");
        if (comps.length === 0) lines.push("(nothing in this stack)");
        for (const c of comps) lines.push(`- \`${c.type.split(":").pop()}\` ${c.name}`);
    }
    const helm = manifests.filter((m) => m.kind === "helm");
    if (helm.length) {
        lines.push("", "## Charts and versions", "", "| release | chart | version | namespace |", "|---|---|---|---|");
        for (const h of helm) lines.push(`| ${h.doc["releaseName"]} | ${h.doc["chart"]} | ${h.doc["version"]} | ${h.doc["namespace"] ?? ""} |`);
    }
    const counts = new Map<string, number>();
    for (const r of resources) if (r.custom) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    lines.push("", "## Resources", "", `${resources.length} registrations (${resources.filter((r) => r.custom).length} resources).`, "", "| type | count |", "|---|---|");
    for (const [t, n] of [...counts.entries()].sort()) lines.push(`| \`${t}\` | ${n} |`);
    return lines.join("\n") + "\n";
}

/** Write resources.json, manifests/ and plan.md (plus any extra files) into `outDir`, replacing what was there. */
export function writePlan(outDir: string, result: PlanResult, extra: Record<string, string> = {}): string[] {
    const manifests = renderManifests(result.resources);
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(outDir, "manifests"), { recursive: true });
    const written: string[] = [];
    const put = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
        fs.writeFileSync(path.join(outDir, rel), text);
        written.push(rel);
    };
    put(
        "resources.json",
        JSON.stringify(
            result.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, dependsOn: r.dependsOn, inputs: r.inputs })),
            null,
            2,
        ) + "\n",
    );
    for (const m of manifests) put(path.join("manifests", m.file), YAML.stringify(m.doc, { lineWidth: 0 }));
    put("plan.md", renderPlanMarkdown(result, manifests));
    for (const [rel, text] of Object.entries(extra)) put(rel, text);
    return written;
}

export type { StackConfig };
export { STRUCTURED_KEYS };
