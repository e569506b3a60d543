/**
 * Architecture facts from a Hugging Face `config.json`: the shapes the planner needs (layers,
 * heads, KV heads, head size, MoE experts, MLA ranks, sliding-window layers), the parameter count
 * by part (embeddings, attention, MLP, experts) and the weights' bytes per part under the
 * checkpoint's quantisation. The built-in catalog is written as config.json excerpts and goes
 * through the same code, so a file and a catalog entry of the same model size identically.
 *
 * Reading files: {@link readModelConfig} reads `models[].config` (a config.json, or a directory
 * holding one) and the pre-filled hub cache (`<cache>/<org>/<name>/config.json`); it never uses
 * the network. Results are memoised per path and modification time.
 *
 * Field names follow transformers' configuration classes: LlamaConfig / Qwen2Config / Qwen3Config
 * / Qwen3MoeConfig / MixtralConfig / Gemma2Config / Gemma3TextConfig / DeepseekV3Config /
 * Llama4TextConfig / GptOssConfig / Phi3Config / CohereConfig / GraniteConfig / Glm4MoeConfig /
 * BertConfig / XLMRobertaConfig / OPTConfig; multimodal configs nest the language model under
 * `text_config` (Llama 4, Gemma 3, Mistral 3) and are read from there.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { floatBytes, QuantError, type QuantScheme, schemeFromQuantizationConfig } from "./quant";

type Json = Record<string, unknown>;

/** Parameter counts (not billions) per part of a model. */
export interface ParamParts {
    /** Token (+ learned position) embeddings. */
    embeddings: number;
    /** Output projection; 0 when tied to the embeddings. */
    lmHead: number;
    attention: number;
    /** MLP of dense layers. */
    denseMlp: number;
    /** Routed experts of MoE layers (all of them: every expert stays resident). */
    experts: number;
    sharedExperts: number;
    /** MoE routers and other small tensors kept in 16 bits. */
    router: number;
    /** Parts outside the language model (vision encoder), kept in 16 bits. */
    extra: number;
}

/** Shapes read from a config, before weights are sized. */
export interface ConfigShapes {
    modelType: string;
    hidden: number;
    layers: number;
    heads: number;
    kvHeads: number;
    headDim: number;
    vocab: number;
    /** MLP width of dense layers. */
    intermediate: number;
    /** MLP width each token passes through (dense, or top-k experts + shared). */
    activeFfn: number;
    mla?: { kvLoraRank: number; qkRopeHeadDim: number };
    moe?: { experts: number; perToken: number; shared: number; layers: number };
    slidingWindow?: { window: number; layers: number };
    /** Encoder-only (BERT-style embedding / reranker models): no KV cache. */
    encoderOnly: boolean;
    /** 16-bit dtype of the unquantised weights. */
    float: { kind: "bf16" | "fp16" | "fp32"; bytes: number };
    /** quantization_config, when the config has one. */
    quantizationConfig?: Json;
    /** max_position_embeddings, when given. */
    maxPositions?: number;
    parts: ParamParts;
}

/** A missing or malformed field; `field` is the config.json key. */
export class ConfigFieldError extends Error {
    readonly field: string;
    constructor(field: string, message: string) {
        super(message);
        this.name = "ConfigFieldError";
        this.field = field;
    }
}

const ENCODER_ONLY = new Set(["bert", "roberta", "xlm-roberta", "nomic_bert", "modernbert", "deberta-v2", "distilbert", "electra"]);
/** Model types whose MLP is two matrices (up, down) with a plain activation, not a gated three. */
const UNGATED_MLP = new Set(["bert", "roberta", "xlm-roberta", "distilbert", "electra", "deberta-v2", "opt", "gpt2", "gpt_bigcode", "phi", "starcoder2", "falcon"]);
/** Model types with learned absolute position embeddings (max_position_embeddings × hidden). */
const LEARNED_POSITIONS = new Set(["bert", "roberta", "xlm-roberta", "distilbert", "electra", "opt", "gpt2", "gpt_bigcode"]);

function num(c: Json, keys: string[], file: string, required: true): number;
function num(c: Json, keys: string[], file: string, required?: false): number | undefined;
function num(c: Json, keys: string[], file: string, required = false): number | undefined {
    for (const k of keys) {
        const v = c[k];
        if (v === undefined || v === null) continue;
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
            throw new ConfigFieldError(k, `${file}: "${k}" must be a non-negative number; got ${JSON.stringify(v)}`);
        }
        return v;
    }
    if (required) throw new ConfigFieldError(keys[0], `${file}: missing "${keys[0]}"${keys.length > 1 ? ` (or ${keys.slice(1).map((k) => `"${k}"`).join(", ")})` : ""}`);
    return undefined;
}

/**
 * Defaults of transformers' configuration classes for the fields the planner reads: published
 * config.json files omit fields equal to their class default (e.g. gemma-3-27b-it's text_config
 * has no vocab_size or sliding_window_pattern). Sources: transformers
 * models/<type>/configuration_<type>.py `__init__` defaults.
 */
const CLASS_DEFAULTS: Record<string, Json> = {
    llama: { tie_word_embeddings: false },
    llama4_text: { tie_word_embeddings: false, vocab_size: 202048 },
    mistral: { tie_word_embeddings: false },
    mixtral: { tie_word_embeddings: false },
    qwen2: { tie_word_embeddings: false },
    qwen2_5_vl: { tie_word_embeddings: false },
    qwen3: { tie_word_embeddings: false },
    qwen3_moe: { tie_word_embeddings: false },
    phi3: { tie_word_embeddings: false },
    phimoe: { tie_word_embeddings: false },
    deepseek_v3: { tie_word_embeddings: false },
    kimi_k2: { tie_word_embeddings: false },
    gpt_oss: { tie_word_embeddings: false },
    glm4: { tie_word_embeddings: false },
    glm4_moe: { tie_word_embeddings: false },
    granite: { tie_word_embeddings: false },
    gemma2: { tie_word_embeddings: true, vocab_size: 256000 },
    gemma3_text: { tie_word_embeddings: true, vocab_size: 262208, sliding_window_pattern: 6 },
    cohere: { tie_word_embeddings: true },
    cohere2: { tie_word_embeddings: true, sliding_window_pattern: 4 },
    opt: { tie_word_embeddings: true },
};

/** The language-model part of a (possibly multimodal) config, with top-level fields and class defaults as fallback. */
export function textConfig(raw: Json): Json {
    const inner = raw["text_config"] ?? raw["language_config"] ?? raw["llm_config"];
    let c = raw;
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
        const { text_config: _t, vision_config: _v, ...top } = raw;
        c = { ...top, ...(inner as Json) };
    }
    const defaults = CLASS_DEFAULTS[String(c["model_type"] ?? "")];
    return defaults ? { ...defaults, ...c } : c;
}

/**
 * Parameters of a vision encoder from `vision_config` (ViT/SigLIP-style): layers × (4·h² + 2·h·ffn)
 * plus a projector into the language model's hidden size. An estimate (±10%) for configs read
 * from files; catalog entries state the published figure.
 */
export function visionParams(raw: Json, textHidden: number): number {
    const v = raw["vision_config"];
    if (!v || typeof v !== "object" || Array.isArray(v)) return 0;
    const vc = v as Json;
    const n = (k: string[]) => {
        for (const key of k) if (typeof vc[key] === "number") return vc[key] as number;
        return 0;
    };
    const h = n(["hidden_size", "embed_dim", "width"]);
    const layers = n(["num_hidden_layers", "depth", "layers"]);
    const ffn = n(["intermediate_size", "mlp_dim"]) || 4 * h;
    if (!h || !layers) return 0;
    return layers * (4 * h * h + 2 * h * ffn) + h * textHidden;
}

/**
 * Shapes and parameter parts from a config.json object. `file` names the file (or catalog entry)
 * in errors. Throws {@link ConfigFieldError} naming the missing field.
 */
export function shapesFromConfig(raw: Json, file: string, extraParams?: number): ConfigShapes {
    const c = textConfig(raw);
    const modelType = String(c["model_type"] ?? raw["model_type"] ?? "");
    const hidden = num(c, ["hidden_size", "d_model", "n_embd"], file, true);
    const layers = num(c, ["num_hidden_layers", "n_layer", "num_layers"], file, true);
    const heads = num(c, ["num_attention_heads", "n_head"], file, true);
    if (layers === 0 || heads === 0 || hidden === 0) {
        const k = layers === 0 ? "num_hidden_layers" : heads === 0 ? "num_attention_heads" : "hidden_size";
        throw new ConfigFieldError(k, `${file}: "${k}" must be positive; got 0`);
    }
    const kvHeads = num(c, ["num_key_value_heads", "num_kv_heads"], file) ?? (c["multi_query"] ? 1 : heads);
    const headDim = num(c, ["head_dim"], file) ?? hidden / heads;
    const vocab = num(c, ["vocab_size"], file, true);
    const tiedField = raw["text_config"] !== undefined && raw["tie_word_embeddings"] !== undefined ? raw["tie_word_embeddings"] : c["tie_word_embeddings"];
    const tied = tiedField === undefined ? true : tiedField !== false;
    const encoderOnly = ENCODER_ONLY.has(modelType);
    const gated = !UNGATED_MLP.has(modelType);
    const mlpMats = gated ? 3 : 2;

    // Attention (multi-head latent attention when kv_lora_rank is set).
    const kvLoraRank = num(c, ["kv_lora_rank"], file);
    let attention: number;
    let mla: ConfigShapes["mla"];
    if (kvLoraRank) {
        const rope = num(c, ["qk_rope_head_dim"], file, true);
        const nope = num(c, ["qk_nope_head_dim"], file, true);
        const v = num(c, ["v_head_dim"], file) ?? nope;
        const qLora = num(c, ["q_lora_rank"], file);
        const q = qLora ? hidden * qLora + qLora * heads * (nope + rope) : hidden * heads * (nope + rope);
        attention = q + hidden * (kvLoraRank + rope) + kvLoraRank * heads * (nope + v) + heads * v * hidden;
        mla = { kvLoraRank, qkRopeHeadDim: rope };
    } else {
        attention = hidden * (heads + 2 * kvHeads) * headDim + heads * headDim * hidden;
    }
    if (kvHeads === 0 || heads % kvHeads !== 0) {
        throw new ConfigFieldError("num_key_value_heads", `${file}: "num_key_value_heads" ${kvHeads} must divide "num_attention_heads" ${heads}`);
    }

    // MLP: dense layers and MoE layers.
    const experts = num(c, ["n_routed_experts", "num_local_experts", "num_experts", "moe_num_experts"], file) ?? 0;
    const intermediate =
        num(c, ["intermediate_size_mlp"], file) ??
        num(c, ["intermediate_size", "ffn_dim", "n_inner", "ffn_hidden_size"], file) ??
        (experts > 1 ? 0 : 4 * hidden);
    let denseLayers = layers;
    let moe: ConfigShapes["moe"];
    let expertParams = 0;
    let sharedParams = 0;
    let router = 0;
    let activeFfn = intermediate;
    if (experts > 1) {
        const perToken = num(c, ["num_experts_per_tok", "experts_per_token", "moe_top_k"], file, true);
        const moeInter = num(c, ["moe_intermediate_size"], file) ?? num(c, ["intermediate_size"], file, true);
        const sharedN = num(c, ["n_shared_experts"], file);
        const sharedInter =
            num(c, ["shared_expert_intermediate_size"], file) ?? (sharedN ? sharedN * moeInter : modelType === "llama4_text" || modelType === "llama4" ? moeInter : 0);
        let moeLayers = layers;
        const firstDense = num(c, ["first_k_dense_replace"], file);
        const step = num(c, ["interleave_moe_layer_step", "decoder_sparse_step", "moe_layer_freq"], file);
        const mlpOnly = Array.isArray(c["mlp_only_layers"]) ? (c["mlp_only_layers"] as unknown[]).length : 0;
        if (firstDense !== undefined) moeLayers = layers - firstDense;
        else if (step && step > 1) moeLayers = Math.floor(layers / step);
        moeLayers = Math.max(0, moeLayers - mlpOnly);
        denseLayers = layers - moeLayers;
        expertParams = moeLayers * experts * mlpMats * hidden * moeInter;
        sharedParams = moeLayers * mlpMats * hidden * sharedInter;
        router = moeLayers * hidden * experts;
        moe = { experts, perToken, shared: sharedInter > 0 ? Math.max(1, sharedN ?? 1) : 0, layers: moeLayers };
        activeFfn = Math.max(denseLayers > 0 ? intermediate : 0, perToken * moeInter + sharedInter);
    }
    const denseMlp = denseLayers * mlpMats * hidden * intermediate;

    const maxPositions = num(c, ["max_position_embeddings", "n_positions"], file);
    const embeddings = vocab * hidden + (LEARNED_POSITIONS.has(modelType) && maxPositions ? maxPositions * hidden : 0);
    const lmHead = tied || encoderOnly ? 0 : vocab * hidden;

    const dtypeField = c["torch_dtype"] ?? c["dtype"] ?? raw["torch_dtype"] ?? raw["dtype"];
    const float = floatBytes(dtypeField ?? "bfloat16");
    if (!float) throw new ConfigFieldError("torch_dtype", `${file}: "torch_dtype" got ${JSON.stringify(dtypeField)}; allowed: bfloat16, float16, float32`);

    const qc = (raw["quantization_config"] ?? c["quantization_config"]) as Json | undefined;
    return {
        modelType,
        hidden,
        layers,
        heads,
        kvHeads,
        headDim,
        vocab,
        intermediate,
        activeFfn,
        ...(mla ? { mla } : {}),
        ...(moe ? { moe } : {}),
        ...slidingWindowOf(c, modelType, layers, file),
        encoderOnly,
        float,
        ...(qc && typeof qc === "object" ? { quantizationConfig: qc } : {}),
        ...(maxPositions ? { maxPositions } : {}),
        parts: { embeddings, lmHead, attention: layers * attention, denseMlp, experts: expertParams, sharedExperts: sharedParams, router, extra: extraParams ?? visionParams(raw, hidden) },
    };
}

/**
 * Sliding-window layers: `layer_types` (gpt-oss, newer Gemma/Qwen configs) when present; else
 * Gemma 3's `sliding_window_pattern` (every pattern-th layer global); Gemma 2 alternates (even
 * layers local); Cohere 2 `sliding_window_pattern` likewise; a plain `sliding_window` with
 * `use_sliding_window` not false (Mistral-7B-v0.1) covers every layer. Qwen2/3 ship
 * `use_sliding_window: false`, which means none.
 */
function slidingWindowOf(c: Json, modelType: string, layers: number, file: string): { slidingWindow?: { window: number; layers: number } } {
    const window = num(c, ["sliding_window", "attention_window"], file);
    if (!window || c["use_sliding_window"] === false) return {};
    const types = c["layer_types"];
    if (Array.isArray(types)) {
        const n = types.filter((t) => t === "sliding_attention").length;
        return n > 0 ? { slidingWindow: { window, layers: n } } : {};
    }
    const pattern = num(c, ["sliding_window_pattern"], file);
    if (pattern && pattern > 1) return { slidingWindow: { window, layers: layers - Math.floor(layers / pattern) } };
    if (modelType === "gemma2") return { slidingWindow: { window, layers: Math.ceil(layers / 2) } };
    if (modelType.startsWith("gemma3")) return { slidingWindow: { window, layers: layers - Math.floor(layers / 6) } };
    if (modelType === "qwen2" || modelType === "qwen3" || modelType === "qwen2_moe" || modelType === "qwen3_moe") return {};
    return { slidingWindow: { window, layers } };
}

/** Total parameters of the parts. */
export function totalParams(p: ParamParts): number {
    return p.embeddings + p.lmHead + p.attention + p.denseMlp + p.experts + p.sharedExperts + p.router + p.extra;
}

/** Parameters a token passes through: everything but the experts it is not routed to. */
export function activeParams(s: ConfigShapes): number {
    const p = s.parts;
    const idle = s.moe ? p.experts * (1 - s.moe.perToken / s.moe.experts) : 0;
    return totalParams(p) - idle - p.extra;
}

/** The scheme a config's own quantization_config gives, or its 16-bit dtype. */
export function nativeScheme(s: ConfigShapes): QuantScheme | undefined {
    return s.quantizationConfig ? schemeFromQuantizationConfig(s.quantizationConfig) : undefined;
}

/** Weight parts (params in billions, bytes per param) under a scheme; undefined scheme = 16-bit. */
export function weightParts(s: ConfigShapes, scheme: QuantScheme | undefined): { what: string; paramsB: number; dtype: string; bytesPerParam: number }[] {
    const p = s.parts;
    const f = s.float;
    const out: { what: string; paramsB: number; dtype: string; bytesPerParam: number }[] = [];
    const add = (what: string, n: number, q: boolean) => {
        if (n <= 0) return;
        const dtype = q && scheme ? scheme.kind : f.kind;
        const bytes = q && scheme ? scheme.bytesPerParam : f.bytes;
        // Routed experts stay their own part: expert parallelism shards them differently.
        const same = what === "MoE experts" ? undefined : out.find((o) => o.what !== "MoE experts" && o.dtype === dtype && o.bytesPerParam === bytes);
        if (same) {
            same.what += `, ${what}`;
            same.paramsB += n / 1e9;
        } else out.push({ what, paramsB: n / 1e9, dtype, bytesPerParam: bytes });
    };
    const expertsOnly = scheme?.scope === "experts" && p.experts > 0;
    add("MoE experts", p.experts, true);
    add("attention", p.attention, !expertsOnly && !scheme?.keep16.attention);
    add("MLP", p.denseMlp, !expertsOnly && !scheme?.keep16.denseMlp);
    add("shared experts", p.sharedExperts, !expertsOnly && !scheme?.keep16.sharedExperts);
    add("router", p.router, false);
    add("embeddings", p.embeddings, false);
    add("lm_head", p.lmHead, false);
    add("vision encoder", p.extra, false);
    return out;
}

/** A config.json as read from disk, parsed. */
export interface ReadConfig {
    file: string;
    json: Json;
}

const memo = new Map<string, { mtimeMs: number; value: ReadConfig }>();

/** A config.json that cannot be used; `field` is the key (or "" for the file itself). */
export class ConfigFileError extends Error {
    readonly field: string;
    constructor(field: string, message: string) {
        super(message);
        this.name = "ConfigFileError";
        this.field = field;
    }
}

/**
 * Read `config.json` from a file path or a directory holding one (relative paths resolve from
 * `baseDir`, default the working directory — the Pulumi project directory). Throws
 * {@link ConfigFileError} naming the file when it is missing, unreadable or not a JSON object.
 */
export function readModelConfig(p: string, baseDir = process.cwd()): ReadConfig {
    let file = path.resolve(baseDir, p);
    let st: fs.Stats;
    try {
        st = fs.statSync(file);
        if (st.isDirectory()) {
            file = path.join(file, "config.json");
            st = fs.statSync(file);
        }
    } catch {
        throw new ConfigFileError("", `${file}: no such file (expected a config.json or a directory holding one)`);
    }
    const hit = memo.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs) return hit.value;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new ConfigFileError("", `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new ConfigFileError("", `${file}: not valid JSON (${(e as Error).message})`);
    }
    if (!json || typeof json !== "object" || Array.isArray(json)) throw new ConfigFileError("", `${file}: not a JSON object`);
    const value = { file, json: json as Json };
    memo.set(file, { mtimeMs: st.mtimeMs, value });
    return value;
}

/**
 * The hub config cache: `$INFERENCE_PLATFORM_MODEL_CONFIGS`, else
 * `${XDG_CACHE_HOME:-~/.cache}/inference-platform/model-configs`. A hub id `org/name` is looked
 * up as `<cache>/org/name/config.json`. The planner only reads it (pre-filled, e.g. by
 * `huggingface-cli download <id> config.json --local-dir <cache>/<id>`); it never downloads.
 */
export function modelConfigCacheDir(env: NodeJS.ProcessEnv = process.env): string {
    if (env["INFERENCE_PLATFORM_MODEL_CONFIGS"]) return env["INFERENCE_PLATFORM_MODEL_CONFIGS"];
    const base = env["XDG_CACHE_HOME"] || path.join(os.homedir(), ".cache");
    return path.join(base, "inference-platform", "model-configs");
}

/** The cached config.json of a hub id, or undefined when the cache has none. */
export function cachedModelConfig(id: string, cacheDir = modelConfigCacheDir()): ReadConfig | undefined {
    const clean = id.trim().replace(/^hf:\/\//, "");
    if (!/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(clean)) return undefined;
    const file = path.join(cacheDir, clean, "config.json");
    if (!fs.existsSync(file)) return undefined;
    return readModelConfig(file, "/");
}

export { QuantError };
