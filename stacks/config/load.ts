/**
 * Reads and validates the stack config. Structured keys come from `config.requireObject`/`getObject`
 * and are parsed with the zod schema in ./schema; secrets come from `requireSecret`/`getSecret` and
 * stay `Output<string>` secrets. Every problem becomes one `ConfigError` line naming the config path,
 * the bad value and what is allowed — raised before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { envVarName } from "../../components/common/k8s-validation";
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
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        throw new ConfigError([`${CONFIG_NAMESPACE}: the stack config must be a mapping of ${STRUCTURED_KEYS.join(", ")}; got ${describe(raw)}`]);
    }
    const tooDeep = deepestPath(raw, MAX_DEPTH);
    if (tooDeep) {
        throw new ConfigError([`${path(tooDeep)}: nests more than ${MAX_DEPTH} levels deep; a stack config needs far fewer (check for a runaway anchor or generated document)`]);
    }
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
    const minor = Number(cfg.cluster.kubernetesVersion.split(".")[1]);
    cfg.models.forEach((m, i) => {
        if (minor < 32) {
            for (const key of Object.keys(m.env)) {
                const bad = envVarName(key, minor);
                if (bad) problems.push(`${path(["models", i, "env", key])}: got ${show(key)}; on Kubernetes ${cfg.cluster.kubernetesVersion} an environment variable name ${bad}`);
            }
        }
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
        // Map keys such as label keys ("nvidia.com/gpu.product") or env names are quoted.
        else if (i > 0 && !/^[A-Za-z_][\w-]*$/.test(String(s))) out += `[${JSON.stringify(String(s))}]`;
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
        case "custom": {
            // Rules on a map key (label keys, env names) report the key itself as the bad value.
            const params = (issue as { params?: { got?: unknown } }).params;
            return `${path(p)}: got ${show(params && "got" in params ? params.got : got)}; ${issue.message}`;
        }
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

/** Deepest nesting a stack config may have (the schema itself is about 6 levels; chart `values` add some). */
export const MAX_DEPTH = 64;

/** The path of the first value nested deeper than `max`, or undefined. Iterative: no recursion limit. */
export function deepestPath(root: unknown, max: number): PropertyKey[] | undefined {
    const stack: { v: unknown; p: PropertyKey[] }[] = [{ v: root, p: [] }];
    while (stack.length > 0) {
        const { v, p } = stack.pop()!;
        if (v === null || typeof v !== "object") continue;
        if (p.length >= max) return p;
        const entries: [PropertyKey, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
        for (const [k, x] of entries) stack.push({ v: x, p: [...p, k] });
    }
    return undefined;
}

/** A short description of a value of the wrong shape: its type, and the value when it is short. */
export function describe(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return `a list of ${v.length} item(s)`;
    if (typeof v === "object") return "a mapping";
    return `${typeof v} ${show(v)}`;
}

function dupes(xs: string[]): string[] {
    return [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];
}

function firstLine(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

export { servingModes };
