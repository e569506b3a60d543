import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { modelSchema, poolSchema, stackConfigSchema } from "../../stacks/config/schema";
import { planPlacements } from "../../stacks/stack/placement";
import {
    KNOWN_QUANT_METHODS,
    PlanError,
    QUANT_KINDS,
    kvBytesForSequence,
    kvCacheDtypeArgs,
    lookupModel,
    planModel,
    quantFromName,
    resolveArchitecture,
    schemeFromQuantizationConfig,
    schemeOfKind,
    weightBytes,
} from "../../components/physical";
import { cachedModelConfig, shapesFromConfig } from "../../components/physical/hfconfig";
import { vllmServeArgs } from "../../components/engine/vllm";
import { sglangArgs } from "../../components/engine/sglang";

const GiB = 1024 ** 3;
const FIX = path.join(__dirname, "fixtures");
const fixture = (name: string) => path.join(FIX, name);
const h100 = poolSchema.parse({ name: "h100", nodes: 2, accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 } });

function fromFile(dir: string, model = "acme/from-file", extra: Record<string, unknown> = {}) {
    return resolveArchitecture(modelSchema.parse({ model, config: fixture(dir), ...extra }), "models[0]");
}

function throwsAt(fn: () => unknown, pathExpected: string, ...parts: (string | RegExp)[]): void {
    let caught: unknown;
    try {
        fn();
    } catch (e) {
        caught = e;
    }
    assert.ok(caught instanceof PlanError, `expected a PlanError, got ${String(caught)}`);
    assert.equal(caught.path, pathExpected);
    for (const p of parts) {
        if (typeof p === "string") assert.ok(caught.message.includes(p), `"${p}" not in: ${caught.message}`);
        else assert.match(caught.message, p);
    }
}

describe("physical/hfconfig: architecture from config.json", () => {
    it("reads a dense Llama config (file or directory) exactly like the catalog entry", () => {
        const a = fromFile("llama-3.1-8b-instruct");
        const viaFile = resolveArchitecture(modelSchema.parse({ model: "x/y", config: fixture("llama-3.1-8b-instruct/config.json") }), "models[0]");
        const cat = lookupModel("meta-llama/Llama-3.1-8B-Instruct")!;
        for (const x of [a, viaFile]) {
            assert.deepEqual([x.layers, x.attentionHeads, x.kvHeads, x.headDim, x.hiddenSize, x.activeFfn], [32, 32, 8, 128, 4096, 14336]);
            assert.equal(weightBytes(x), weightBytes(cat));
            assert.equal(x.dtype, "bf16");
        }
        assert.match(a.source, /llama-3\.1-8b-instruct\/config\.json$/);
    });

    it("reads a Qwen3 MoE config: all experts resident, 8 of 128 active", () => {
        const a = fromFile("qwen3-30b-a3b");
        assert.deepEqual(a.moe, { experts: 128, perToken: 8 });
        assert.ok(Math.abs(a.paramsB - 30.5) < 0.1, String(a.paramsB));
        assert.ok(Math.abs(a.activeParamsB - 3.3) < 0.1, String(a.activeParamsB));
        assert.equal(a.slidingWindow, undefined, "use_sliding_window: false");
        assert.equal(a.activeFfn, 8 * 768);
    });

    it("reads DeepSeek-V3: MLA latent KV, shared expert, dense first layers, FP8 blocks with bf16 embeddings", () => {
        const a = fromFile("deepseek-v3", "deepseek-ai/DeepSeek-V3");
        assert.deepEqual(a.mla, { kvLoraRank: 512, qkRopeHeadDim: 64 });
        assert.ok(Math.abs(a.paramsB - 671) < 0.5, String(a.paramsB));
        assert.equal(a.dtype, "fp8-block + bf16");
        const bf16 = a.weights.find((w) => w.dtype === "bf16")!;
        assert.ok(Math.abs(bf16.paramsB - 1.85) < 0.2, `embeddings + lm_head + routers ${bf16.paramsB}`);
        assert.equal(kvBytesForSequence(a, 1), 61 * 576 * 2);
        assert.equal(weightBytes(a), weightBytes(lookupModel("deepseek-ai/DeepSeek-V3")!));
    });

    it("reads gpt-oss: MXFP4 on the experts only, alternate sliding layers from layer_types", () => {
        const a = fromFile("gpt-oss-120b");
        assert.deepEqual(a.slidingWindow, { window: 128, layers: 18 });
        assert.equal(a.dtype, "mxfp4 (MoE) + bf16");
        const gb = weightBytes(a) / 1e9;
        assert.ok(gb > 60 && gb < 70, String(gb));
    });

    it("reads a multimodal Gemma 3 config from text_config with the class defaults the file omits", () => {
        const a = fromFile("gemma-3-27b-it");
        assert.deepEqual([a.layers, a.attentionHeads, a.kvHeads, a.headDim, a.vocabSize], [62, 32, 16, 128, 262208]);
        // sliding_window_pattern 6 (Gemma3TextConfig default): 10 global layers, 52 local ones of 1024 tokens.
        assert.deepEqual(a.slidingWindow, { window: 1024, layers: 52 });
        // SigLIP vision tower estimated from vision_config (~0.4B); the card says 27.4B in all.
        assert.ok(Math.abs(a.paramsB - 27.4) < 0.3, String(a.paramsB));
        const perLayerToken = 2 * 16 * 128 * 2;
        assert.equal(kvBytesForSequence(a, 131072), perLayerToken * (10 * 131072 + 52 * 1024));
    });

    it("reads Llama 4 Scout: text_config MoE with a shared expert and a vision tower", () => {
        const a = fromFile("llama-4-scout");
        assert.deepEqual(a.moe, { experts: 16, perToken: 1 });
        assert.ok(Math.abs(a.paramsB - 108.6) / 108.6 < 0.02, String(a.paramsB));
        assert.ok(Math.abs(a.activeParamsB - 17) < 0.6, String(a.activeParamsB));
    });

    it("sizes weights from quantization_config: AWQ, compressed-tensors FP8, ModelOpt NVFP4", () => {
        const awq = fromFile("qwen2.5-7b-instruct-awq", "Qwen/Qwen2.5-7B-Instruct-AWQ");
        assert.equal(awq.dtype, "int4 + fp16");
        assert.match(awq.quantization ?? "", /AWQ, group 128.*quantization_config/);
        // 6.53B quantised params × (0.5 + 2.5/128) B + 1.09B embeddings/lm_head × 2 B ≈ 5.5 GB (the repo holds 5.58 GB).
        assert.ok(Math.abs(weightBytes(awq) / 1e9 - 5.57) < 0.1, String(weightBytes(awq) / 1e9));
        const fp8 = fromFile("llama-3.3-70b-instruct-fp8-dynamic");
        assert.equal(fp8.dtype, "fp8 + bf16");
        assert.equal(Math.round(weightBytes(fp8) / GiB), 68);
        const nv = fromFile("llama-3.3-70b-instruct-nvfp4");
        assert.equal(nv.dtype, "nvfp4 + bf16");
        assert.ok(weightBytes(nv) < weightBytes(fp8) * 0.6);
    });

    it("reads an encoder-only embedding model: no KV cache, float32 checkpoint served in 16 bits", () => {
        const a = fromFile("bge-m3");
        assert.equal(a.encoderOnly, true);
        assert.equal(a.dtype, "bf16");
        assert.equal(kvBytesForSequence(a, 8192), 0);
        assert.ok(Math.abs(a.paramsB - 0.568) < 0.01, String(a.paramsB));
    });

    it("lets models[].dtype override the checkpoint and size override the file", () => {
        const a = fromFile("llama-3.1-8b-instruct", "x/y", { dtype: "fp8" });
        assert.equal(a.dtype, "fp8 + bf16");
        assert.match(a.quantization ?? "", /models\[\]\.dtype/);
        const sized = resolveArchitecture(
            modelSchema.parse({ model: "x/y", config: fixture("llama-3.1-8b-instruct"), size: { paramsB: 1, layers: 2, attentionHeads: 2, kvHeads: 1, headDim: 64 } }),
            "models[0]",
        );
        assert.equal(sized.layers, 2);
        const cat = resolveArchitecture(modelSchema.parse({ model: "Qwen/Qwen3-32B", dtype: "int4" }), "models[0]");
        assert.equal(cat.dtype, "int4 + bf16");
    });
});

describe("physical/hfconfig: bad config.json", () => {
    it("names the file when it is missing, a directory without config.json, or not JSON", () => {
        throwsAt(() => fromFile("does-not-exist"), "models[0].config", /does-not-exist: no such file/);
        throwsAt(() => fromFile("broken"), "models[0].config", /broken\/config\.json: no such file/);
        throwsAt(() => fromFile("broken/not-json.json"), "models[0].config", /not-json\.json: not valid JSON/);
    });

    it("names the file and the missing field", () => {
        throwsAt(() => fromFile("broken/missing-heads.json"), "models[0].config", /missing-heads\.json: missing "num_attention_heads" \(or "n_head"\)$/);
        assert.throws(() => shapesFromConfig({ hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2 }, "x.json"), /x\.json: missing "vocab_size"/);
        assert.throws(() => shapesFromConfig({ hidden_size: 8, num_hidden_layers: "2", num_attention_heads: 2, vocab_size: 4 }, "x.json"), /"num_hidden_layers" must be a non-negative number; got "2"/);
        assert.throws(
            () => shapesFromConfig({ hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 6, num_key_value_heads: 4, vocab_size: 4 }, "x.json"),
            /"num_key_value_heads" 4 must divide "num_attention_heads" 6/,
        );
    });

    it("refuses an unknown quantisation, listing the known ones", () => {
        throwsAt(
            () => fromFile("broken/unknown-quant.json"),
            "models[0].config",
            /unknown-quant\.json: quantization_config\.quant_method: got "hqq"; allowed quant_method: fp8, fbgemm_fp8, compressed-tensors, awq, gptq, mxfp4, modelopt, bitsandbytes/,
            `models[].dtype: ${QUANT_KINDS.join(", ")}`,
        );
    });

    it("reports config problems through the validation gate before anything is registered", () => {
        const cfg = stackConfigSchema.parse({
            fleet: { pools: [{ name: "h100", accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 8 } }] },
            models: [
                { model: "acme/a", config: fixture("broken/missing-heads.json") },
                { model: "acme/b", config: fixture("broken/unknown-quant.json") },
                { model: "acme/c", config: fixture("llama-3.1-8b-instruct") },
                { model: "acme/d" },
            ],
        });
        const { problems, plans } = planPlacements(cfg);
        assert.equal(problems.length, 3, problems.join("\n"));
        assert.match(problems[0], /^inference-platform:models\[0\]\.config: .*missing-heads\.json: missing "num_attention_heads"/);
        assert.match(problems[1], /^inference-platform:models\[1\]\.config: .*unknown-quant\.json: quantization_config\.quant_method: got "hqq"; allowed/);
        assert.match(problems[2], /^inference-platform:models\[3\]\.config: "acme\/d" is not in the built-in model catalog/);
        assert.equal(plans[2]?.tensorParallel, 1);
    });

    it("refuses models[].dtype values it does not know, listing the known ones", () => {
        const r = modelSchema.safeParse({ model: "x/y", dtype: "int3" });
        assert.equal(r.success, false);
        assert.match(JSON.stringify(r.error?.issues), /bf16.*nvfp4/);
    });
});

describe("physical/hfconfig: the model config cache", () => {
    it("reads a pre-filled cache by hub id, never the network; the catalog wins over it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "model-configs-"));
        const prev = process.env["INFERENCE_PLATFORM_MODEL_CONFIGS"];
        try {
            fs.mkdirSync(path.join(dir, "acme", "Llama-Clone-8B"), { recursive: true });
            fs.copyFileSync(fixture("llama-3.1-8b-instruct/config.json"), path.join(dir, "acme", "Llama-Clone-8B", "config.json"));
            fs.mkdirSync(path.join(dir, "Qwen", "Qwen3-32B"), { recursive: true });
            fs.copyFileSync(fixture("llama-3.1-8b-instruct/config.json"), path.join(dir, "Qwen", "Qwen3-32B", "config.json"));
            process.env["INFERENCE_PLATFORM_MODEL_CONFIGS"] = dir;
            assert.ok(cachedModelConfig("acme/Llama-Clone-8B"));
            assert.equal(cachedModelConfig("acme/not-cached"), undefined);
            assert.equal(cachedModelConfig("../../etc/passwd"), undefined);
            const p = planModel(modelSchema.parse({ model: "acme/Llama-Clone-8B" }), h100, { index: 0 });
            assert.equal(p.architecture.layers, 32);
            assert.match(p.architecture.source, /acme\/Llama-Clone-8B\/config\.json$/);
            assert.equal(resolveArchitecture(modelSchema.parse({ model: "Qwen/Qwen3-32B" })).layers, 64, "catalog over cache");
        } finally {
            if (prev === undefined) delete process.env["INFERENCE_PLATFORM_MODEL_CONFIGS"];
            else process.env["INFERENCE_PLATFORM_MODEL_CONFIGS"] = prev;
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("physical/quant", () => {
    it("bytes per parameter include the scales of each format", () => {
        const b = (k: (typeof QUANT_KINDS)[number], o?: { group?: number; zeroPoint?: boolean }) => schemeOfKind(k, "t", o).bytesPerParam;
        assert.equal(b("bf16"), 2);
        assert.equal(b("fp8"), 1);
        assert.equal(b("fp8-block"), 1 + 4 / 16384);
        assert.equal(b("int8"), 1);
        assert.equal(b("int4"), 0.5 + 2.5 / 128);
        assert.equal(b("int4", { group: 32, zeroPoint: false }), 0.5 + 2 / 32);
        assert.equal(b("mxfp4"), 4.25 / 8);
        assert.equal(b("nvfp4"), 4.5 / 8);
    });

    it("reads every known quant_method", () => {
        const k = (qc: Record<string, unknown>) => {
            const s = schemeFromQuantizationConfig(qc);
            return `${s.kind}/${s.scope}${s.keep16.attention ? "/attn16" : ""}`;
        };
        assert.equal(k({ quant_method: "fp8", weight_block_size: [128, 128] }), "fp8-block/linear");
        assert.equal(k({ quant_method: "fp8", activation_scheme: "dynamic" }), "fp8/linear");
        // Meta's Llama-3.1-405B-Instruct-FP8 leaves attention in bf16.
        assert.equal(k({ quant_method: "fbgemm_fp8", modules_to_not_convert: ["model.layers.0.self_attn.q_proj", "lm_head"] }), "fp8/linear/attn16");
        assert.equal(k({ quant_method: "awq", bits: 4, group_size: 128 }), "int4/linear");
        assert.equal(k({ quant_method: "gptq", bits: 8, group_size: 128 }), "int8/linear");
        assert.equal(k({ quant_method: "mxfp4" }), "mxfp4/experts");
        assert.equal(k({ quant_method: "modelopt", quant_algo: "NVFP4", group_size: 16 }), "nvfp4/linear");
        assert.equal(k({ quant_method: "modelopt", quant_algo: "FP8" }), "fp8/linear");
        assert.equal(k({ quant_method: "bitsandbytes", load_in_4bit: true }), "nf4/linear");
        const ct = (w: Record<string, unknown>) => k({ quant_method: "compressed-tensors", config_groups: { group_0: { targets: ["Linear"], weights: w } } });
        assert.equal(ct({ num_bits: 8, type: "float", strategy: "channel" }), "fp8/linear");
        assert.equal(ct({ num_bits: 8, type: "float", strategy: "block" }), "fp8-block/linear");
        assert.equal(ct({ num_bits: 8, type: "int", strategy: "channel" }), "int8/linear");
        assert.equal(ct({ num_bits: 4, type: "int", strategy: "group", group_size: 128 }), "int4/linear");
        assert.equal(ct({ num_bits: 4, type: "float", strategy: "tensor_group", group_size: 16 }), "nvfp4/linear");
        assert.throws(() => schemeFromQuantizationConfig({ quant_method: "gptq", bits: 3 }), /got 3 for gptq; allowed: 4, 8/);
        assert.throws(() => schemeFromQuantizationConfig({ quant_method: "exl2" }), new RegExp(`got "exl2"; allowed quant_method: ${KNOWN_QUANT_METHODS.join(", ")}`));
    });

    it("knows the name suffixes of quantised releases", () => {
        const q = (id: string) => {
            const r = quantFromName(id);
            return r ? `${r.scheme.kind} ${r.baseId}` : "none";
        };
        assert.equal(q("RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic"), "fp8 RedHatAI/Llama-3.3-70B-Instruct");
        assert.equal(q("Qwen/Qwen3-32B-AWQ"), "int4 Qwen/Qwen3-32B");
        assert.equal(q("Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4"), "int4 Qwen/Qwen2.5-72B-Instruct");
        assert.equal(q("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int8"), "int8 Qwen/Qwen2.5-7B-Instruct");
        assert.equal(q("nvidia/DeepSeek-R1-0528-NVFP4"), "nvfp4 nvidia/DeepSeek-R1-0528");
        assert.equal(q("RedHatAI/Qwen3-8B-quantized.w4a16"), "int4 RedHatAI/Qwen3-8B");
        assert.equal(q("RedHatAI/Qwen3-8B-quantized.w8a8"), "int8 RedHatAI/Qwen3-8B");
        assert.equal(q("neuralmagic/Mistral-7B-Instruct-v0.3-Int8"), "int8 neuralmagic/Mistral-7B-Instruct-v0.3");
        assert.equal(q("Qwen/Qwen3-32B"), "none");
        assert.equal(q("Qwen/Qwen3-32B-FP8-extra"), "none");
        // An unknown quantised release of a known model resolves through its base.
        assert.equal(lookupModel("nvidia/DeepSeek-R1-0528-NVFP4")?.dtype, "nvfp4 + bf16");
    });

    it("passes kvCacheDtype to vLLM and SGLang in their spelling", () => {
        assert.deepEqual(kvCacheDtypeArgs("vllm", "fp8"), ["--kv-cache-dtype", "fp8"]);
        assert.deepEqual(kvCacheDtypeArgs("sglang", "fp8"), ["--kv-cache-dtype", "fp8_e4m3"]);
        assert.deepEqual(kvCacheDtypeArgs("sglang", "fp8_e5m2"), ["--kv-cache-dtype", "fp8_e5m2"]);
        assert.deepEqual(kvCacheDtypeArgs("vllm", "auto"), []);
        const placement = { tensor: 1, pipeline: 1, data: 1, gpusPerPod: 1, nodesPerReplica: 1, replicas: 1 };
        const m = modelSchema.parse({ model: "Qwen/Qwen3-0.6B", kvCacheDtype: "fp8" });
        const v = vllmServeArgs({ model: m, placement });
        assert.equal(v[v.indexOf("--kv-cache-dtype") + 1], "fp8");
        const s = sglangArgs({ model: { ...m, engine: "sglang" }, placement });
        assert.equal(s[s.indexOf("--kv-cache-dtype") + 1], "fp8_e4m3");
        assert.ok(!vllmServeArgs({ model: modelSchema.parse({ model: "Qwen/Qwen3-0.6B" }), placement }).includes("--kv-cache-dtype"));
    });

    it("refuses kvCacheDtype where no engine flag can carry it", () => {
        const cfg = stackConfigSchema.parse({
            fleet: { pools: [{ name: "h100", accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 8 } }] },
            models: [
                { model: "Llama-3-8B", engine: "trtllm", kvCacheDtype: "fp8", cacheSize: "100Gi" },
                { model: "Qwen/Qwen3-0.6B", kvCacheDtype: "fp8", extraArgs: ["--kv-cache-dtype=fp8_e5m2"] },
            ],
        });
        const { problems } = planPlacements(cfg);
        assert.deepEqual(problems, [
            'inference-platform:models[0].kvCacheDtype: got "fp8" with engine "trtllm"; the TensorRT-LLM KV-cache dtype is set when the engine is built; allowed here: "auto"',
            'inference-platform:models[1].kvCacheDtype: got "fp8" and extraArgs also set --kv-cache-dtype; set one of them',
        ]);
    });
});
