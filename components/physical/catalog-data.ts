/**
 * The built-in model catalog as data: for each model, the config.json fields the planner reads
 * (copied from the model's published `config.json` on the Hugging Face Hub — `source` names the
 * repository; `https://huggingface.co/<source>/blob/main/config.json`), the parameter count its
 * model card publishes (`cardParamsB`, checked against the shapes by test/physical/catalog.test.ts)
 * and aliases (re-releases, distills and renames with the same shapes). Quantised variants
 * (`…-FP8`, `…-AWQ`, `…-GPTQ-Int4`, `…-NVFP4`, `….w4a16` …) resolve to these entries through
 * their name suffix (quant.ts), so they are not listed.
 *
 * Pure data — no Pulumi imports.
 */

type Json = Record<string, unknown>;

export interface CatalogEntry {
    /** Canonical Hugging Face id. */
    id: string;
    /** Other ids with the same architecture and checkpoint format. */
    aliases?: string[];
    /** config.json excerpt (field names and values as published). */
    config: Json;
    /** Total parameters the model card (or the Hub's safetensors count) publishes, billions. */
    cardParamsB: number;
    /** Active parameters per token the card publishes (MoE), billions. */
    cardActiveB?: number;
    /** Parameters outside the language model (vision encoder + projector), billions; kept 16-bit. */
    extraParamsB?: number;
    /** Where the facts come from: Hub repositories (config.json + model card) and papers. */
    source: string;
    /** Embedding or reranking model (served by the engine's pooling runner). */
    pooling?: boolean;
}

const bf16 = { torch_dtype: "bfloat16" };

/** gpt-oss alternates sliding (128-token window) and full attention, starting with sliding. */
const alternating = (n: number): string[] => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? "sliding_attention" : "full_attention"));

/** DeepSeek-V3's text shapes (also R1, V3.1 and, with other sizes, Kimi-K2). */
const DEEPSEEK_V3: Json = {
    model_type: "deepseek_v3",
    hidden_size: 7168,
    num_hidden_layers: 61,
    num_attention_heads: 128,
    num_key_value_heads: 128,
    q_lora_rank: 1536,
    kv_lora_rank: 512,
    qk_rope_head_dim: 64,
    qk_nope_head_dim: 128,
    v_head_dim: 128,
    intermediate_size: 18432,
    moe_intermediate_size: 2048,
    n_routed_experts: 256,
    n_shared_experts: 1,
    num_experts_per_tok: 8,
    first_k_dense_replace: 3,
    moe_layer_freq: 1,
    vocab_size: 129280,
    tie_word_embeddings: false,
    max_position_embeddings: 163840,
    ...bf16,
    quantization_config: { quant_method: "fp8", fmt: "e4m3", activation_scheme: "dynamic", weight_block_size: [128, 128] },
};

const LLAMA31_8B: Json = { model_type: "llama", hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 14336, vocab_size: 128256, tie_word_embeddings: false, max_position_embeddings: 131072, ...bf16 };
const LLAMA33_70B: Json = { model_type: "llama", hidden_size: 8192, num_hidden_layers: 80, num_attention_heads: 64, num_key_value_heads: 8, intermediate_size: 28672, vocab_size: 128256, tie_word_embeddings: false, max_position_embeddings: 131072, ...bf16 };
const QWEN25 = (hidden: number, layers: number, heads: number, kv: number, inter: number, vocab: number, tied: boolean, extra: Json = {}): Json => ({
    model_type: "qwen2",
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kv,
    intermediate_size: inter,
    vocab_size: vocab,
    tie_word_embeddings: tied,
    use_sliding_window: false,
    sliding_window: 131072,
    max_position_embeddings: 32768,
    ...bf16,
    ...extra,
});
const QWEN3 = (hidden: number, layers: number, heads: number, inter: number, tied: boolean, extra: Json = {}): Json => ({
    model_type: "qwen3",
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: 8,
    head_dim: 128,
    intermediate_size: inter,
    vocab_size: 151936,
    tie_word_embeddings: tied,
    use_sliding_window: false,
    max_position_embeddings: 40960,
    ...bf16,
    ...extra,
});
const QWEN3_MOE = (hidden: number, layers: number, heads: number, kv: number, moeInter: number, experts: number, extra: Json = {}): Json => ({
    model_type: "qwen3_moe",
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kv,
    head_dim: 128,
    moe_intermediate_size: moeInter,
    num_experts: experts,
    num_experts_per_tok: 8,
    decoder_sparse_step: 1,
    mlp_only_layers: [],
    vocab_size: 151936,
    tie_word_embeddings: false,
    use_sliding_window: false,
    max_position_embeddings: 40960,
    ...bf16,
    ...extra,
});
const GEMMA3_TEXT = (hidden: number, layers: number, heads: number, kv: number, headDim: number, inter: number): Json => ({
    model_type: "gemma3_text",
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kv,
    head_dim: headDim,
    intermediate_size: inter,
    vocab_size: 262208,
    sliding_window: 1024,
    sliding_window_pattern: 6,
    max_position_embeddings: 131072,
    ...bf16,
});
const MISTRAL = (hidden: number, layers: number, heads: number, inter: number, vocab: number, extra: Json = {}): Json => ({
    model_type: "mistral",
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: 8,
    head_dim: 128,
    intermediate_size: inter,
    vocab_size: vocab,
    tie_word_embeddings: false,
    sliding_window: null,
    ...bf16,
    ...extra,
});
const PHI3 = (hidden: number, layers: number, heads: number, kv: number, inter: number, vocab: number, tied: boolean): Json => ({
    model_type: "phi3",
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kv,
    intermediate_size: inter,
    vocab_size: vocab,
    tie_word_embeddings: tied,
    ...bf16,
});
const COHERE = (type: string, hidden: number, layers: number, heads: number, kv: number, inter: number, extra: Json = {}): Json => ({
    model_type: type,
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kv,
    intermediate_size: inter,
    vocab_size: 256000,
    tie_word_embeddings: true,
    ...bf16,
    ...extra,
});
const XLM_ROBERTA_LARGE = (maxPos: number): Json => ({
    model_type: "xlm-roberta",
    hidden_size: 1024,
    num_hidden_layers: 24,
    num_attention_heads: 16,
    intermediate_size: 4096,
    vocab_size: 250002,
    max_position_embeddings: maxPos,
    torch_dtype: "float32",
});

export const CATALOG_ENTRIES: readonly CatalogEntry[] = [
    // ── Meta Llama ──────────────────────────────────────────────────────────────────
    {
        id: "meta-llama/Llama-3.2-1B-Instruct",
        aliases: ["meta-llama/Llama-3.2-1B"],
        config: { model_type: "llama", hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, intermediate_size: 8192, vocab_size: 128256, tie_word_embeddings: true, ...bf16 },
        cardParamsB: 1.24,
        source: "huggingface.co/meta-llama/Llama-3.2-1B config.json + model card (1.23B)",
    },
    {
        id: "meta-llama/Llama-3.2-3B-Instruct",
        aliases: ["meta-llama/Llama-3.2-3B"],
        config: { model_type: "llama", hidden_size: 3072, num_hidden_layers: 28, num_attention_heads: 24, num_key_value_heads: 8, head_dim: 128, intermediate_size: 8192, vocab_size: 128256, tie_word_embeddings: true, ...bf16 },
        cardParamsB: 3.21,
        source: "huggingface.co/meta-llama/Llama-3.2-3B config.json + model card (3.21B)",
    },
    {
        id: "meta-llama/Llama-3.1-8B-Instruct",
        aliases: ["meta-llama/Llama-3.1-8B", "meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3.1-8B"],
        config: LLAMA31_8B,
        cardParamsB: 8.03,
        source: "huggingface.co/meta-llama/Llama-3.1-8B config.json + model card (8B; Hub count 8.03B)",
    },
    {
        // Same shapes as Llama-3.1-8B with 8192 positions; used by the Triton + TensorRT-LLM example.
        id: "meta-llama/Meta-Llama-3-8B-Instruct",
        aliases: ["meta-llama/Meta-Llama-3-8B", "Llama-3-8B"],
        config: { ...LLAMA31_8B, max_position_embeddings: 8192 },
        cardParamsB: 8.03,
        source: "huggingface.co/meta-llama/Meta-Llama-3-8B config.json + model card",
    },
    {
        id: "meta-llama/Llama-3.3-70B-Instruct",
        aliases: ["meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-70B", "meta-llama/Meta-Llama-3.1-70B-Instruct", "meta-llama/Meta-Llama-3-70B-Instruct", "nvidia/Llama-3.1-Nemotron-70B-Instruct-HF"],
        config: LLAMA33_70B,
        cardParamsB: 70.6,
        source: "huggingface.co/meta-llama/Llama-3.3-70B-Instruct config.json + model card (70B; Hub count 70.6B)",
    },
    {
        // The first upload said num_key_value_heads 16; Meta corrected it to 8 (Llama 3 paper, table 3).
        id: "meta-llama/Llama-3.1-405B-Instruct",
        aliases: ["meta-llama/Llama-3.1-405B", "meta-llama/Meta-Llama-3.1-405B-Instruct", "meta-llama/Meta-Llama-3.1-405B"],
        config: { model_type: "llama", hidden_size: 16384, num_hidden_layers: 126, num_attention_heads: 128, num_key_value_heads: 8, intermediate_size: 53248, vocab_size: 128256, tie_word_embeddings: false, max_position_embeddings: 131072, ...bf16 },
        cardParamsB: 405.9,
        source: "huggingface.co/meta-llama/Llama-3.1-405B-Instruct config.json + model card; Llama 3 paper (arXiv 2407.21783) table 3",
    },
    {
        // text_config of Llama4ForConditionalGeneration: 16 routed experts (1 per token) + 1 shared
        // expert on every layer; the vision encoder is the rest of the Hub's 108.6B.
        id: "meta-llama/Llama-4-Scout-17B-16E-Instruct",
        aliases: ["meta-llama/Llama-4-Scout-17B-16E"],
        config: {
            model_type: "llama4",
            text_config: { model_type: "llama4_text", hidden_size: 5120, num_hidden_layers: 48, num_attention_heads: 40, num_key_value_heads: 8, head_dim: 128, intermediate_size: 8192, intermediate_size_mlp: 16384, num_local_experts: 16, num_experts_per_tok: 1, interleave_moe_layer_step: 1, vocab_size: 202048, tie_word_embeddings: false, max_position_embeddings: 10485760 },
            ...bf16,
        },
        extraParamsB: 0.9,
        cardParamsB: 108.6,
        cardActiveB: 17,
        source: "huggingface.co/meta-llama/Llama-4-Scout-17B-16E-Instruct config.json + model card (17B active, 109B total)",
    },
    {
        // MoE on every other layer (interleave_moe_layer_step 2), 128 routed experts + 1 shared.
        id: "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
        aliases: ["meta-llama/Llama-4-Maverick-17B-128E"],
        config: {
            model_type: "llama4",
            text_config: { model_type: "llama4_text", hidden_size: 5120, num_hidden_layers: 48, num_attention_heads: 40, num_key_value_heads: 8, head_dim: 128, intermediate_size: 8192, intermediate_size_mlp: 16384, num_local_experts: 128, num_experts_per_tok: 1, interleave_moe_layer_step: 2, vocab_size: 202048, tie_word_embeddings: false, max_position_embeddings: 1048576 },
            ...bf16,
        },
        extraParamsB: 0.9,
        cardParamsB: 401.6,
        cardActiveB: 17,
        source: "huggingface.co/meta-llama/Llama-4-Maverick-17B-128E-Instruct config.json + model card (17B active, 400B total)",
    },
    // ── Qwen ────────────────────────────────────────────────────────────────────────
    { id: "Qwen/Qwen2.5-0.5B-Instruct", aliases: ["Qwen/Qwen2.5-0.5B"], config: QWEN25(896, 24, 14, 2, 4864, 151936, true), cardParamsB: 0.49, source: "huggingface.co/Qwen/Qwen2.5-0.5B-Instruct config.json + model card (0.49B)" },
    { id: "Qwen/Qwen2.5-1.5B-Instruct", aliases: ["Qwen/Qwen2.5-1.5B", "Qwen/Qwen2.5-Coder-1.5B-Instruct"], config: QWEN25(1536, 28, 12, 2, 8960, 151936, true), cardParamsB: 1.54, source: "huggingface.co/Qwen/Qwen2.5-1.5B-Instruct config.json + model card (1.54B)" },
    { id: "Qwen/Qwen2.5-3B-Instruct", aliases: ["Qwen/Qwen2.5-3B"], config: QWEN25(2048, 36, 16, 2, 11008, 151936, true), cardParamsB: 3.09, source: "huggingface.co/Qwen/Qwen2.5-3B-Instruct config.json + model card (3.09B)" },
    { id: "Qwen/Qwen2.5-7B-Instruct", aliases: ["Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-Coder-7B-Instruct", "Qwen/Qwen2.5-Math-7B"], config: QWEN25(3584, 28, 28, 4, 18944, 152064, false), cardParamsB: 7.61, source: "huggingface.co/Qwen/Qwen2.5-7B-Instruct config.json + model card (7.61B)" },
    { id: "Qwen/Qwen2.5-14B-Instruct", aliases: ["Qwen/Qwen2.5-14B", "Qwen/Qwen2.5-Coder-14B-Instruct"], config: QWEN25(5120, 48, 40, 8, 13824, 152064, false), cardParamsB: 14.7, source: "huggingface.co/Qwen/Qwen2.5-14B-Instruct config.json + model card (14.7B)" },
    { id: "Qwen/Qwen2.5-32B-Instruct", aliases: ["Qwen/Qwen2.5-32B", "Qwen/Qwen2.5-Coder-32B-Instruct"], config: QWEN25(5120, 64, 40, 8, 27648, 152064, false), cardParamsB: 32.5, source: "huggingface.co/Qwen/Qwen2.5-32B-Instruct config.json + model card (32.5B)" },
    { id: "Qwen/Qwen2.5-72B-Instruct", aliases: ["Qwen/Qwen2.5-72B", "Qwen/Qwen2.5-Math-72B-Instruct"], config: QWEN25(8192, 80, 64, 8, 29568, 152064, false), cardParamsB: 72.7, source: "huggingface.co/Qwen/Qwen2.5-72B-Instruct config.json + model card (72.7B)" },
    { id: "Qwen/QwQ-32B", aliases: ["Qwen/QwQ-32B-Preview"], config: QWEN25(5120, 64, 40, 8, 27648, 152064, false, { max_position_embeddings: 40960 }), cardParamsB: 32.5, source: "huggingface.co/Qwen/QwQ-32B config.json + model card (32.5B)" },
    {
        id: "Qwen/Qwen2.5-VL-7B-Instruct",
        config: QWEN25(3584, 28, 28, 4, 18944, 152064, false, { model_type: "qwen2_5_vl", max_position_embeddings: 128000 }),
        extraParamsB: 0.68,
        cardParamsB: 8.29,
        source: "huggingface.co/Qwen/Qwen2.5-VL-7B-Instruct config.json + Hub safetensors count (8.29B)",
    },
    {
        id: "Qwen/Qwen2.5-VL-72B-Instruct",
        config: QWEN25(8192, 80, 64, 8, 29568, 152064, false, { model_type: "qwen2_5_vl", max_position_embeddings: 128000 }),
        extraParamsB: 0.68,
        cardParamsB: 73.4,
        source: "huggingface.co/Qwen/Qwen2.5-VL-72B-Instruct config.json + Hub safetensors count (73.4B)",
    },
    { id: "Qwen/Qwen3-0.6B", aliases: ["Qwen/Qwen3-0.6B-Base"], config: QWEN3(1024, 28, 16, 3072, true), cardParamsB: 0.6, source: "huggingface.co/Qwen/Qwen3-0.6B config.json + model card (0.6B; non-embedding 0.44B)" },
    { id: "Qwen/Qwen3-1.7B", aliases: ["Qwen/Qwen3-1.7B-Base"], config: QWEN3(2048, 28, 16, 6144, true), cardParamsB: 1.7, source: "huggingface.co/Qwen/Qwen3-1.7B config.json + model card (1.7B)" },
    { id: "Qwen/Qwen3-4B", aliases: ["Qwen/Qwen3-4B-Base", "Qwen/Qwen3-4B-Instruct-2507", "Qwen/Qwen3-4B-Thinking-2507"], config: QWEN3(2560, 36, 32, 9728, true), cardParamsB: 4.0, source: "huggingface.co/Qwen/Qwen3-4B config.json + model card (4.0B)" },
    { id: "Qwen/Qwen3-8B", aliases: ["Qwen/Qwen3-8B-Base"], config: QWEN3(4096, 36, 32, 12288, false), cardParamsB: 8.2, source: "huggingface.co/Qwen/Qwen3-8B config.json + model card (8.2B)" },
    { id: "Qwen/Qwen3-14B", aliases: ["Qwen/Qwen3-14B-Base"], config: QWEN3(5120, 40, 40, 17408, false), cardParamsB: 14.8, source: "huggingface.co/Qwen/Qwen3-14B config.json + model card (14.8B)" },
    { id: "Qwen/Qwen3-32B", config: QWEN3(5120, 64, 64, 25600, false), cardParamsB: 32.8, source: "huggingface.co/Qwen/Qwen3-32B config.json + model card (32.8B)" },
    {
        id: "Qwen/Qwen3-30B-A3B",
        aliases: ["Qwen/Qwen3-30B-A3B-Base", "Qwen/Qwen3-30B-A3B-Instruct-2507", "Qwen/Qwen3-30B-A3B-Thinking-2507", "Qwen/Qwen3-Coder-30B-A3B-Instruct"],
        config: QWEN3_MOE(2048, 48, 32, 4, 768, 128, { intermediate_size: 6144 }),
        cardParamsB: 30.5,
        cardActiveB: 3.3,
        source: "huggingface.co/Qwen/Qwen3-30B-A3B config.json + model card (30.5B total, 3.3B activated)",
    },
    {
        id: "Qwen/Qwen3-235B-A22B",
        aliases: ["Qwen/Qwen3-235B-A22B-Instruct-2507", "Qwen/Qwen3-235B-A22B-Thinking-2507"],
        config: QWEN3_MOE(4096, 94, 64, 4, 1536, 128, { intermediate_size: 12288 }),
        cardParamsB: 235,
        cardActiveB: 22,
        source: "huggingface.co/Qwen/Qwen3-235B-A22B config.json + model card (235B total, 22B activated)",
    },
    {
        id: "Qwen/Qwen3-Coder-480B-A35B-Instruct",
        config: QWEN3_MOE(6144, 62, 96, 8, 2560, 160, { intermediate_size: 8192, max_position_embeddings: 262144 }),
        cardParamsB: 480,
        cardActiveB: 35,
        source: "huggingface.co/Qwen/Qwen3-Coder-480B-A35B-Instruct config.json + model card (480B total, 35B activated)",
    },
    // ── DeepSeek and distills ───────────────────────────────────────────────────────
    {
        // 671B without the 14B multi-token-prediction module (on the Hub: 685B), not loaded for plain
        // serving. FP8 e4m3 in 128×128 blocks; embeddings and lm_head bf16 (README_WEIGHTS.md).
        id: "deepseek-ai/DeepSeek-V3",
        aliases: ["deepseek-ai/DeepSeek-V3-0324", "deepseek-ai/DeepSeek-V3-Base", "deepseek-ai/DeepSeek-V3.1", "deepseek-ai/DeepSeek-V3.1-Terminus"],
        config: DEEPSEEK_V3,
        cardParamsB: 671,
        cardActiveB: 37,
        source: "huggingface.co/deepseek-ai/DeepSeek-V3 config.json + model card + README_WEIGHTS.md (671B total, 37B activated)",
    },
    {
        // R1 is post-trained from V3-Base: the same architecture and FP8 checkpoint format.
        id: "deepseek-ai/DeepSeek-R1",
        aliases: ["deepseek-ai/DeepSeek-R1-0528", "deepseek-ai/DeepSeek-R1-Zero"],
        config: DEEPSEEK_V3,
        cardParamsB: 671,
        cardActiveB: 37,
        source: "huggingface.co/deepseek-ai/DeepSeek-R1 config.json + model card (671B total, 37B activated)",
    },
    { id: "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", config: LLAMA31_8B, cardParamsB: 8.03, source: "huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-8B config.json (Llama-3.1-8B base)" },
    { id: "deepseek-ai/DeepSeek-R1-Distill-Llama-70B", config: LLAMA33_70B, cardParamsB: 70.6, source: "huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-70B config.json (Llama-3.3-70B-Instruct base)" },
    { id: "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", config: QWEN25(1536, 28, 12, 2, 8960, 151936, false), cardParamsB: 1.78, source: "huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B config.json + Hub count (1.78B; Qwen2.5-Math-1.5B base)" },
    { id: "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", config: QWEN25(3584, 28, 28, 4, 18944, 152064, false), cardParamsB: 7.62, source: "huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-7B config.json + Hub count (7.62B; Qwen2.5-Math-7B base)" },
    { id: "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", config: QWEN25(5120, 48, 40, 8, 13824, 152064, false), cardParamsB: 14.8, source: "huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-14B config.json + Hub count (14.8B; Qwen2.5-14B base)" },
    { id: "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", config: QWEN25(5120, 64, 40, 8, 27648, 152064, false), cardParamsB: 32.8, source: "huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-32B config.json + Hub count (32.8B; Qwen2.5-32B base)" },
    // ── Moonshot Kimi-K2 (DeepSeek-V3 architecture, 384 experts, 64 heads) ─────────
    {
        id: "moonshotai/Kimi-K2-Instruct",
        aliases: ["moonshotai/Kimi-K2-Instruct-0905", "moonshotai/Kimi-K2-Base"],
        config: { ...DEEPSEEK_V3, model_type: "kimi_k2", num_attention_heads: 64, num_key_value_heads: 64, n_routed_experts: 384, first_k_dense_replace: 1, vocab_size: 163840, max_position_embeddings: 131072 },
        cardParamsB: 1026,
        cardActiveB: 32,
        source: "huggingface.co/moonshotai/Kimi-K2-Instruct config.json + model card (1T total, 32B activated) + docs/deploy_guidance.md",
    },
    {
        // Native INT4 (quantisation-aware training) on the routed experts, group 32, symmetric;
        // attention, shared experts, the dense first layer, embeddings and lm_head stay bf16.
        id: "moonshotai/Kimi-K2-Thinking",
        config: {
            ...DEEPSEEK_V3,
            model_type: "kimi_k2",
            num_attention_heads: 64,
            num_key_value_heads: 64,
            n_routed_experts: 384,
            first_k_dense_replace: 1,
            vocab_size: 163840,
            max_position_embeddings: 262144,
            quantization_config: {
                quant_method: "compressed-tensors",
                format: "pack-quantized",
                config_groups: { group_0: { targets: ["Linear"], weights: { num_bits: 4, type: "int", strategy: "group", group_size: 32, symmetric: true } } },
                ignore: ["lm_head", "re:.*self_attn.*", "re:.*shared_experts.*", "re:.*mlp\\.(gate|up|gate_up|down)_proj.*"],
            },
        },
        cardParamsB: 1026,
        cardActiveB: 32,
        source: "huggingface.co/moonshotai/Kimi-K2-Thinking config.json + model card (1T total, 32B activated, native INT4)",
    },
    // ── OpenAI gpt-oss ──────────────────────────────────────────────────────────────
    {
        // MXFP4 MoE weights; attention, router, embeddings and lm_head bf16. Card: 20.91B total,
        // 3.61B active; "runs within 16GB of memory".
        id: "openai/gpt-oss-20b",
        config: {
            model_type: "gpt_oss",
            hidden_size: 2880,
            num_hidden_layers: 24,
            num_attention_heads: 64,
            num_key_value_heads: 8,
            head_dim: 64,
            intermediate_size: 2880,
            num_local_experts: 32,
            num_experts_per_tok: 4,
            vocab_size: 201088,
            tie_word_embeddings: false,
            sliding_window: 128,
            layer_types: alternating(24),
            max_position_embeddings: 131072,
            ...bf16,
            quantization_config: { quant_method: "mxfp4", modules_to_not_convert: ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"] },
        },
        cardParamsB: 20.91,
        cardActiveB: 3.61,
        source: "huggingface.co/openai/gpt-oss-20b config.json + gpt-oss model card (arXiv 2508.10925)",
    },
    {
        // Card: 116.83B total, 5.13B active; "fits into a single 80GB GPU (like NVIDIA H100)".
        id: "openai/gpt-oss-120b",
        config: {
            model_type: "gpt_oss",
            hidden_size: 2880,
            num_hidden_layers: 36,
            num_attention_heads: 64,
            num_key_value_heads: 8,
            head_dim: 64,
            intermediate_size: 2880,
            num_local_experts: 128,
            num_experts_per_tok: 4,
            vocab_size: 201088,
            tie_word_embeddings: false,
            sliding_window: 128,
            layer_types: alternating(36),
            max_position_embeddings: 131072,
            ...bf16,
            quantization_config: { quant_method: "mxfp4", modules_to_not_convert: ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"] },
        },
        cardParamsB: 116.83,
        cardActiveB: 5.13,
        source: "huggingface.co/openai/gpt-oss-120b config.json + gpt-oss model card (arXiv 2508.10925)",
    },
    // ── Mistral ─────────────────────────────────────────────────────────────────────
    { id: "mistralai/Mistral-7B-Instruct-v0.3", aliases: ["mistralai/Mistral-7B-v0.3", "mistralai/Mistral-7B-Instruct-v0.2"], config: MISTRAL(4096, 32, 32, 14336, 32768), cardParamsB: 7.25, source: "huggingface.co/mistralai/Mistral-7B-Instruct-v0.3 config.json + Hub count (7.25B)" },
    { id: "mistralai/Mistral-Nemo-Instruct-2407", aliases: ["mistralai/Mistral-Nemo-Base-2407"], config: MISTRAL(5120, 40, 32, 14336, 131072), cardParamsB: 12.2, source: "huggingface.co/mistralai/Mistral-Nemo-Instruct-2407 config.json + Hub count (12.2B)" },
    { id: "mistralai/Ministral-8B-Instruct-2410", config: MISTRAL(4096, 36, 32, 12288, 131072), cardParamsB: 8.02, source: "huggingface.co/mistralai/Ministral-8B-Instruct-2410 config.json + model card (8.02B); its interleaved sliding window is sized as full attention" },
    {
        id: "mistralai/Mistral-Small-24B-Instruct-2501",
        aliases: ["mistralai/Mistral-Small-24B-Base-2501", "mistralai/Magistral-Small-2506", "mistralai/Devstral-Small-2505"],
        config: MISTRAL(5120, 40, 32, 32768, 131072),
        cardParamsB: 23.6,
        source: "huggingface.co/mistralai/Mistral-Small-24B-Instruct-2501 config.json + Hub count (23.6B)",
    },
    {
        id: "mistralai/Mistral-Small-3.1-24B-Instruct-2503",
        aliases: ["mistralai/Mistral-Small-3.2-24B-Instruct-2506"],
        config: { model_type: "mistral3", text_config: MISTRAL(5120, 40, 32, 32768, 131072), ...bf16 },
        extraParamsB: 0.44,
        cardParamsB: 24.0,
        source: "huggingface.co/mistralai/Mistral-Small-3.1-24B-Instruct-2503 config.json + Hub count (24.0B)",
    },
    { id: "mistralai/Mistral-Large-Instruct-2411", aliases: ["mistralai/Mistral-Large-Instruct-2407"], config: MISTRAL(12288, 88, 96, 28672, 32768), cardParamsB: 123, source: "huggingface.co/mistralai/Mistral-Large-Instruct-2411 config.json + model card (123B)" },
    { id: "mistralai/Codestral-22B-v0.1", config: MISTRAL(6144, 56, 48, 16384, 32768), cardParamsB: 22.2, source: "huggingface.co/mistralai/Codestral-22B-v0.1 config.json + Hub count (22.2B)" },
    {
        id: "mistralai/Mixtral-8x7B-Instruct-v0.1",
        aliases: ["mistralai/Mixtral-8x7B-v0.1", "Mixtral-8x7B"],
        config: { model_type: "mixtral", hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 14336, num_local_experts: 8, num_experts_per_tok: 2, vocab_size: 32000, tie_word_embeddings: false, sliding_window: null, ...bf16 },
        cardParamsB: 46.7,
        cardActiveB: 12.9,
        source: "huggingface.co/mistralai/Mixtral-8x7B-v0.1 config.json + model card / release post (46.7B total, 12.9B per token)",
    },
    {
        id: "mistralai/Mixtral-8x22B-Instruct-v0.1",
        aliases: ["mistralai/Mixtral-8x22B-v0.1"],
        config: { model_type: "mixtral", hidden_size: 6144, num_hidden_layers: 56, num_attention_heads: 48, num_key_value_heads: 8, intermediate_size: 16384, num_local_experts: 8, num_experts_per_tok: 2, vocab_size: 32768, tie_word_embeddings: false, sliding_window: null, ...bf16 },
        cardParamsB: 141,
        cardActiveB: 39,
        source: "huggingface.co/mistralai/Mixtral-8x22B-Instruct-v0.1 config.json + release post (141B total, 39B active)",
    },
    // ── Google Gemma ────────────────────────────────────────────────────────────────
    {
        id: "google/gemma-2-2b-it",
        aliases: ["google/gemma-2-2b"],
        config: { model_type: "gemma2", hidden_size: 2304, num_hidden_layers: 26, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 256, intermediate_size: 9216, vocab_size: 256000, sliding_window: 4096, max_position_embeddings: 8192, torch_dtype: "float32" },
        cardParamsB: 2.61,
        source: "huggingface.co/google/gemma-2-2b-it config.json + Hub count (2.61B)",
    },
    {
        id: "google/gemma-2-9b-it",
        aliases: ["google/gemma-2-9b"],
        config: { model_type: "gemma2", hidden_size: 3584, num_hidden_layers: 42, num_attention_heads: 16, num_key_value_heads: 8, head_dim: 256, intermediate_size: 14336, vocab_size: 256000, sliding_window: 4096, max_position_embeddings: 8192, ...bf16 },
        cardParamsB: 9.24,
        source: "huggingface.co/google/gemma-2-9b-it config.json + Hub count (9.24B)",
    },
    {
        id: "google/gemma-2-27b-it",
        aliases: ["google/gemma-2-27b"],
        config: { model_type: "gemma2", hidden_size: 4608, num_hidden_layers: 46, num_attention_heads: 32, num_key_value_heads: 16, head_dim: 128, intermediate_size: 36864, vocab_size: 256000, sliding_window: 4096, max_position_embeddings: 8192, ...bf16 },
        cardParamsB: 27.2,
        source: "huggingface.co/google/gemma-2-27b-it config.json + Hub count (27.2B)",
    },
    {
        id: "google/gemma-3-1b-it",
        aliases: ["google/gemma-3-1b-pt"],
        config: { model_type: "gemma3_text", hidden_size: 1152, num_hidden_layers: 26, num_attention_heads: 4, num_key_value_heads: 1, head_dim: 256, intermediate_size: 6912, vocab_size: 262144, sliding_window: 512, sliding_window_pattern: 6, max_position_embeddings: 32768, ...bf16 },
        cardParamsB: 1.0,
        source: "huggingface.co/google/gemma-3-1b-it config.json + Gemma 3 technical report (arXiv 2503.19786) table 1",
    },
    { id: "google/gemma-3-4b-it", aliases: ["google/gemma-3-4b-pt"], config: { model_type: "gemma3", text_config: GEMMA3_TEXT(2560, 34, 8, 4, 256, 10240), ...bf16 }, extraParamsB: 0.42, cardParamsB: 4.3, source: "huggingface.co/google/gemma-3-4b-it config.json + Gemma 3 technical report table 1 (417M vision encoder)" },
    { id: "google/gemma-3-12b-it", aliases: ["google/gemma-3-12b-pt"], config: { model_type: "gemma3", text_config: GEMMA3_TEXT(3840, 48, 16, 8, 256, 15360), ...bf16 }, extraParamsB: 0.42, cardParamsB: 12.2, source: "huggingface.co/google/gemma-3-12b-it config.json + Gemma 3 technical report table 1" },
    { id: "google/gemma-3-27b-it", aliases: ["google/gemma-3-27b-pt"], config: { model_type: "gemma3", text_config: GEMMA3_TEXT(5376, 62, 32, 16, 128, 21504), ...bf16 }, extraParamsB: 0.42, cardParamsB: 27.4, source: "huggingface.co/google/gemma-3-27b-it config.json + Gemma 3 technical report table 1" },
    // ── Microsoft Phi ───────────────────────────────────────────────────────────────
    { id: "microsoft/Phi-3-mini-4k-instruct", aliases: ["microsoft/Phi-3-mini-128k-instruct", "microsoft/Phi-3.5-mini-instruct"], config: PHI3(3072, 32, 32, 32, 8192, 32064, false), cardParamsB: 3.82, source: "huggingface.co/microsoft/Phi-3-mini-4k-instruct config.json + model card (3.8B)" },
    { id: "microsoft/Phi-3-medium-4k-instruct", aliases: ["microsoft/Phi-3-medium-128k-instruct"], config: PHI3(5120, 40, 40, 10, 17920, 32064, false), cardParamsB: 14, source: "huggingface.co/microsoft/Phi-3-medium-4k-instruct config.json + model card (14B)" },
    {
        id: "microsoft/Phi-3.5-MoE-instruct",
        config: { model_type: "phimoe", hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 6400, num_local_experts: 16, num_experts_per_tok: 2, vocab_size: 32064, tie_word_embeddings: false, ...bf16 },
        cardParamsB: 41.9,
        cardActiveB: 6.6,
        source: "huggingface.co/microsoft/Phi-3.5-MoE-instruct config.json + model card (42B total, 6.6B active)",
    },
    { id: "microsoft/phi-4", aliases: ["microsoft/Phi-4-reasoning", "microsoft/Phi-4-reasoning-plus"], config: PHI3(5120, 40, 40, 10, 17920, 100352, false), cardParamsB: 14.7, source: "huggingface.co/microsoft/phi-4 config.json + model card (14B; Hub count 14.7B)" },
    { id: "microsoft/Phi-4-mini-instruct", aliases: ["microsoft/Phi-4-mini-reasoning"], config: PHI3(3072, 32, 24, 8, 8192, 200064, true), cardParamsB: 3.84, source: "huggingface.co/microsoft/Phi-4-mini-instruct config.json + model card (3.8B)" },
    // ── Zhipu GLM ───────────────────────────────────────────────────────────────────
    { id: "zai-org/GLM-4-9B-0414", aliases: ["THUDM/GLM-4-9B-0414"], config: { model_type: "glm4", hidden_size: 4096, num_hidden_layers: 40, num_attention_heads: 32, num_key_value_heads: 2, head_dim: 128, intermediate_size: 13696, vocab_size: 151552, tie_word_embeddings: false, ...bf16 }, cardParamsB: 9.4, source: "huggingface.co/zai-org/GLM-4-9B-0414 config.json + Hub count (9.4B)" },
    { id: "zai-org/GLM-4-32B-0414", aliases: ["THUDM/GLM-4-32B-0414", "zai-org/GLM-Z1-32B-0414"], config: { model_type: "glm4", hidden_size: 6144, num_hidden_layers: 61, num_attention_heads: 48, num_key_value_heads: 2, head_dim: 128, intermediate_size: 23040, vocab_size: 151552, tie_word_embeddings: false, ...bf16 }, cardParamsB: 32.6, source: "huggingface.co/zai-org/GLM-4-32B-0414 config.json + Hub count (32.6B)" },
    {
        id: "zai-org/GLM-4.5",
        aliases: ["zai-org/GLM-4.6"],
        config: { model_type: "glm4_moe", hidden_size: 5120, num_hidden_layers: 92, num_attention_heads: 96, num_key_value_heads: 8, head_dim: 128, intermediate_size: 12288, moe_intermediate_size: 1536, n_routed_experts: 160, n_shared_experts: 1, num_experts_per_tok: 8, first_k_dense_replace: 3, vocab_size: 151552, tie_word_embeddings: false, max_position_embeddings: 131072, ...bf16 },
        cardParamsB: 355,
        cardActiveB: 32,
        source: "huggingface.co/zai-org/GLM-4.5 config.json + model card (355B total, 32B active; the count includes the MTP layer)",
    },
    {
        id: "zai-org/GLM-4.5-Air",
        config: { model_type: "glm4_moe", hidden_size: 4096, num_hidden_layers: 46, num_attention_heads: 96, num_key_value_heads: 8, head_dim: 128, intermediate_size: 10944, moe_intermediate_size: 1408, n_routed_experts: 128, n_shared_experts: 1, num_experts_per_tok: 8, first_k_dense_replace: 1, vocab_size: 151552, tie_word_embeddings: false, max_position_embeddings: 131072, ...bf16 },
        cardParamsB: 106,
        cardActiveB: 12,
        source: "huggingface.co/zai-org/GLM-4.5-Air config.json + model card (106B total, 12B active)",
    },
    // ── Cohere Command ──────────────────────────────────────────────────────────────
    { id: "CohereLabs/c4ai-command-r-v01", aliases: ["CohereForAI/c4ai-command-r-v01"], config: COHERE("cohere", 8192, 40, 64, 64, 22528), cardParamsB: 35, source: "huggingface.co/CohereLabs/c4ai-command-r-v01 config.json + model card (35B)" },
    { id: "CohereLabs/c4ai-command-r-08-2024", aliases: ["CohereForAI/c4ai-command-r-08-2024"], config: COHERE("cohere", 8192, 40, 64, 8, 24576), cardParamsB: 32.3, source: "huggingface.co/CohereLabs/c4ai-command-r-08-2024 config.json + model card (32B; Hub count 32.3B)" },
    { id: "CohereLabs/c4ai-command-r-plus-08-2024", aliases: ["CohereForAI/c4ai-command-r-plus-08-2024", "CohereForAI/c4ai-command-r-plus"], config: COHERE("cohere", 12288, 64, 96, 8, 33792), cardParamsB: 104, source: "huggingface.co/CohereLabs/c4ai-command-r-plus-08-2024 config.json + model card (104B)" },
    { id: "CohereLabs/c4ai-command-r7b-12-2024", aliases: ["CohereForAI/c4ai-command-r7b-12-2024"], config: COHERE("cohere2", 4096, 32, 32, 8, 14336, { sliding_window: 4096, sliding_window_pattern: 4 }), cardParamsB: 8.03, source: "huggingface.co/CohereLabs/c4ai-command-r7b-12-2024 config.json + model card (7B; Hub count 8.03B)" },
    { id: "CohereLabs/c4ai-command-a-03-2025", aliases: ["CohereForAI/c4ai-command-a-03-2025"], config: COHERE("cohere2", 12288, 64, 96, 8, 36864, { sliding_window: 4096, sliding_window_pattern: 4 }), cardParamsB: 111, source: "huggingface.co/CohereLabs/c4ai-command-a-03-2025 config.json + model card (111B)" },
    // ── IBM Granite ─────────────────────────────────────────────────────────────────
    { id: "ibm-granite/granite-3.1-8b-instruct", aliases: ["ibm-granite/granite-3.3-8b-instruct", "ibm-granite/granite-3.2-8b-instruct", "ibm-granite/granite-3.0-8b-instruct"], config: { model_type: "granite", hidden_size: 4096, num_hidden_layers: 40, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 12800, vocab_size: 49155, tie_word_embeddings: true, ...bf16 }, cardParamsB: 8.17, source: "huggingface.co/ibm-granite/granite-3.1-8b-instruct config.json + Hub count (8.17B)" },
    { id: "ibm-granite/granite-3.1-2b-instruct", aliases: ["ibm-granite/granite-3.3-2b-instruct", "ibm-granite/granite-3.2-2b-instruct"], config: { model_type: "granite", hidden_size: 2048, num_hidden_layers: 40, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 8192, vocab_size: 49155, tie_word_embeddings: true, ...bf16 }, cardParamsB: 2.53, source: "huggingface.co/ibm-granite/granite-3.1-2b-instruct config.json + Hub count (2.53B)" },
    // ── Embedding and reranker models ───────────────────────────────────────────────
    { id: "BAAI/bge-m3", config: XLM_ROBERTA_LARGE(8194), cardParamsB: 0.568, pooling: true, source: "huggingface.co/BAAI/bge-m3 config.json + Hub count (568M)" },
    { id: "BAAI/bge-reranker-v2-m3", config: XLM_ROBERTA_LARGE(8194), cardParamsB: 0.568, pooling: true, source: "huggingface.co/BAAI/bge-reranker-v2-m3 config.json + Hub count (568M)" },
    { id: "intfloat/multilingual-e5-large", aliases: ["intfloat/multilingual-e5-large-instruct", "BAAI/bge-reranker-large"], config: XLM_ROBERTA_LARGE(514), cardParamsB: 0.56, pooling: true, source: "huggingface.co/intfloat/multilingual-e5-large config.json + Hub count (560M)" },
    {
        id: "BAAI/bge-large-en-v1.5",
        config: { model_type: "bert", hidden_size: 1024, num_hidden_layers: 24, num_attention_heads: 16, intermediate_size: 4096, vocab_size: 30522, max_position_embeddings: 512, torch_dtype: "float32" },
        cardParamsB: 0.335,
        pooling: true,
        source: "huggingface.co/BAAI/bge-large-en-v1.5 config.json + Hub count (335M)",
    },
    {
        id: "sentence-transformers/all-MiniLM-L6-v2",
        config: { model_type: "bert", hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, intermediate_size: 1536, vocab_size: 30522, max_position_embeddings: 512, torch_dtype: "float32" },
        cardParamsB: 0.0227,
        pooling: true,
        source: "huggingface.co/sentence-transformers/all-MiniLM-L6-v2 config.json + Hub count (22.7M)",
    },
    {
        id: "nomic-ai/nomic-embed-text-v1.5",
        aliases: ["nomic-ai/nomic-embed-text-v1"],
        config: { model_type: "nomic_bert", n_embd: 768, n_layer: 12, n_head: 12, n_inner: 3072, vocab_size: 30528, n_positions: 8192, torch_dtype: "float32" },
        cardParamsB: 0.137,
        pooling: true,
        source: "huggingface.co/nomic-ai/nomic-embed-text-v1.5 config.json + Hub count (137M)",
    },
    {
        // Qwen3Model without lm_head: the output embeddings are not in the checkpoint.
        id: "Qwen/Qwen3-Embedding-8B",
        config: QWEN3(4096, 36, 32, 12288, true, { vocab_size: 151665 }),
        cardParamsB: 7.57,
        pooling: true,
        source: "huggingface.co/Qwen/Qwen3-Embedding-8B config.json + Hub count (7.57B)",
    },
    { id: "Qwen/Qwen3-Embedding-0.6B", config: QWEN3(1024, 28, 16, 3072, true, { vocab_size: 151669 }), cardParamsB: 0.6, pooling: true, source: "huggingface.co/Qwen/Qwen3-Embedding-0.6B config.json + Hub count (0.6B)" },
    { id: "Qwen/Qwen3-Reranker-8B", config: QWEN3(4096, 36, 32, 12288, false, { vocab_size: 151669 }), cardParamsB: 8.19, pooling: true, source: "huggingface.co/Qwen/Qwen3-Reranker-8B config.json + Hub count (8.19B)" },
    {
        // MistralModel (no lm_head), Mistral-7B-v0.1 shapes.
        id: "intfloat/e5-mistral-7b-instruct",
        config: MISTRAL(4096, 32, 32, 14336, 32000, { tie_word_embeddings: true, torch_dtype: "float16" }),
        cardParamsB: 7.11,
        pooling: true,
        source: "huggingface.co/intfloat/e5-mistral-7b-instruct config.json + Hub count (7.11B)",
    },
    // ── Small test model ────────────────────────────────────────────────────────────
    {
        id: "facebook/opt-125m",
        config: { model_type: "opt", hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, ffn_dim: 3072, vocab_size: 50272, max_position_embeddings: 2048, tie_word_embeddings: true, torch_dtype: "float16" },
        cardParamsB: 0.125,
        source: "huggingface.co/facebook/opt-125m config.json + OPT paper (arXiv 2205.01068)",
    },
];
