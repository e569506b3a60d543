import * as assert from "node:assert/strict";
import { modelSchema } from "../../stacks/schema";
import {
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

    it("does not match quantised variants or other sizes (their bytes differ)", () => {
        assert.equal(lookupModel("Qwen/Qwen3-32B-FP8"), undefined);
        assert.equal(lookupModel("RedHatAI/Llama-3.3-70B-Instruct-FP8"), undefined);
        assert.equal(lookupModel("meta-llama/Llama-3.2-1B"), undefined);
        assert.equal(lookupModel("openai/gpt-oss-12b"), undefined);
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
        assert.equal(big.paramsB, 116.83);
        assert.equal(big.activeParamsB, 5.13);
        const bigBytes = weightBytes(big);
        // "fits into a single 80GB GPU": the weights alone are ~65 GB (60.7 GiB).
        assert.ok(bigBytes > 60e9 && bigBytes < 70e9, `gpt-oss-120b weights ${bigBytes / 1e9} GB`);
        assert.ok(effectiveBytesPerParam(big) > 0.53 && effectiveBytesPerParam(big) < 0.6);
        // "runs within 16GB of memory".
        const small = arch("openai/gpt-oss-20b");
        assert.ok(weightBytes(small) < 16e9, `gpt-oss-20b weights ${weightBytes(small) / 1e9} GB`);
        assert.equal(small.activeParamsB, 3.61);
    });

    it("sizes DeepSeek-R1/V3 as 671B FP8 MoE with 37B active", () => {
        for (const id of ["deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3"]) {
            const a = arch(id);
            assert.equal(a.paramsB, 671);
            assert.equal(a.activeParamsB, 37);
            assert.equal(a.dtype, "fp8");
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

    it("refuses an unknown model without size, naming models[i].size and the known ids", () => {
        const m = modelSchema.parse({ model: "acme/Mystery-7B" });
        assert.throws(
            () => resolveArchitecture(m, "models[3]"),
            (e: unknown) => {
                assert.ok(e instanceof PlanError);
                assert.equal(e.path, "models[3].size");
                assert.match(e.message, /^models\[3\]\.size: "acme\/Mystery-7B" is not in the built-in model catalog/);
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
