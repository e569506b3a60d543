/**
 * Model catalog: architecture facts the sizing planner needs for well-known models, and the
 * lookup that turns a `models[i]` entry into those facts (catalog or `models[i].size`).
 *
 * Pure data and functions — no Pulumi imports.
 *
 * Every entry cites where its numbers come from. "config.json" means the model's Hugging Face
 * `config.json` (fields `num_hidden_layers`, `num_attention_heads`, `num_key_value_heads`,
 * `head_dim` or `hidden_size / num_attention_heads`, `torch_dtype`, `quantization_config`);
 * parameter counts come from the model card, or — where the card only rounds — from the
 * config's shapes (written out in the comment so they can be re-checked).
 */

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
    /** Bytes per parameter as stored and served (mxfp4: 4 bits + one 8-bit scale per 32 = 4.25 bits). */
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
    /** Native weight format as published, e.g. "bf16", "fp8", "mxfp4 (MoE) + bf16". */
    dtype: string;
    /** Weights by precision; their sum is the weights' memory. */
    weights: WeightPart[];
    /**
     * Multi-head latent attention (DeepSeek V2/V3/R1): the KV cache holds one compressed latent
     * of `kvLoraRank + qkRopeHeadDim` values per token per layer instead of K and V per head.
     */
    mla?: { kvLoraRank: number; qkRopeHeadDim: number };
    /** Layers that attend only to a sliding window of recent tokens (their KV is capped at `window`). */
    slidingWindow?: { window: number; layers: number };
    /** Mixture of experts: experts per layer and experts routed per token. */
    moe?: { experts: number; perToken: number };
    /** Where the facts come from. */
    source: string;
}

const bf16 = (what: string, paramsB: number): WeightPart => ({ what, paramsB, dtype: "bf16", bytesPerParam: 2 });

/** Bytes per parameter of MXFP4: 32 four-bit values share one 8-bit scale → 4.25 bits. */
export const MXFP4_BYTES_PER_PARAM = 4.25 / 8;

/**
 * The built-in catalog. Parameter counts for dense Llama/Qwen models are the config shapes
 * summed (embeddings + layers × (attention + MLP)), which reproduce the model cards' rounded
 * figures (8.03B, 3.21B, 70.6B, 405B, 32.8B).
 */
/**
 * DeepSeek-V3's architecture, shared by R1 (post-trained from V3-Base). Facts and sources in the
 * V3 entry below: 671B total / 37B active, 61 layers, 128 heads, MLA (512 + 64), FP8 layers with
 * bf16 embeddings and lm_head, 256 routed experts (8 per token).
 */
const DEEPSEEK_V3_ARCHITECTURE: Omit<ModelArchitecture, "id" | "aliases" | "source"> = {
    paramsB: 671,
    activeParamsB: 37,
    layers: 61,
    attentionHeads: 128,
    kvHeads: 128,
    headDim: 128,
    dtype: "fp8",
    // Routed experts: 58 MoE layers (61 − first_k_dense_replace 3) × 256 experts × 3 × 7168 × 2048
    // (hidden × moe_intermediate_size) = 653.91B; the rest of the fp8 layers (attention, dense
    // MLPs, shared experts, gates) 15.24B.
    weights: [
        { what: "MoE experts", paramsB: 653.91, dtype: "fp8", bytesPerParam: 1 },
        { what: "layers", paramsB: 15.24, dtype: "fp8", bytesPerParam: 1 },
        bf16("embeddings, lm_head", 1.85),
    ],
    mla: { kvLoraRank: 512, qkRopeHeadDim: 64 },
    moe: { experts: 256, perToken: 8 },
};

export const MODEL_CATALOG: readonly ModelArchitecture[] = [
    {
        // https://huggingface.co/Qwen/Qwen3-0.6B/blob/main/config.json: 28 layers, 16 heads,
        // 8 KV heads, head_dim 128, hidden 1024, tie_word_embeddings true, bfloat16.
        // Model card: "Number of Parameters: 0.6B; Non-Embedding: 0.44B" (0.44B + 151936×1024 embedding = 0.596B).
        id: "Qwen/Qwen3-0.6B",
        aliases: ["Qwen/Qwen3-0.6B-Base"],
        paramsB: 0.596,
        activeParamsB: 0.596,
        layers: 28,
        attentionHeads: 16,
        kvHeads: 8,
        headDim: 128,
        dtype: "bf16",
        weights: [bf16("all", 0.596)],
        source: "huggingface.co/Qwen/Qwen3-0.6B config.json + model card",
    },
    {
        // https://huggingface.co/Qwen/Qwen3-32B/blob/main/config.json: 64 layers, 64 heads, 8 KV heads,
        // head_dim 128, hidden 5120, intermediate 25600, vocab 151936, untied, bfloat16. Card: 32.8B.
        id: "Qwen/Qwen3-32B",
        aliases: [],
        paramsB: 32.76,
        activeParamsB: 32.76,
        layers: 64,
        attentionHeads: 64,
        kvHeads: 8,
        headDim: 128,
        dtype: "bf16",
        weights: [bf16("all", 32.76)],
        source: "huggingface.co/Qwen/Qwen3-32B config.json + model card (32.8B)",
    },
    {
        // https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json: 32 layers, 32 heads,
        // 8 KV heads, hidden 4096 (head_dim 128), intermediate 14336, vocab 128256, untied, bfloat16.
        // 2×128256×4096 + 32×(2×4096² + 2×4096×1024 + 3×4096×14336) ≈ 8.03B (card: 8B).
        id: "meta-llama/Llama-3.1-8B-Instruct",
        aliases: ["meta-llama/Llama-3.1-8B", "meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3.1-8B"],
        paramsB: 8.03,
        activeParamsB: 8.03,
        layers: 32,
        attentionHeads: 32,
        kvHeads: 8,
        headDim: 128,
        dtype: "bf16",
        weights: [bf16("all", 8.03)],
        source: "huggingface.co/meta-llama/Llama-3.1-8B config.json + model card",
    },
    {
        // https://huggingface.co/meta-llama/Meta-Llama-3-8B/blob/main/config.json: same shapes as
        // Llama-3.1-8B (32 layers, 32 heads, 8 KV heads, hidden 4096) with 8192 max positions; bfloat16.
        // Used by the Triton + TensorRT-LLM example.
        id: "meta-llama/Meta-Llama-3-8B-Instruct",
        aliases: ["meta-llama/Meta-Llama-3-8B", "Llama-3-8B"],
        paramsB: 8.03,
        activeParamsB: 8.03,
        layers: 32,
        attentionHeads: 32,
        kvHeads: 8,
        headDim: 128,
        dtype: "bf16",
        weights: [bf16("all", 8.03)],
        source: "huggingface.co/meta-llama/Meta-Llama-3-8B config.json + model card",
    },
    {
        // https://huggingface.co/meta-llama/Llama-3.2-3B/blob/main/config.json: 28 layers, 24 heads,
        // 8 KV heads, head_dim 128, hidden 3072, intermediate 8192, tie_word_embeddings true, bfloat16.
        // 128256×3072 + 28×(2×3072² + 2×3072×1024 + 3×3072×8192) ≈ 3.21B (card: 3.21B).
        id: "meta-llama/Llama-3.2-3B-Instruct",
        aliases: ["meta-llama/Llama-3.2-3B"],
        paramsB: 3.21,
        activeParamsB: 3.21,
        layers: 28,
        attentionHeads: 24,
        kvHeads: 8,
        headDim: 128,
        dtype: "bf16",
        weights: [bf16("all", 3.21)],
        source: "huggingface.co/meta-llama/Llama-3.2-3B config.json + model card",
    },
    {
        // https://huggingface.co/meta-llama/Llama-3.3-70B-Instruct/blob/main/config.json: 80 layers,
        // 64 heads, 8 KV heads, hidden 8192 (head_dim 128), intermediate 28672, vocab 128256, bfloat16.
        // 2×128256×8192 + 80×(2×8192² + 2×8192×1024 + 3×8192×28672) ≈ 70.55B (card: 70B).
        id: "meta-llama/Llama-3.3-70B-Instruct",
        aliases: ["meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-70B", "meta-llama/Meta-Llama-3.1-70B-Instruct"],
        paramsB: 70.55,
        activeParamsB: 70.55,
        layers: 80,
        attentionHeads: 64,
        kvHeads: 8,
        headDim: 128,
        dtype: "bf16",
        weights: [bf16("all", 70.55)],
        source: "huggingface.co/meta-llama/Llama-3.3-70B-Instruct config.json + model card",
    },
    {
        // https://huggingface.co/meta-llama/Llama-3.1-405B-Instruct/blob/main/config.json: 126 layers,
        // 128 heads, 8 KV heads, head_dim 128, hidden 16384, intermediate 53248, bfloat16. (The first
        // upload said num_key_value_heads 16; Meta corrected it to 8, matching the Llama 3 paper.)
        // 2×128256×16384 + 126×(2×16384² + 2×16384×1024 + 3×16384×53248) ≈ 405.85B (card: 405B).
        id: "meta-llama/Llama-3.1-405B-Instruct",
        aliases: ["meta-llama/Llama-3.1-405B", "meta-llama/Meta-Llama-3.1-405B-Instruct", "meta-llama/Meta-Llama-3.1-405B"],
        paramsB: 405.85,
        activeParamsB: 405.85,
        layers: 126,
        attentionHeads: 128,
        kvHeads: 8,
        headDim: 128,
        dtype: "bf16",
        weights: [bf16("all", 405.85)],
        source: "huggingface.co/meta-llama/Llama-3.1-405B-Instruct config.json + model card; Llama 3 paper (arXiv 2407.21783) table 3",
    },
    {
        // https://huggingface.co/openai/gpt-oss-20b/blob/main/config.json: 24 layers, 64 heads,
        // 8 KV heads, head_dim 64, 32 experts (4 per token), sliding_window 128 on alternate layers
        // (layer_types sliding/full), quantization_config mxfp4 with self_attn, router, embeddings
        // and lm_head left in bf16. Model card (arXiv 2508.10925): 20.91B total, 3.61B active;
        // MLP 19.12B, attention 0.64B, embed+unembed 1.16B; "runs within 16GB of memory".
        id: "openai/gpt-oss-20b",
        aliases: [],
        paramsB: 20.91,
        activeParamsB: 3.61,
        layers: 24,
        attentionHeads: 64,
        kvHeads: 8,
        headDim: 64,
        dtype: "mxfp4 (MoE) + bf16",
        weights: [
            { what: "MoE experts", paramsB: 19.12, dtype: "mxfp4", bytesPerParam: MXFP4_BYTES_PER_PARAM },
            bf16("attention, router, embeddings", 1.79),
        ],
        slidingWindow: { window: 128, layers: 12 },
        moe: { experts: 32, perToken: 4 },
        source: "huggingface.co/openai/gpt-oss-20b config.json + gpt-oss model card (arXiv 2508.10925)",
    },
    {
        // https://huggingface.co/openai/gpt-oss-120b/blob/main/config.json: 36 layers, 64 heads,
        // 8 KV heads, head_dim 64, 128 experts (4 per token), sliding_window 128 on alternate layers,
        // MXFP4 MoE weights, bf16 attention/router/embeddings. Model card: 116.83B total, 5.13B
        // active; MLP 114.71B, attention 0.96B, embed+unembed 1.16B; "fits into a single 80GB GPU
        // (like NVIDIA H100)".
        id: "openai/gpt-oss-120b",
        aliases: [],
        paramsB: 116.83,
        activeParamsB: 5.13,
        layers: 36,
        attentionHeads: 64,
        kvHeads: 8,
        headDim: 64,
        dtype: "mxfp4 (MoE) + bf16",
        weights: [
            { what: "MoE experts", paramsB: 114.71, dtype: "mxfp4", bytesPerParam: MXFP4_BYTES_PER_PARAM },
            bf16("attention, router, embeddings", 2.12),
        ],
        slidingWindow: { window: 128, layers: 18 },
        moe: { experts: 128, perToken: 4 },
        source: "huggingface.co/openai/gpt-oss-120b config.json + gpt-oss model card (arXiv 2508.10925)",
    },
    {
        // https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json: 61 layers, 128 heads,
        // num_key_value_heads 128, kv_lora_rank 512, qk_rope_head_dim 64, qk_nope_head_dim 128,
        // v_head_dim 128, 256 routed + 1 shared experts (8 per token), vocab 129280, hidden 7168,
        // quantization_config fp8 (e4m3, 128×128 blocks). Model card: 671B total, 37B active
        // (the 685B on the Hub includes the 14B multi-token-prediction module, not loaded for
        // plain serving). Embeddings + lm_head (2×129280×7168 = 1.85B) are bf16, the rest fp8.
        id: "deepseek-ai/DeepSeek-V3",
        aliases: ["deepseek-ai/DeepSeek-V3-0324", "deepseek-ai/DeepSeek-V3-Base"],
        ...DEEPSEEK_V3_ARCHITECTURE,
        source: "huggingface.co/deepseek-ai/DeepSeek-V3 config.json + model card + README_WEIGHTS.md",
    },
    {
        // https://huggingface.co/deepseek-ai/DeepSeek-R1/blob/main/config.json: same architecture as
        // DeepSeek-V3 (R1 is post-trained from V3-Base): 61 layers, 128 heads, MLA (512 + 64), fp8.
        // Model card: 671B total, 37B activated.
        id: "deepseek-ai/DeepSeek-R1",
        aliases: ["deepseek-ai/DeepSeek-R1-0528", "deepseek-ai/DeepSeek-R1-Zero"],
        ...DEEPSEEK_V3_ARCHITECTURE,
        source: "huggingface.co/deepseek-ai/DeepSeek-R1 config.json + model card",
    },
    {
        // https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json: 32 layers, 32 heads,
        // 8 KV heads, hidden 4096 (head_dim 128), 8 local experts (2 per token), bfloat16.
        // Model card / release post: 46.7B total, 12.9B per token. Sized as full attention.
        id: "mistralai/Mixtral-8x7B-Instruct-v0.1",
        aliases: ["mistralai/Mixtral-8x7B-v0.1", "Mixtral-8x7B"],
        paramsB: 46.7,
        activeParamsB: 12.9,
        layers: 32,
        attentionHeads: 32,
        kvHeads: 8,
        headDim: 128,
        dtype: "bf16",
        weights: [bf16("all", 46.7)],
        moe: { experts: 8, perToken: 2 },
        source: "huggingface.co/mistralai/Mixtral-8x7B-v0.1 config.json + model card",
    },
    {
        // https://huggingface.co/facebook/opt-125m/blob/main/config.json: 12 layers, 12 heads (MHA),
        // hidden 768 (head_dim 64), torch_dtype float16. Model card / OPT paper: 125M.
        id: "facebook/opt-125m",
        aliases: [],
        paramsB: 0.125,
        activeParamsB: 0.125,
        layers: 12,
        attentionHeads: 12,
        kvHeads: 12,
        headDim: 64,
        dtype: "fp16",
        weights: [{ what: "all", paramsB: 0.125, dtype: "fp16", bytesPerParam: 2 }],
        source: "huggingface.co/facebook/opt-125m config.json + OPT paper (arXiv 2205.01068)",
    },
];

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

const byKey: Map<string, ModelArchitecture> = (() => {
    const m = new Map<string, ModelArchitecture>();
    for (const a of MODEL_CATALOG) {
        for (const id of [a.id, ...a.aliases]) m.set(normalizeModelId(id), a);
    }
    return m;
})();

/** Catalog ids, for error messages and docs. */
export function knownModelIds(): string[] {
    return MODEL_CATALOG.map((a) => a.id);
}

/** Look a model up in the catalog by Hugging Face id (see {@link normalizeModelId}). */
export function lookupModel(id: string): ModelArchitecture | undefined {
    return byKey.get(normalizeModelId(id));
}

/** `models[i].size` as the planner reads it (zod output of modelSizeSchema). */
export interface ModelSize {
    paramsB: number;
    activeParamsB?: number;
    layers: number;
    attentionHeads: number;
    kvHeads: number;
    headDim: number;
    bytesPerParam?: number;
}

function dtypeForBytes(b: number): string {
    if (b === 2) return "bf16";
    if (b === 1) return "fp8";
    if (b === 4) return "fp32";
    if (Math.abs(b - MXFP4_BYTES_PER_PARAM) < 1e-9 || b === 0.5) return "4-bit";
    return `${b} B/param`;
}

/**
 * Architecture facts for `models[index]`: `size` when given (it wins, so a quantised variant of
 * a catalog model can state its own bytes), else the catalog; otherwise a {@link PlanError}
 * naming `models[index].size` and listing the known ids.
 */
export function resolveArchitecture(model: { model: string; size?: ModelSize }, path = "models[?]"): ModelArchitecture {
    if (model.size) {
        const s = model.size;
        if (s.attentionHeads % s.kvHeads !== 0) {
            throw new PlanError(
                `${path}.size.kvHeads`,
                `${s.kvHeads} KV heads must divide the ${s.attentionHeads} attention heads (grouped-query attention)`,
            );
        }
        const bytes = s.bytesPerParam ?? 2;
        return {
            id: model.model,
            aliases: [],
            paramsB: s.paramsB,
            activeParamsB: s.activeParamsB ?? s.paramsB,
            layers: s.layers,
            attentionHeads: s.attentionHeads,
            kvHeads: s.kvHeads,
            headDim: s.headDim,
            dtype: dtypeForBytes(bytes),
            weights: [{ what: "all", paramsB: s.paramsB, dtype: dtypeForBytes(bytes), bytesPerParam: bytes }],
            source: `${path}.size`,
        };
    }
    const found = lookupModel(model.model);
    if (found) return found;
    throw new PlanError(
        `${path}.size`,
        `"${model.model}" is not in the built-in model catalog; give its architecture as ` +
            `${path}.size {paramsB, layers, attentionHeads, kvHeads, headDim, bytesPerParam} ` +
            `or use a known model: ${knownModelIds().join(", ")}`,
    );
}

/** Bytes of all weights. */
export function weightBytes(a: ModelArchitecture): number {
    return a.weights.reduce((sum, w) => sum + w.paramsB * 1e9 * w.bytesPerParam, 0);
}

/** Bytes of the routed-expert weights (the parts named "MoE experts"); 0 when the catalog does not split them out. */
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
 *   128 full K/V heads would take.
 * Sliding-window layers are counted here at full length; {@link kvBytesForSequence} caps them.
 */
export function kvBytesPerToken(a: ModelArchitecture, kvBytes = 2): number {
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
