import * as assert from "node:assert/strict";
import { modelSchema } from "../../stacks/config/schema";
import {
    CATALOG_ENTRIES,
    MODEL_CATALOG,
    PlanError,
    effectiveBytesPerParam,
    kvBytesForSequence,
    kvBytesPerToken,
    knownModelIds,
    lookupModel,
    resolveArchitecture,
    weightBytes,
} from "../../components/physical";

const GiB = 1024 ** 3;

function arch(id: string) {
    const a = lookupModel(id);
    assert.ok(a, `${id} should be in the catalog`);
    return a;
}

describe("physical/catalog", () => {
    it("has every model the planner issue names", () => {
        for (const id of [
            "Qwen/Qwen3-0.6B",
            "Qwen/Qwen3-32B",
            "meta-llama/Llama-3.1-8B-Instruct",
            "meta-llama/Llama-3.2-3B-Instruct",
            "meta-llama/Llama-3.3-70B-Instruct",
            "meta-llama/Llama-3.1-405B-Instruct",
            "openai/gpt-oss-20b",
            "openai/gpt-oss-120b",
            "deepseek-ai/DeepSeek-R1",
            "deepseek-ai/DeepSeek-V3",
            "mistralai/Mixtral-8x7B-Instruct-v0.1",
            "facebook/opt-125m",
            "meta-llama/Meta-Llama-3-8B-Instruct",
        ]) {
            assert.equal(arch(id).id, id);
        }
    });

    it("looks ids up case-insensitively, with or without org, -Instruct, hf://, Meta- prefix", () => {
        assert.equal(arch("llama-3.3-70b").id, "meta-llama/Llama-3.3-70B-Instruct");
        assert.equal(arch("LLAMA-3.3-70B-INSTRUCT").id, "meta-llama/Llama-3.3-70B-Instruct");
        assert.equal(arch("meta-llama/Llama-3.1-8B").id, "meta-llama/Llama-3.1-8B-Instruct");
        assert.equal(arch("meta-llama/Meta-Llama-3.1-8B-Instruct").id, "meta-llama/Llama-3.1-8B-Instruct");
        assert.equal(arch("Llama-3-8B").id, "meta-llama/Meta-Llama-3-8B-Instruct");
        assert.equal(arch("meta-llama/Meta-Llama-3-8B").id, "meta-llama/Meta-Llama-3-8B-Instruct");
        assert.equal(arch("Llama-3.2-3B").id, "meta-llama/Llama-3.2-3B-Instruct");
        assert.equal(arch("hf://openai/gpt-oss-120b").id, "openai/gpt-oss-120b");
        assert.equal(arch("Mixtral-8x7B").id, "mistralai/Mixtral-8x7B-Instruct-v0.1");
        assert.equal(arch("mistralai/Mixtral-8x7B-v0.1").id, "mistralai/Mixtral-8x7B-Instruct-v0.1");
        assert.equal(arch("deepseek-ai/DeepSeek-R1-0528").id, "deepseek-ai/DeepSeek-R1");
        assert.equal(arch("qwen3-0.6b").id, "Qwen/Qwen3-0.6B");
    });

    it("resolves quantised releases to the base architecture with the weights their suffix names", () => {
        const cases: [string, string, string, number][] = [
            // id, base, dtype, weights GiB (1 decimal)
            ["Qwen/Qwen3-32B-FP8", "Qwen/Qwen3-32B", "fp8 + bf16", 32],
            ["RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic", "meta-llama/Llama-3.3-70B-Instruct", "fp8 + bf16", 67.7],
            ["Qwen/Qwen3-32B-AWQ", "Qwen/Qwen3-32B", "int4 + bf16", 18.0],
            ["Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4", "Qwen/Qwen2.5-72B-Instruct", "int4 + bf16", 38.6],
            ["Qwen/Qwen2.5-7B-Instruct-GPTQ-Int8", "Qwen/Qwen2.5-7B-Instruct", "int8 + bf16", 8.1],
            ["nvidia/Llama-3.3-70B-Instruct-FP4", "meta-llama/Llama-3.3-70B-Instruct", "nvfp4 + bf16", 39.8],
            ["RedHatAI/Llama-4-Scout-17B-16E-Instruct-quantized.w4a16", "meta-llama/Llama-4-Scout-17B-16E-Instruct", "int4 + bf16", 56.7],
            ["RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w8a8", "meta-llama/Llama-3.1-8B-Instruct", "int8 + bf16", 8.5],
            ["hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4", "meta-llama/Llama-3.3-70B-Instruct", "int4 + bf16", 37],
            ["Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", "Qwen/Qwen3-235B-A22B", "fp8 + bf16", 220.2],
            ["meta-llama/Llama-3.1-405B-Instruct-FP8", "meta-llama/Llama-3.1-405B-Instruct", "fp8 + bf16", 381.9],
            ["unsloth/Llama-3.2-3B-Instruct-bnb-4bit", "meta-llama/Llama-3.2-3B-Instruct", "nf4 + bf16", 2.2],
        ];
        for (const [id, base, dtype, gib] of cases) {
            const a = lookupModel(id);
            assert.ok(a, `${id} should resolve`);
            assert.equal(a.id, id);
            assert.equal(a.layers, arch(base).layers, id);
            assert.equal(a.paramsB, arch(base).paramsB, id);
            assert.equal(a.dtype, dtype, id);
            assert.equal(Math.round((weightBytes(a) / GiB) * 10) / 10, gib, id);
            assert.match(a.quantization ?? "", /name suffix/);
        }
        // Embeddings and lm_head stay 16-bit: an fp8 release is more than half its bf16 size.
        assert.ok(weightBytes(lookupModel("Qwen/Qwen3-32B-FP8")!) > weightBytes(arch("Qwen/Qwen3-32B")) / 2);
    });

    it("does not match other sizes or unknown suffixes", () => {
        assert.equal(lookupModel("meta-llama/Llama-3.2-90B-Vision-Instruct"), undefined);
        assert.equal(lookupModel("openai/gpt-oss-12b"), undefined);
        assert.equal(lookupModel("Qwen/Qwen3-32B-GGUF"), undefined);
        assert.equal(lookupModel("acme/Qwen3-33B-AWQ"), undefined);
    });

    it("holds at least 60 models, every family the planner issue names, each with a source", () => {
        assert.ok(MODEL_CATALOG.length >= 60, String(MODEL_CATALOG.length));
        const families: [RegExp, number][] = [
            [/^meta-llama\/Llama-3\./, 4],
            [/^meta-llama\/Llama-4-/, 2],
            [/^Qwen\/Qwen2\.5-/, 7],
            [/^Qwen\/Qwen3-\d+B$|^Qwen\/Qwen3-0\.6B|^Qwen\/Qwen3-1\.7B/, 6],
            [/^Qwen\/Qwen3-.*A\d+B/, 3],
            [/^Qwen\/QwQ/, 1],
            [/^deepseek-ai\/DeepSeek-(V3|R1)$/, 2],
            [/^deepseek-ai\/DeepSeek-R1-Distill-/, 6],
            [/^openai\/gpt-oss-/, 2],
            [/^mistralai\/Mistral-/, 5],
            [/^mistralai\/Mixtral-/, 2],
            [/^google\/gemma-2-/, 3],
            [/^google\/gemma-3-/, 4],
            [/^microsoft\/(Phi-3|phi-4|Phi-4)/, 5],
            [/^zai-org\/GLM-4/, 4],
            [/^moonshotai\/Kimi-K2/, 2],
            [/^CohereLabs\/c4ai-command-/, 5],
            [/^ibm-granite\/granite-/, 2],
        ];
        for (const [re, n] of families) {
            const got = MODEL_CATALOG.filter((a) => re.test(a.id)).length;
            assert.ok(got >= n, `${re}: ${got} < ${n}`);
        }
        const pooling = CATALOG_ENTRIES.filter((e) => e.pooling);
        assert.ok(pooling.length >= 8, "embedding and reranker models");
        assert.ok(pooling.some((e) => /reranker/i.test(e.id)));
        const ids = new Set<string>();
        for (const e of CATALOG_ENTRIES) for (const id of [e.id, ...(e.aliases ?? [])]) {
            assert.ok(!ids.has(id.toLowerCase()), `duplicate id ${id}`);
            ids.add(id.toLowerCase());
        }
    });

    it("reproduces every model card's parameter count from the config shapes (±2%)", () => {
        CATALOG_ENTRIES.forEach((e, i) => {
            const a = MODEL_CATALOG[i];
            assert.equal(a.id, e.id);
            const off = Math.abs(a.paramsB - e.cardParamsB) / e.cardParamsB;
            assert.ok(off < 0.02, `${e.id}: ${a.paramsB.toFixed(3)}B from the shapes vs ${e.cardParamsB}B on the card`);
            if (e.cardActiveB !== undefined) {
                // Cards differ on whether embeddings count as active (gpt-oss and GLM do not): ±1.5B or ±10%.
                const d = Math.abs(a.activeParamsB - e.cardActiveB);
                assert.ok(d < 1.5 || d / e.cardActiveB < 0.1, `${e.id}: active ${a.activeParamsB.toFixed(2)}B vs ${e.cardActiveB}B`);
            }
        });
    });

    it("is internally consistent and cites a source for every entry", () => {
        for (const a of MODEL_CATALOG) {
            assert.equal(a.attentionHeads % a.kvHeads, 0, `${a.id}: kv heads divide heads`);
            assert.ok(a.activeParamsB <= a.paramsB, `${a.id}: active ≤ total`);
            const parts = a.weights.reduce((s, w) => s + w.paramsB, 0);
            assert.ok(Math.abs(parts - a.paramsB) / a.paramsB < 0.005, `${a.id}: weight parts ${parts} ≈ ${a.paramsB}`);
            assert.match(a.source, /huggingface\.co\//, `${a.id}: source`);
        }
    });

    it("knows the architecture facts of the config.json files", () => {
        const l70 = arch("meta-llama/Llama-3.3-70B-Instruct");
        assert.deepEqual([l70.layers, l70.attentionHeads, l70.kvHeads, l70.headDim], [80, 64, 8, 128]);
        const l405 = arch("meta-llama/Llama-3.1-405B-Instruct");
        assert.deepEqual([l405.layers, l405.attentionHeads, l405.kvHeads, l405.headDim], [126, 128, 8, 128]);
        const q06 = arch("Qwen/Qwen3-0.6B");
        assert.deepEqual([q06.layers, q06.attentionHeads, q06.kvHeads, q06.headDim], [28, 16, 8, 128]);
        const l3b = arch("meta-llama/Llama-3.2-3B-Instruct");
        assert.deepEqual([l3b.layers, l3b.attentionHeads, l3b.kvHeads], [28, 24, 8]);
        const oss = arch("openai/gpt-oss-120b");
        assert.deepEqual([oss.layers, oss.attentionHeads, oss.kvHeads, oss.headDim], [36, 64, 8, 64]);
        const opt = arch("facebook/opt-125m");
        assert.deepEqual([opt.layers, opt.attentionHeads, opt.kvHeads, opt.headDim, opt.dtype], [12, 12, 12, 64, "fp16"]);
    });

    it("sizes dense bf16 weights as params × 2 bytes (Llama-3.3-70B: 131.4 GiB)", () => {
        assert.equal((weightBytes(arch("meta-llama/Llama-3.3-70B-Instruct")) / GiB).toFixed(1), "131.4");
        assert.equal(effectiveBytesPerParam(arch("Qwen/Qwen3-32B")), 2);
    });

    it("sizes gpt-oss with MXFP4 experts + bf16 rest, matching the model card's memory claims", () => {
        const big = arch("openai/gpt-oss-120b");
        assert.ok(Math.abs(big.paramsB - 116.83) < 0.1, String(big.paramsB));
        assert.equal(big.dtype, "mxfp4 (MoE) + bf16");
        assert.deepEqual(
            big.weights.map((w) => [w.what, w.dtype]),
            [
                ["MoE experts", "mxfp4"],
                ["attention, router, embeddings, lm_head", "bf16"],
            ],
        );
        const bigBytes = weightBytes(big);
        // "fits into a single 80GB GPU": the weights alone are ~65 GB (60.7 GiB).
        assert.ok(bigBytes > 60e9 && bigBytes < 70e9, `gpt-oss-120b weights ${bigBytes / 1e9} GB`);
        assert.ok(effectiveBytesPerParam(big) > 0.53 && effectiveBytesPerParam(big) < 0.6);
        // "runs within 16GB of memory".
        const small = arch("openai/gpt-oss-20b");
        assert.ok(weightBytes(small) < 16e9, `gpt-oss-20b weights ${weightBytes(small) / 1e9} GB`);
        assert.ok(Math.abs(small.paramsB - 20.91) < 0.05);
    });

    it("sizes DeepSeek-R1/V3 as 671B FP8 MoE with 37B active", () => {
        for (const id of ["deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3"]) {
            const a = arch(id);
            assert.ok(Math.abs(a.paramsB - 671) < 0.5, String(a.paramsB));
            assert.ok(Math.abs(a.activeParamsB - 37) < 1, String(a.activeParamsB));
            assert.equal(a.dtype, "fp8-block + bf16");
            assert.deepEqual(a.mla, { kvLoraRank: 512, qkRopeHeadDim: 64 });
            assert.deepEqual(a.moe, { experts: 256, perToken: 8 });
            const gb = weightBytes(a) / 1e9;
            assert.ok(gb > 671 && gb < 675, `${id}: ${gb} GB`);
        }
    });

    it("computes GQA KV per token as 2 × layers × kvHeads × headDim × bytes", () => {
        const a = arch("meta-llama/Llama-3.3-70B-Instruct");
        assert.equal(kvBytesPerToken(a), 2 * 80 * 8 * 128 * 2);
        assert.equal(kvBytesPerToken(a, 1), 2 * 80 * 8 * 128);
    });

    it("computes MLA KV per token as layers × (kv_lora_rank + qk_rope_head_dim) × bytes", () => {
        const a = arch("deepseek-ai/DeepSeek-R1");
        assert.equal(kvBytesPerToken(a), 61 * (512 + 64) * 2);
        // far below what 128 full K/V heads would take
        assert.ok(kvBytesPerToken(a) * 50 < 2 * 61 * 128 * 128 * 2);
    });

    it("caps sliding-window layers at the window (gpt-oss: 128 tokens on half the layers)", () => {
        const a = arch("openai/gpt-oss-120b");
        const perLayerToken = 2 * 8 * 64 * 2;
        assert.equal(kvBytesForSequence(a, 8192), perLayerToken * (18 * 8192 + 18 * 128));
        assert.equal(kvBytesForSequence(a, 100), perLayerToken * 36 * 100);
        const dense = arch("meta-llama/Llama-3.1-8B-Instruct");
        assert.equal(kvBytesForSequence(dense, 8192), kvBytesPerToken(dense) * 8192);
    });

    it("uses models[i].size for unknown models, and lets size override the catalog", () => {
        const m = modelSchema.parse({
            model: "acme/Custom-13B",
            size: { paramsB: 13, layers: 40, attentionHeads: 40, kvHeads: 8, headDim: 128, bytesPerParam: 1 },
        });
        const a = resolveArchitecture(m, "models[2]");
        assert.equal(a.layers, 40);
        assert.equal(weightBytes(a), 13e9);
        assert.equal(a.dtype, "fp8");
        assert.equal(a.source, "models[2].size");
        const over = modelSchema.parse({
            model: "meta-llama/Llama-3.3-70B-Instruct",
            size: { paramsB: 70.55, layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128, bytesPerParam: 1 },
        });
        assert.equal(effectiveBytesPerParam(resolveArchitecture(over)), 1);
    });

    it("refuses an unknown model without size or config, naming models[i].config and the known ids", () => {
        const m = modelSchema.parse({ model: "acme/Mystery-7B" });
        assert.throws(
            () => resolveArchitecture(m, "models[3]"),
            (e: unknown) => {
                assert.ok(e instanceof PlanError);
                assert.equal(e.path, "models[3].config");
                assert.match(e.message, /^models\[3\]\.config: "acme\/Mystery-7B" is not in the built-in model catalog/);
                assert.match(e.message, /point models\[3\]\.config at its config\.json/);
                for (const id of knownModelIds()) assert.ok(e.message.includes(id), id);
                return true;
            },
        );
    });

    it("refuses a size whose KV heads do not divide the attention heads", () => {
        const m = modelSchema.parse({
            model: "acme/Odd",
            size: { paramsB: 1, layers: 2, attentionHeads: 12, kvHeads: 5, headDim: 64 },
        });
        assert.throws(() => resolveArchitecture(m, "models[0]"), /^PlanError: models\[0\]\.size\.kvHeads: 5 KV heads must divide the 12 attention heads/);
    });
});
