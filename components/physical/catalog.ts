/**
 * Model architectures: what the sizing planner needs to know about a model, and how a
 * `models[i]` entry gets it. In order of precedence:
 *
 * 1. `models[i].size` — architecture facts written in the stack (wins over everything);
 * 2. `models[i].config` — a local `config.json` (or a directory holding one), read with
 *    hfconfig.ts;
 * 3. the built-in catalog (catalog-data.ts) by id, aliases, or — for quantised releases
 *    (`…-FP8`, `…-AWQ`, `…-GPTQ-Int4`, `…-NVFP4`, `….w4a16` …) — the base id left after the
 *    quantisation suffix;
 * 4. the pre-filled hub config cache (`<cache>/<org>/<name>/config.json`, hfconfig.ts) — never
 *    the network.
 *
 * Weight bytes follow the checkpoint's quantisation, in order: `models[i].dtype`; the config's
 * `quantization_config` (a file from 2./4.); the name suffix; the catalog entry's own format
 * (DeepSeek FP8 blocks, gpt-oss MXFP4); else the 16-bit dtype.
 *
 * Pure functions apart from reading config.json files (memoised); no Pulumi imports.
 */
import { CATALOG_ENTRIES, type CatalogEntry } from "./catalog-data";
import {
    activeParams,
    cachedModelConfig,
    ConfigFieldError,
    ConfigFileError,
    type ConfigShapes,
    nativeScheme,
    readModelConfig,
    shapesFromConfig,
    totalParams,
    weightParts,
} from "./hfconfig";
import { QUANT_KINDS, QuantError, type QuantKind, type QuantScheme, quantFromName, schemeOfKind } from "./quant";

/** A planning error: names the config path, the numbers and a fix. */
export class PlanError extends Error {
    /** Config path the error is about, e.g. `models[0].parallelism.tensor`. */
    readonly path: string;
    constructor(path: string, message: string) {
        super(`${path}: ${message}`);
        this.name = "PlanError";
        this.path = path;
    }
}

/** Weights stored in one precision (a model may mix, e.g. MXFP4 experts + bf16 attention). */
export interface WeightPart {
    /** What these weights are, e.g. "MoE experts". */
    what: string;
    /** Parameters in billions. */
    paramsB: number;
    /** Storage format, e.g. "bf16", "fp8", "mxfp4". */
    dtype: string;
    /** Bytes per parameter as stored and served, scales included (mxfp4: 4.25 bits). */
    bytesPerParam: number;
}

/** Architecture facts the planner uses. */
export interface ModelArchitecture {
    /** Canonical Hugging Face id, e.g. "meta-llama/Llama-3.3-70B-Instruct". */
    id: string;
    /** Other ids that resolve to the same architecture (base/instruct, re-releases). */
    aliases: string[];
    /** Total parameters in billions (what must sit in GPU memory). */
    paramsB: number;
    /** Parameters active per token in billions (MoE); equals paramsB for dense models. */
    activeParamsB: number;
    /** Transformer layers (`num_hidden_layers`). */
    layers: number;
    /** Query heads (`num_attention_heads`). */
    attentionHeads: number;
    /** Key/value heads (`num_key_value_heads`; = attentionHeads for MHA). */
    kvHeads: number;
    /** Dimension per head. */
    headDim: number;
    /** Weight format, e.g. "bf16", "fp8", "mxfp4 (MoE) + bf16", "int4 (AWQ, group 128) + bf16". */
    dtype: string;
    /** Weights by precision; their sum is the weights' memory. */
    weights: WeightPart[];
    /**
     * Multi-head latent attention (DeepSeek V2/V3/R1, Kimi-K2): the KV cache holds one compressed
     * latent of `kvLoraRank + qkRopeHeadDim` values per token per layer instead of K and V per head.
     */
    mla?: { kvLoraRank: number; qkRopeHeadDim: number };
    /** Layers that attend only to a sliding window of recent tokens (their KV is capped at `window`). */
    slidingWindow?: { window: number; layers: number };
    /** Mixture of experts: experts per layer and experts routed per token. */
    moe?: { experts: number; perToken: number };
    /** Hidden size (activation estimate); absent for `size` entries. */
    hiddenSize?: number;
    /** MLP width a token passes through (dense, or top-k experts + shared). */
    activeFfn?: number;
    /** Vocabulary (logits in the sampler). */
    vocabSize?: number;
    /** Encoder-only embedding/reranker model: no KV cache. */
    encoderOnly?: boolean;
    /** Quantisation and where it was read, e.g. "fp8 (name suffix)". */
    quantization?: string;
    /** Where the facts come from. */
    source: string;
}

/** Bytes per parameter of MXFP4: 32 four-bit values share one 8-bit scale → 4.25 bits. */
export const MXFP4_BYTES_PER_PARAM = 4.25 / 8;

function dtypeLabel(float: { kind: string }, scheme: QuantScheme, hasMoe: boolean, weights: WeightPart[]): string {
    const kinds = new Set(weights.map((w) => w.dtype));
    const q = scheme.scope === "experts" && hasMoe ? `${scheme.kind} (MoE)` : scheme.kind;
    return kinds.size > 1 ? `${q} + ${float.kind}` : q;
}

/**
 * The 16-bit dtype weights are served in: float32 checkpoints (bge, MiniLM, gemma-2-2b) are
 * served in 16 bits by vLLM and SGLang under `--dtype auto` (vLLM config/model.py
 * `_resolve_auto_dtype`: float32 checkpoints run in float16/bfloat16).
 */
function servedFloat(s: ConfigShapes): { kind: "bf16" | "fp16" | "fp32"; bytes: number } {
    return s.float.kind === "fp32" ? { kind: "bf16", bytes: 2 } : s.float;
}

const FLOAT_KINDS = new Set(["bf16", "fp16", "fp32"]);

/** An architecture from config shapes under a quantisation scheme (undefined = 16-bit). */
export function architectureOf(id: string, aliases: string[], source: string, shapes: ConfigShapes, scheme: QuantScheme | undefined): ModelArchitecture {
    const isFloat = scheme !== undefined && FLOAT_KINDS.has(scheme.kind);
    const float = isFloat ? { kind: scheme.kind as "bf16" | "fp16" | "fp32", bytes: scheme.bytesPerParam } : servedFloat(shapes);
    const quant = isFloat ? undefined : scheme;
    const weights = weightParts({ ...shapes, float }, quant);
    return {
        id,
        aliases,
        paramsB: totalParams(shapes.parts) / 1e9,
        activeParamsB: activeParams(shapes) / 1e9,
        layers: shapes.layers,
        attentionHeads: shapes.heads,
        kvHeads: shapes.kvHeads,
        headDim: shapes.headDim,
        dtype: quant ? dtypeLabel(float, quant, Boolean(shapes.moe), weights) : float.kind,
        weights,
        ...(shapes.mla ? { mla: shapes.mla } : {}),
        ...(shapes.slidingWindow ? { slidingWindow: shapes.slidingWindow } : {}),
        ...(shapes.moe ? { moe: { experts: shapes.moe.experts, perToken: shapes.moe.perToken } } : {}),
        hiddenSize: shapes.hidden,
        activeFfn: shapes.activeFfn,
        vocabSize: shapes.vocab,
        ...(shapes.encoderOnly ? { encoderOnly: true } : {}),
        ...(scheme ? { quantization: `${scheme.label} (${scheme.from})` } : {}),
        source,
    };
}

/**
 * Normalise a model id for lookup: case-insensitive, without `hf://`, without the org prefix,
 * without `-Instruct`, and "Meta-Llama-…" treated as "Llama-…".
 */
export function normalizeModelId(id: string): string {
    let s = id.trim().toLowerCase().replace(/^hf:\/\//, "");
    s = s.split("/").pop() ?? s;
    s = s.replace(/-instruct(?=$|-)/, "");
    s = s.replace(/^meta-llama-/, "llama-");
    return s;
}

interface Indexed {
    entry: CatalogEntry;
    shapes: ConfigShapes;
    native: QuantScheme | undefined;
}

const indexed: Indexed[] = CATALOG_ENTRIES.map((entry) => {
    const shapes = shapesFromConfig(entry.config, `catalog:${entry.id}`, (entry.extraParamsB ?? 0) * 1e9);
    return { entry, shapes, native: nativeScheme(shapes) };
});

const byKey: Map<string, Indexed> = (() => {
    const m = new Map<string, Indexed>();
    for (const x of indexed) for (const id of [x.entry.id, ...(x.entry.aliases ?? [])]) m.set(normalizeModelId(id), x);
    return m;
})();

/** The built-in catalog, each model at its published checkpoint format. */
export const MODEL_CATALOG: readonly ModelArchitecture[] = indexed.map((x) => architectureOf(x.entry.id, x.entry.aliases ?? [], x.entry.source, x.shapes, x.native));

/** Catalog entries (published facts and config excerpts), for tests and docs. */
export { CATALOG_ENTRIES };

/** Catalog ids, for error messages and docs. */
export function knownModelIds(): string[] {
    return CATALOG_ENTRIES.map((e) => e.id);
}

const archMemo = new Map<string, ModelArchitecture>();

function catalogArchitecture(x: Indexed, scheme: QuantScheme | undefined, id?: string): ModelArchitecture {
    const key = `${x.entry.id}|${id ?? ""}|${scheme ? `${scheme.kind}:${scheme.bytesPerParam}:${scheme.scope}:${scheme.from}:${scheme.label}` : "-"}`;
    let a = archMemo.get(key);
    if (!a) {
        a = architectureOf(id ?? x.entry.id, id ? [] : x.entry.aliases ?? [], x.entry.source, x.shapes, scheme);
        archMemo.set(key, a);
    }
    return a;
}

/** The catalog entry for an id (exact, alias, or the base of a quantised release) and the suffix scheme. */
function findCatalog(id: string): { x: Indexed; suffix?: QuantScheme } | undefined {
    const exact = byKey.get(normalizeModelId(id));
    if (exact) return { x: exact };
    const q = quantFromName(id);
    if (!q) return undefined;
    const base = byKey.get(normalizeModelId(q.baseId));
    return base ? { x: base, suffix: q.scheme } : undefined;
}

/**
 * Look a model up in the catalog by Hugging Face id (see {@link normalizeModelId}); a quantised
 * release resolves to its base architecture with the weights its suffix names
 * (`Qwen/Qwen3-32B-AWQ` → Qwen3-32B with int4 weights).
 */
export function lookupModel(id: string): ModelArchitecture | undefined {
    const f = findCatalog(id);
    if (!f) return undefined;
    return f.suffix ? catalogArchitecture(f.x, f.suffix, id) : catalogArchitecture(f.x, f.x.native);
}

/** `models[i].size` as the planner reads it: the fleet vocabulary's ModelSize (components/types.ts). */
export type { ModelSize } from "../types";
import type { ModelSize } from "../types";

/** What of `models[i]` the architecture depends on. */
export interface ModelRef {
    model: string;
    size?: ModelSize;
    /** Path of a config.json or a directory holding one. */
    config?: string;
    /** Quantisation override. */
    dtype?: QuantKind;
}

function dtypeForBytes(b: number): string {
    if (b === 2) return "bf16";
    if (b === 1) return "fp8";
    if (b === 4) return "fp32";
    if (Math.abs(b - MXFP4_BYTES_PER_PARAM) < 1e-9 || b === 0.5) return "4-bit";
    return `${b} B/param`;
}

/** True when {@link resolveArchitecture} can size the model without reading a file it lacks. */
export function knowsArchitecture(model: ModelRef): boolean {
    return Boolean(model.size || model.config || findCatalog(model.model) || cachedModelConfig(model.model));
}

/** Turn a config-reading failure into a PlanError on `models[i].config` naming the file and field. */
function configError(path: string, e: unknown, file: string): PlanError {
    if (e instanceof ConfigFieldError || e instanceof ConfigFileError) return new PlanError(`${path}.config`, e.message);
    if (e instanceof QuantError) return new PlanError(`${path}.config`, `${file}: ${e.field}: ${e.message}`);
    throw e;
}

/**
 * Architecture facts for `models[index]` (precedence in the file comment); otherwise a
 * {@link PlanError} on `models[index].config` listing the known ids.
 */
export function resolveArchitecture(model: ModelRef, path = "models[?]"): ModelArchitecture {
    const override = model.dtype ? schemeOfKind(model.dtype, "models[].dtype") : undefined;
    if (model.size) {
        const s = model.size;
        if (s.attentionHeads % s.kvHeads !== 0) {
            throw new PlanError(
                `${path}.size.kvHeads`,
                `${s.kvHeads} KV heads must divide the ${s.attentionHeads} attention heads (grouped-query attention)`,
            );
        }
        const bytes = override?.bytesPerParam ?? s.bytesPerParam ?? 2;
        const dtype = override ? override.kind : dtypeForBytes(bytes);
        return {
            id: model.model,
            aliases: [],
            paramsB: s.paramsB,
            activeParamsB: s.activeParamsB ?? s.paramsB,
            layers: s.layers,
            attentionHeads: s.attentionHeads,
            kvHeads: s.kvHeads,
            headDim: s.headDim,
            dtype,
            weights: [{ what: "all", paramsB: s.paramsB, dtype, bytesPerParam: bytes }],
            source: `${path}.size`,
        };
    }
    if (model.config) {
        let file = model.config;
        try {
            const read = readModelConfig(model.config);
            file = read.file;
            const shapes = shapesFromConfig(read.json, read.file);
            const scheme = override ?? nativeScheme(shapes) ?? quantFromName(model.model)?.scheme;
            return architectureOf(model.model, [], read.file, shapes, scheme);
        } catch (e) {
            throw configError(path, e, file);
        }
    }
    const found = findCatalog(model.model);
    if (found) {
        const scheme = override ?? found.suffix ?? found.x.native;
        return override || found.suffix ? catalogArchitecture(found.x, scheme, model.model) : catalogArchitecture(found.x, scheme);
    }
    const cached = cachedModelConfig(model.model);
    if (cached) {
        try {
            const shapes = shapesFromConfig(cached.json, cached.file);
            const scheme = override ?? nativeScheme(shapes) ?? quantFromName(model.model)?.scheme;
            return architectureOf(model.model, [], cached.file, shapes, scheme);
        } catch (e) {
            throw configError(path, e, cached.file);
        }
    }
    throw new PlanError(
        `${path}.config`,
        `"${model.model}" is not in the built-in model catalog (nor in the model config cache); point ${path}.config at its config.json ` +
            `(or a directory holding it), or give ${path}.size {paramsB, layers, attentionHeads, kvHeads, headDim, bytesPerParam}; ` +
            `known models: ${knownModelIds().join(", ")}`,
    );
}

/** The dtype values `models[].dtype` accepts. */
export { QUANT_KINDS };

/** Bytes of all weights. */
export function weightBytes(a: ModelArchitecture): number {
    return a.weights.reduce((sum, w) => sum + w.paramsB * 1e9 * w.bytesPerParam, 0);
}

/** Bytes of the routed-expert weights (the part named "MoE experts"); 0 for dense models and `size` entries. */
export function expertWeightBytes(a: ModelArchitecture): number {
    return a.weights.filter((w) => w.what === "MoE experts").reduce((sum, w) => sum + w.paramsB * 1e9 * w.bytesPerParam, 0);
}

/** Average bytes per parameter over all weights (e.g. ≈0.56 for gpt-oss-120b). */
export function effectiveBytesPerParam(a: ModelArchitecture): number {
    return weightBytes(a) / (a.paramsB * 1e9);
}

/**
 * KV-cache bytes per token for the whole model (all layers, all KV heads, no replication):
 * - standard/GQA attention: 2 (K and V) × layers × kvHeads × headDim × kvBytes;
 * - MLA (DeepSeek): layers × (kvLoraRank + qkRopeHeadDim) × kvBytes — one compressed latent
 *   per token per layer (vLLM's MLA cache shape is [blocks, block_size, 1, kv_lora_rank +
 *   qk_rope_head_dim]); with kvBytes 2 that is 61 × 576 × 2 = 70,272 B/token, ~1/57 of what
 *   128 full K/V heads would take;
 * - encoder-only models (BERT-style embeddings/rerankers) keep no KV cache: 0.
 * Sliding-window layers are counted here at full length; {@link kvBytesForSequence} caps them.
 */
export function kvBytesPerToken(a: ModelArchitecture, kvBytes = 2): number {
    if (a.encoderOnly) return 0;
    if (a.mla) return a.layers * (a.mla.kvLoraRank + a.mla.qkRopeHeadDim) * kvBytes;
    return 2 * a.layers * a.kvHeads * a.headDim * kvBytes;
}

/**
 * KV-cache bytes for one sequence of `tokens` tokens, whole model: full-attention layers hold
 * every token, sliding-window layers at most `window` tokens.
 */
export function kvBytesForSequence(a: ModelArchitecture, tokens: number, kvBytes = 2): number {
    const perLayerToken = kvBytesPerToken(a, kvBytes) / a.layers;
    const sw = a.slidingWindow;
    const slidingLayers = sw ? sw.layers : 0;
    const fullLayers = a.layers - slidingLayers;
    return perLayerToken * (fullLayers * tokens + slidingLayers * Math.min(tokens, sw ? sw.window : tokens));
}
