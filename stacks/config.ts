/**
 * Reads and validates the stack config. Structured keys come from `config.requireObject`/`getObject`
 * and are parsed with the zod schema in ./schema; secrets come from `requireSecret`/`getSecret` and
 * stay `Output<string>` secrets. Every problem becomes one `ConfigError` line naming the config path,
 * the bad value and what is allowed — raised before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { resolvePool } from "../components/physical/fleet";
import { z } from "zod";
import {
    ParsedStackConfig,
    stackConfigSchema,
    ModelConfig,
    PoolConfig,
    servingModes,
} from "./schema";

export * from "./schema";

export const CONFIG_NAMESPACE = "inference-platform";

/** The structured (non-secret) config keys, in the order they are read. */
export const STRUCTURED_KEYS = ["cluster", "fleet", "platform", "models"] as const;
/** Secret config keys; never read with getObject (that returns plain text). */
export const SECRET_KEYS = ["hfToken", "ngcApiKey", "kubeconfig"] as const;

/** A bad stack config. `message` is one line per problem, each starting with the config path. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "ConfigError";
    }
}

export interface StackSecrets {
    /** Hugging Face token for gated models (Secret `hf-token`, key `HF_TOKEN`). */
    hfToken?: pulumi.Output<string>;
    /** NGC API key for NIM images and models. */
    ngcApiKey?: pulumi.Output<string>;
    /** kubeconfig contents for the Kubernetes provider; else `cluster.context` / the ambient kubeconfig. */
    kubeconfig?: pulumi.Output<string>;
}

export interface StackConfig extends ParsedStackConfig {
    secrets: StackSecrets;
}

/** Validate raw structured config (what `requireObject` returns), plus cross-field rules. Pure. */
export function parseStackConfig(raw: Record<string, unknown>): ParsedStackConfig {
    const unknownKeys = Object.keys(raw).filter((k) => !(STRUCTURED_KEYS as readonly string[]).includes(k));
    const problems: string[] = unknownKeys.map(
        (k) => `${CONFIG_NAMESPACE}:${k}: unknown config key; allowed: ${[...STRUCTURED_KEYS, ...SECRET_KEYS].join(", ")}`,
    );
    const result = stackConfigSchema.safeParse(raw);
    if (!result.success) {
        problems.push(...result.error.issues.map((i) => formatIssue(i, raw)));
        throw new ConfigError(problems);
    }
    problems.push(...crossChecks(result.data));
    if (problems.length > 0) throw new ConfigError(problems);
    return result.data;
}

/** Rules across keys that a per-field schema cannot express. */
function crossChecks(cfg: ParsedStackConfig): string[] {
    const problems: string[] = [];
    const poolNames = cfg.fleet.pools.map((p) => p.name);
    dupes(poolNames).forEach((n) => problems.push(`${path(["fleet", "pools"])}: pool name "${n}" is used more than once; pool names must be unique`));
    dupes(cfg.models.map((m) => m.name)).forEach((n) =>
        problems.push(`${path(["models"])}: model name "${n}" is used more than once; set a unique models[].name`),
    );
    cfg.models.forEach((m, i) => {
        if (m.pool === undefined) {
            if (cfg.fleet.pools.length > 1) {
                problems.push(`${path(["models", i, "pool"])}: required when the fleet has more than one pool; allowed: ${poolNames.join(", ")}`);
            }
        } else if (!poolNames.includes(m.pool)) {
            problems.push(`${path(["models", i, "pool"])}: got "${m.pool}"; allowed: ${poolNames.join(", ")}`);
        }
    });
    return problems;
}

/** The pool a model runs on (after parseStackConfig, this always exists). */
export function poolOf(cfg: ParsedStackConfig, model: ModelConfig): PoolConfig {
    return resolvePool(cfg.fleet.pools, model.pool, `models[${cfg.models.indexOf(model)}].pool`).pool;
}

/** Read and validate the whole stack config from Pulumi config. Throws ConfigError. */
export function loadStackConfig(config: pulumi.Config = new pulumi.Config(CONFIG_NAMESPACE)): StackConfig {
    const raw: Record<string, unknown> = {};
    const known = [...STRUCTURED_KEYS, ...SECRET_KEYS] as readonly string[];
    // A typo in a key (e.g. `modles`) would otherwise be silently ignored.
    const problems: string[] = Object.keys(pulumi.runtime.allConfig())
        .filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`) && !known.includes(k.slice(CONFIG_NAMESPACE.length + 1)))
        .map((k) => `${k}: unknown config key; allowed: ${known.join(", ")}`);
    for (const key of STRUCTURED_KEYS) {
        try {
            const v = key === "fleet" ? config.requireObject<unknown>(key) : config.getObject<unknown>(key);
            if (v !== undefined) raw[key] = v;
        } catch (e) {
            problems.push(`${CONFIG_NAMESPACE}:${key}: ${firstLine(e)}${key === "fleet" ? "; a stack needs at least one node pool (see README, Physical layer)" : ""}`);
        }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    const parsed = parseStackConfig(raw);
    const secrets: StackSecrets = {
        hfToken: config.getSecret("hfToken"),
        ngcApiKey: config.getSecret("ngcApiKey"),
        kubeconfig: config.getSecret("kubeconfig"),
    };
    const nimModels = parsed.models.map((m, i) => [m, i] as const).filter(([m]) => m.serving === "nim");
    if (nimModels.length > 0 && !secrets.ngcApiKey) {
        throw new ConfigError([
            `${CONFIG_NAMESPACE}:ngcApiKey: required because models[${nimModels[0][1]}] uses serving "nim"; set it with \`pulumi config set --secret ngcApiKey <key>\``,
        ]);
    }
    return { ...parsed, secrets };
}

// ── error formatting ─────────────────────────────────────────────────────────────────

/** `["models", 1, "parallelism", "tensor"]` → `inference-platform:models[1].parallelism.tensor`. */
export function path(segments: readonly PropertyKey[]): string {
    let out = CONFIG_NAMESPACE + ":";
    segments.forEach((s, i) => {
        if (typeof s === "number") out += `[${s}]`;
        else out += (i === 0 ? "" : ".") + String(s);
    });
    return out;
}

function valueAt(raw: unknown, segments: readonly PropertyKey[]): unknown {
    let v: unknown = raw;
    for (const s of segments) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<PropertyKey, unknown>)[s];
    }
    return v;
}

function show(v: unknown): string {
    if (v === undefined) return "nothing";
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

function formatIssue(issue: z.core.$ZodIssue, raw: unknown): string {
    const p = issue.path;
    const got = valueAt(raw, p);
    switch (issue.code) {
        case "invalid_value":
            return `${path(p)}: got ${show(got)}; allowed: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "unrecognized_keys":
            return issue.keys
                .map((k) => `${path([...p, k])}: unknown field; allowed: ${allowedKeys(p).join(", ") || "(see README)"}`)
                .join("\n");
        case "invalid_type":
            return got === undefined
                ? `${path(p)}: required (${issue.expected})`
                : `${path(p)}: got ${show(got)}; expected ${issue.expected}`;
        case "invalid_union":
            if (p.at(-1) === "parallelism") return `${path(p)}: got ${show(got)}; allowed: "auto" or {tensor, pipeline, data} (positive integers)`;
            return `${path(p)}: got ${show(got)}; ${issue.message}`;
        case "too_small":
        case "too_big":
            return `${path(p)}: got ${show(got)}; ${issue.message.replace(/^Too (small|big): expected (\w+) to have /, "must have ").replace(/^Too (small|big): expected \w+ to be /, "must be ")}`;
        default:
            return `${path(p)}: got ${show(got)}; ${issue.message}`;
    }
}

/** Keys allowed at a path, read from the schema (for "unknown field" messages). */
function allowedKeys(p: readonly PropertyKey[]): string[] {
    let s: z.ZodType = stackConfigSchema;
    for (const seg of p) {
        s = unwrap(s);
        if (typeof seg === "number" && s instanceof z.ZodArray) s = s.element as z.ZodType;
        else if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(seg)];
        else return [];
        if (!s) return [];
    }
    s = unwrap(s);
    return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
    for (;;) {
        const def = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
        if (def.innerType) s = def.innerType;
        else if (def.type === "pipe" && def.in) s = def.in;
        else return s;
    }
}

function dupes(xs: string[]): string[] {
    return [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];
}

function firstLine(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

export { servingModes };
