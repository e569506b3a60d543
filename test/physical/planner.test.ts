import * as assert from "node:assert/strict";
import { modelSchema, poolSchema, type StackConfigInput } from "../../stacks/config/schema";
import {
    PlanError,
    RUNTIME_RESERVE_GIB,
    kvBytesFromArgs,
    lookupModel,
    maxBatchedTokens,
    memoryPerGpu,
    runtimeOverhead,
    planAll,
    planJsonEntry,
    planModel,
    validTensorSizes,
    weightBytes,
} from "../../components/physical";

type ModelInput = NonNullable<StackConfigInput["models"]>[number];

const hgx = (nodes = 2, perNode = 8, memoryGiB = 80, product = "H100-SXM5-80GB") =>
    poolSchema.parse({ name: "h100", nodes, accelerator: { vendor: "nvidia", product, memoryGiB, perNode } });
const h200 = poolSchema.parse({ name: "h200", nodes: 1, accelerator: { vendor: "nvidia", product: "H200-141GB", memoryGiB: 141, perNode: 8 } });
/** One GB200 NVL72 rack: 18 compute trays × 4 GPUs, one 72-GPU NVLink domain. */
const nvl72 = poolSchema.parse({
    name: "nvl72",
    nodes: 18,
    nvlinkDomain: 72,
    accelerator: { vendor: "nvidia", product: "GB200", memoryGiB: 186, perNode: 4 },
});

const model = (m: ModelInput) => modelSchema.parse(m);
const GiB = 1024 ** 3;
const LLAMA70 = "meta-llama/Llama-3.3-70B-Instruct";
const LLAMA405 = "meta-llama/Llama-3.1-405B-Instruct";

/** Assert `fn` throws a PlanError with exactly this path whose message matches every pattern. */
function throwsPlan(fn: () => unknown, path: string, ...patterns: (RegExp | string)[]): PlanError {
    let caught: unknown;
    try {
        fn();
    } catch (e) {
        caught = e;
    }
    assert.ok(caught instanceof PlanError, `expected a PlanError, got ${String(caught)}`);
    assert.equal(caught.path, path);
    assert.ok(caught.message.startsWith(`${path}: `), caught.message);
    for (const p of patterns) {
        if (typeof p === "string") assert.ok(caught.message.includes(p), `"${p}" not in: ${caught.message}`);
        else assert.match(caught.message, p);
    }
    return caught;
}

describe("physical/planner", () => {
    describe("memory model", () => {
        it("usable per GPU = memory × utilisation − the overhead inside the engine's budget", () => {
            // vLLM: activations + runtime inside --gpu-memory-utilization, CUDA graphs outside.
            const p = planModel(model({ model: "Qwen/Qwen3-0.6B" }), hgx(), { index: 0 });
            assert.equal(RUNTIME_RESERVE_GIB, 0.75);
            assert.equal(p.overhead.maxBatchedTokens, 8192);
            assert.equal(p.overhead.runtimeGiB, 0.75, "one rank: no NCCL buffers");
            assert.equal(p.overhead.cudaGraphsGiB, 1);
            assert.ok(Math.abs(p.perGpuUsableGiB - (72 - 0.75 - p.overhead.activationGiB)) < 0.02, String(p.perGpuUsableGiB));
            // SGLang's --mem-fraction-static holds weights and KV only: the whole budget is usable.
            const s = planModel(model({ model: "Qwen/Qwen3-0.6B", engine: "sglang" }), hgx(), { index: 0 });
            assert.equal(s.perGpuUsableGiB, 72);
            // A fixed reserve replaces the computed overhead.
            const q = planModel(model({ model: "Qwen/Qwen3-0.6B", gpuMemoryUtilization: 0.5 }), hgx(), { index: 0, reserveGiB: 1 });
            assert.equal(q.perGpuUsableGiB, 39);
        });

        it("estimates the activation peak from the batched tokens and the MLP width", () => {
            const a = lookupModel("meta-llama/Llama-3.1-8B-Instruct")!;
            const o = runtimeOverhead(a, { engine: "vllm", extraArgs: [] }, 80, { tp: 1, pp: 1, dp: 1 });
            // 8192 × (4×4096 + 6144 + 3×14336) × 2 B + 256 × 128256 × 4 B ≈ 1.2 GiB (vLLM logs ~1.2 GiB).
            assert.equal(o.activation, 8192 * (4 * 4096 + 6144 + 3 * 14336) * 2 + 256 * 128256 * 4);
            assert.ok(o.activation / GiB > 1.1 && o.activation / GiB < 1.3);
            const tp4 = runtimeOverhead(a, { engine: "vllm", extraArgs: [] }, 80, { tp: 4, pp: 1, dp: 1 });
            assert.ok(tp4.activation < o.activation / 2, "TP shards QKV and MLP activations");
            assert.equal(tp4.runtime, (0.75 + 0.5) * GiB, "NCCL buffers with more than one rank");
            const small = runtimeOverhead(a, { engine: "vllm", extraArgs: ["--max-num-batched-tokens", "2048"] }, 80, { tp: 1, pp: 1, dp: 1 });
            assert.equal(small.maxBatchedTokens, 2048);
            assert.equal(maxBatchedTokens({ engine: "vllm", extraArgs: [] }, 24), 2048, "vLLM default below 70 GiB");
            assert.equal(maxBatchedTokens({ engine: "sglang", extraArgs: [] }, 141), 8192);
            assert.equal(maxBatchedTokens({ engine: "sglang", extraArgs: ["--chunked-prefill-size", "4096"] }, 141), 4096);
            const eager = runtimeOverhead(a, { engine: "vllm", extraArgs: ["--enforce-eager"] }, 80, { tp: 1, pp: 1, dp: 1 });
            assert.equal(eager.cudaGraphs, 0);
            const sg = runtimeOverhead(a, { engine: "sglang", extraArgs: [] }, 80, { tp: 1, pp: 1, dp: 1 });
            assert.equal(sg.inside, 0);
            assert.equal(sg.outside, sg.activation + sg.cudaGraphs + sg.runtime);
        });

        it("reports the KV room per replica in tokens and max-length sequences", () => {
            const p = planModel(model({ model: LLAMA70, maxModelLen: 16384 }), hgx(), { index: 0 });
            assert.equal(p.tensorParallel, 2);
            const perTokenPerGpu = (2 * 80 * 8 * 128 * 2) / 2;
            const room = (p.perGpuUsableGiB - p.weightsPerGpuGiB) * GiB;
            assert.ok(Math.abs(p.kvCapacityTokens - room / perTokenPerGpu) < 200, `${p.kvCapacityTokens} vs ${room / perTokenPerGpu}`);
            assert.equal(p.maxSequencesAtMaxLen, Math.floor(p.kvCapacityTokens / 16384));
            assert.ok(p.kvFraction > 0 && p.kvFraction < 0.2, String(p.kvFraction));
            assert.match(p.explanation, /KV room \d+\.\d GiB\/GPU = [\d,]+ tokens, \d+ × 16384-token sequences per replica/);
            // Data parallelism: each rank has its own KV pool.
            const dp = planModel(model({ model: "Qwen/Qwen3-0.6B", parallelism: { data: 2 } }), hgx(), { index: 0 });
            const one = planModel(model({ model: "Qwen/Qwen3-0.6B", parallelism: { tensor: 1 } }), hgx(), { index: 0 });
            // (each rank also keeps NCCL buffers, so a little less than twice)
            assert.ok(dp.kvCapacityTokens > 1.95 * one.kvCapacityTokens && dp.kvCapacityTokens < 2 * one.kvCapacityTokens, `${dp.kvCapacityTokens} vs 2 × ${one.kvCapacityTokens}`);
            // Encoder-only embedding models hold no KV cache.
            const bge = planModel(model({ model: "BAAI/bge-m3" }), hgx(), { index: 0 });
            assert.deepEqual([bge.kvCacheGiB, bge.kvCapacityTokens, bge.gpusPerReplica], [0, 0, 1]);
            assert.match(bge.explanation, /encoder-only: no KV cache/);
        });

        it("shards GQA KV over TP by whole heads and replicates beyond the KV heads", () => {
            const a = lookupModel(LLAMA70)!;
            const load = { maxModelLen: 8192, concurrency: 1, kvBytes: 2 };
            const kv = (tp: number) => memoryPerGpu(a, { tp, pp: 1, dp: 1 }, load).kvPerGpu;
            assert.equal(kv(2), kv(1) / 2);
            assert.equal(kv(8), kv(1) / 8);
            assert.equal(kv(16), kv(8), "TP 16 > 8 KV heads: each rank still holds one whole head");
        });

        it("keeps the whole MLA latent on every TP rank (DeepSeek)", () => {
            const a = lookupModel("deepseek-ai/DeepSeek-R1")!;
            const load = { maxModelLen: 8192, concurrency: 4, kvBytes: 2 };
            const m1 = memoryPerGpu(a, { tp: 1, pp: 1, dp: 1 }, load);
            const m8 = memoryPerGpu(a, { tp: 8, pp: 1, dp: 1 }, load);
            assert.equal(m8.kvPerGpu, m1.kvPerGpu);
            assert.equal(m8.weightsPerGpu, m1.weightsPerGpu / 8);
        });

        it("splits weights and KV over pipeline stages by layers (largest stage)", () => {
            const a = lookupModel(LLAMA405)!; // 126 layers
            const load = { maxModelLen: 8192, concurrency: 1, kvBytes: 2 };
            const m1 = memoryPerGpu(a, { tp: 8, pp: 1, dp: 1 }, load);
            const m4 = memoryPerGpu(a, { tp: 8, pp: 4, dp: 1 }, load);
            assert.equal(m4.weightsPerGpu, (m1.weightsPerGpu * 32) / 126); // ⌈126/4⌉ = 32 layers
            assert.equal(m4.kvPerGpu, (m1.kvPerGpu * 32) / 126);
        });

        it("data parallelism multiplies the GPUs and splits the concurrency", () => {
            const one = planModel(model({ model: LLAMA70, concurrency: 4, parallelism: { tensor: 4 } }), hgx(), { index: 0 });
            const two = planModel(model({ model: LLAMA70, concurrency: 4, parallelism: { tensor: 4, data: 2 } }), hgx(), { index: 0 });
            assert.deepEqual([two.dataParallel, two.gpusPerReplica, two.worldSize, two.gpusPerPod], [2, 8, 4, 8]);
            assert.equal(two.kvPerGpuGiB, one.kvPerGpuGiB / 2);
            assert.equal(two.kvCacheGiB, one.kvCacheGiB);
        });

        it("halves the KV cache with kvCacheDtype: fp8", () => {
            const bf = planModel(model({ model: LLAMA70, maxModelLen: 32768 }), hgx(), { index: 0 });
            const f8 = planModel(model({ model: LLAMA70, maxModelLen: 32768, kvCacheDtype: "fp8" }), hgx(), { index: 0 });
            assert.equal(f8.kvCacheGiB, bf.kvCacheGiB / 2);
            assert.equal(f8.kvBytes, 1);
            assert.ok(f8.kvCapacityTokens > 1.9 * bf.kvCapacityTokens || f8.tensorParallel < bf.tensorParallel);
            assert.match(f8.explanation, /fp8/);
        });

        it("reads an fp8 KV cache from extraArgs", () => {
            assert.equal(kvBytesFromArgs(["--kv-cache-dtype", "fp8"]), 1);
            assert.equal(kvBytesFromArgs(["--kv-cache-dtype=fp8_e5m2"]), 1);
            assert.equal(kvBytesFromArgs(["--kv-cache-dtype", "auto"]), 2);
            assert.equal(kvBytesFromArgs(["--enforce-eager"]), undefined);
            const bf = planModel(model({ model: LLAMA70, maxModelLen: 32768 }), hgx(), { index: 0 });
            const f8 = planModel(model({ model: LLAMA70, maxModelLen: 32768, extraArgs: ["--kv-cache-dtype", "fp8"] }), hgx(), { index: 0 });
            assert.equal(bf.kvCacheGiB, 10);
            assert.equal(f8.kvCacheGiB, 5);
        });
    });

    describe("fit / no-fit boundaries", () => {
        it("Llama-3.3-70B on H100: TP2 at 16k context, TP4 at 32k", () => {
            const at16k = planModel(model({ model: LLAMA70, maxModelLen: 16384 }), hgx(), { index: 0 });
            assert.equal(at16k.tensorParallel, 2);
            assert.equal(at16k.fits, true);
            const at32k = planModel(model({ model: LLAMA70, maxModelLen: 32768 }), hgx(), { index: 0 });
            assert.equal(at32k.tensorParallel, 4);
            assert.match(at32k.explanation, /TP1, TP2 too small/);
        });

        it("flips from TP2 to TP4 exactly where TP2's KV room runs out", () => {
            // TP2: 72 GiB budget − activations − runtime (0.75 + 0.5 NCCL) − 70.55e9 B weights per GPU; KV 163840 B/token per GPU.
            const a = lookupModel(LLAMA70)!;
            const o = runtimeOverhead(a, { engine: "vllm", extraArgs: [] }, 80, { tp: 2, pp: 1, dp: 1 });
            const maxTokens = Math.floor((72 * GiB - o.inside - weightBytes(a) / 2) / (327680 / 2));
            assert.ok(maxTokens > 20000 && maxTokens < 28148, String(maxTokens));
            const fits = planModel(model({ model: LLAMA70, maxModelLen: maxTokens }), hgx(), { index: 0 });
            assert.equal(fits.tensorParallel, 2);
            assert.ok(fits.headroomGiB >= 0 && fits.headroomGiB < 0.01, String(fits.headroomGiB));
            const over = planModel(model({ model: LLAMA70, maxModelLen: maxTokens + 1 }), hgx(), { index: 0 });
            assert.equal(over.tensorParallel, 4);
            // The same boundary for explicit tensor 2.
            planModel(model({ model: LLAMA70, maxModelLen: maxTokens, parallelism: { tensor: 2 } }), hgx(), { index: 0 });
            throwsPlan(
                () => planModel(model({ model: LLAMA70, maxModelLen: maxTokens + 1, parallelism: { tensor: 2 } }), hgx(), { index: 0 }),
                "models[0].parallelism.tensor",
                "use tensor ≥ 4",
            );
        });

        it("concurrency grows the KV cache like context does", () => {
            const one = planModel(model({ model: LLAMA70, maxModelLen: 8192, concurrency: 1 }), hgx(), { index: 0 });
            const many = planModel(model({ model: LLAMA70, maxModelLen: 8192, concurrency: 16 }), hgx(), { index: 0 });
            assert.equal(one.kvCacheGiB, 2.5);
            assert.equal(many.kvCacheGiB, 40);
            assert.equal(one.tensorParallel, 2);
            assert.equal(many.tensorParallel, 4);
        });
    });

    describe("head divisibility", () => {
        it("lists only tensor sizes that divide the heads and match the KV heads", () => {
            assert.deepEqual(validTensorSizes(lookupModel(LLAMA70)!, 8), [1, 2, 4, 8]); // 3, 6 skipped
            assert.deepEqual(validTensorSizes(lookupModel("Qwen/Qwen3-0.6B")!, 16), [1, 2, 4, 8, 16]);
            // 24 heads: 3, 6, 12 divide the heads but not the 8 KV heads (nor the KV heads them)
            assert.deepEqual(validTensorSizes(lookupModel("meta-llama/Llama-3.2-3B-Instruct")!, 24), [1, 2, 4, 8, 24]);
            // MHA with 12 heads: any divisor of 12
            assert.deepEqual(validTensorSizes(lookupModel("facebook/opt-125m")!, 12), [1, 2, 3, 4, 6, 12]);
        });

        it("on 6-GPU nodes never picks TP 3 or 6 for a 64-head model; pipelines TP4 instead", () => {
            const six = poolSchema.parse({ name: "six", nodes: 3, accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 6 } });
            const p = planModel(model({ model: LLAMA405 }), six, { index: 0 });
            assert.equal(p.tensorParallel, 4);
            assert.equal(p.pipelineParallel, 3);
            assert.equal(p.gpusPerReplica, 12);
            assert.equal(p.nodesPerReplica, 3, "6-GPU pods would split TP groups; 3 pods of 4");
            assert.equal(p.gpusPerPod, 4);
        });

        it("refuses explicit tensor 6 for a 64-head model", () => {
            throwsPlan(
                () => planModel(model({ model: LLAMA70, parallelism: { tensor: 6 } }), hgx(), { index: 1 }),
                "models[1].parallelism.tensor",
                "tensor 6 is invalid for meta-llama/Llama-3.3-70B-Instruct: it does not divide the 64 attention heads",
                'valid tensor sizes up to the 8-GPU NVLink domain of pool "h100": 1, 2, 4, 8',
            );
        });

        it("refuses explicit tensor 3 for Qwen3-0.6B (16 heads)", () => {
            throwsPlan(
                () => planModel(model({ model: "Qwen/Qwen3-0.6B", parallelism: { tensor: 3 } }), hgx(), { index: 0 }),
                "models[0].parallelism.tensor",
                "does not divide the 16 attention heads",
                ": 1, 2, 4, 8",
            );
            assert.equal(planModel(model({ model: "Qwen/Qwen3-0.6B" }), hgx(), { index: 0 }).tensorParallel, 1);
        });

        it("refuses a tensor size that divides the heads but not the KV heads (Llama-3.2-3B, tensor 12)", () => {
            const big = poolSchema.parse({ name: "big", nodes: 1, nvlinkDomain: 16, accelerator: { vendor: "nvidia", product: "X", memoryGiB: 80, perNode: 16 } });
            throwsPlan(
                () => planModel(model({ model: "meta-llama/Llama-3.2-3B-Instruct", parallelism: { tensor: 12 } }), big, { index: 0 }),
                "models[0].parallelism.tensor",
                "it and the 8 KV heads do not divide one another",
                ": 1, 2, 4, 8",
            );
        });
    });

    describe("NVLink domains: HGX vs NVL72", () => {
        it("Llama-3.1-405B on 8×H100 HGX nodes needs pipeline across two nodes", () => {
            const p = planModel(model({ model: LLAMA405 }), hgx(2), { index: 0 });
            assert.equal(p.tensorParallel, 8);
            assert.equal(p.pipelineParallel, 2);
            assert.equal(p.nodesPerReplica, 2);
            assert.equal(p.gpusPerPod, 8);
            assert.equal(p.multiNode, true);
            assert.equal(p.tensorSpansNodes, false);
            assert.equal(p.weightsGiB, 755.95);
            assert.match(p.explanation, /TP8 × PP2 on 2 nodes × 8 H100-SXM5-80GB/);
            assert.match(p.explanation, /pipeline across 2 nodes/);
        });

        it("Llama-3.1-405B on an NVL72 rack uses tensor parallelism across nodes inside the domain", () => {
            const p = planModel(model({ model: LLAMA405 }), nvl72, { index: 0 });
            assert.equal(p.pipelineParallel, 1);
            assert.equal(p.tensorParallel, 8);
            assert.equal(p.nodesPerReplica, 2);
            assert.equal(p.gpusPerPod, 4);
            assert.equal(p.multiNode, true);
            assert.equal(p.tensorSpansNodes, true);
            assert.match(p.explanation, /inside the 72-GPU NVLink domain/);
        });

        it("Llama-3.1-405B on one HGX node is refused with the numbers", () => {
            throwsPlan(
                () => planModel(model({ model: LLAMA405 }), hgx(1), { index: 0, poolIndex: 0 }),
                "models[0].parallelism",
                "auto: meta-llama/Llama-3.1-405B-Instruct (8192 tokens × 1) needs 756.0 GiB weights + 3.9 GiB KV = 759.9 GiB",
                /the largest layout in pool "h100", TP8 over 1 node, needs 95\.0 GiB per GPU on 8 × H100-SXM5-80GB \(69\.\d GiB usable each\)/,
                "add nodes (fleet.pools[0].nodes)",
            );
        });

        it("explicit TP16 is refused on HGX (domain 8) and accepted on NVL72", () => {
            throwsPlan(
                () => planModel(model({ model: LLAMA405, parallelism: { tensor: 16 } }), hgx(2), { index: 0 }),
                "models[0].parallelism.tensor",
                'tensor 16 exceeds the 8-GPU NVLink domain of pool "h100"',
                "use tensor ≤ 8 and pipeline ≥ 2",
            );
            const p = planModel(model({ model: LLAMA405, parallelism: { tensor: 16 } }), nvl72, { index: 0 });
            assert.equal(p.nodesPerReplica, 4);
            assert.equal(p.tensorSpansNodes, true);
        });
    });

    describe("MoE models", () => {
        it("gpt-oss-120b fits one H100 80GB at TP1 (model card: single 80GB GPU)", () => {
            const p = planModel(model({ model: "openai/gpt-oss-120b" }), hgx(1), { index: 0 });
            assert.equal(p.tensorParallel, 1);
            assert.equal(p.gpusPerReplica, 1);
            assert.ok(p.weightsGiB > 60 && p.weightsGiB < 61, String(p.weightsGiB));
            assert.ok(p.headroomGiB > 5);
        });

        it("DeepSeek-R1 (671B FP8) needs two 8×H100 nodes but fits one 8×H200 node", () => {
            const h = planModel(model({ model: "deepseek-ai/DeepSeek-R1" }), hgx(2), { index: 0 });
            assert.equal(h.weightsGiB, 626.92, "FP8 128×128 blocks: 1 B + a 4-byte scale per 16384 weights");
            assert.deepEqual([h.tensorParallel, h.pipelineParallel, h.nodesPerReplica], [8, 2, 2]);
            const g = planModel(model({ model: "deepseek-ai/DeepSeek-R1" }), h200, { index: 0 });
            assert.deepEqual([g.tensorParallel, g.pipelineParallel, g.nodesPerReplica], [8, 1, 1]);
            assert.match(g.explanation, /MLA latent on every TP rank/);
            throwsPlan(() => planModel(model({ model: "deepseek-ai/DeepSeek-V3" }), hgx(1), { index: 4 }), "models[4].parallelism", "626.9 GiB weights");
        });

        it("Mixtral-8x7B keeps all experts resident (46.7B, not 12.9B active)", () => {
            const p = planModel(model({ model: "mistralai/Mixtral-8x7B-Instruct-v0.1" }), hgx(1), { index: 0 });
            assert.equal(p.weightsGiB, 86.99);
            assert.equal(p.tensorParallel, 2);
        });
    });

    describe("seed cases", () => {
        it("gpt-oss-120b TP4 on H100 (StatefulSet)", () => {
            const p = planModel(model({ model: "openai/gpt-oss-120b", parallelism: { tensor: 4 }, workload: "StatefulSet" }), hgx(1), { index: 0 });
            assert.deepEqual(
                [p.tensorParallel, p.pipelineParallel, p.gpusPerReplica, p.nodesPerReplica, p.gpusPerPod, p.multiNode, p.auto],
                [4, 1, 4, 1, 4, false, false],
            );
        });

        it("Llama-3.3-70B TP8 × PP2 on two 8-GPU nodes", () => {
            const p = planModel(model({ model: LLAMA70, parallelism: { tensor: 8, pipeline: 2 }, multiNode: "ray" }), hgx(2), { index: 0 });
            assert.deepEqual(
                [p.gpusPerReplica, p.nodesPerReplica, p.gpusPerPod, p.worldSize, p.multiNode],
                [16, 2, 8, 16, true],
            );
            assert.match(p.explanation, /explicit parallelism, checked/);
        });

        it("Llama-3.3-70B TP4 × PP2 with 4-GPU pods", () => {
            const four = poolSchema.parse({ name: "l40s", nodes: 2, accelerator: { vendor: "nvidia", product: "L40S", memoryGiB: 48, perNode: 4 } });
            const p = planModel(model({ model: LLAMA70, parallelism: { tensor: 4, pipeline: 2 } }), four, { index: 0 });
            assert.deepEqual([p.gpusPerReplica, p.nodesPerReplica, p.gpusPerPod, p.multiNode], [8, 2, 4, true]);
        });

        it("Triton TensorRT-LLM Llama-3-8B TP4 (world size 4)", () => {
            const p = planModel(model({ model: "meta-llama/Meta-Llama-3-8B-Instruct", engine: "trtllm", parallelism: { tensor: 4 } }), hgx(1), { index: 0 });
            assert.deepEqual([p.worldSize, p.gpusPerPod, p.nodesPerReplica, p.engine], [4, 4, 1, "trtllm"]);
        });
    });

    describe("error messages", () => {
        it("too small a tensor size names needed vs available memory and the fix", () => {
            throwsPlan(
                () => planModel(model({ model: LLAMA70, parallelism: { tensor: 1 } }), hgx(), { index: 0 }),
                "models[0].parallelism.tensor",
                /^models\[0\]\.parallelism\.tensor: 1 × H100-SXM5-80GB \(69\.\d GiB usable\) cannot hold meta-llama\/Llama-3\.3-70B-Instruct \(8192 tokens × 1\): needs 131\.4 GiB weights \+ 2\.5 GiB KV; use tensor ≥ 2 \(or parallelism: auto\)$/,
            );
        });

        it("too small a multi-GPU layout also gives the per-GPU need", () => {
            throwsPlan(
                () => planModel(model({ model: LLAMA70, maxModelLen: 65536, parallelism: { tensor: 2 } }), hgx(), { index: 0 }),
                "models[0].parallelism.tensor",
                /2 × H100-SXM5-80GB \(69\.\d GiB usable each\) cannot hold meta-llama\/Llama-3\.3-70B-Instruct \(65536 tokens × 1\): needs 131\.4 GiB weights \+ 20\.0 GiB KV = 75\.7 GiB per GPU; use tensor ≥ 4/,
            );
        });

        it("a full-node tensor size that is still too small suggests pipeline stages", () => {
            throwsPlan(
                () => planModel(model({ model: LLAMA405, parallelism: { tensor: 8 } }), hgx(2), { index: 0 }),
                "models[0].parallelism.pipeline",
                /8 × H100-SXM5-80GB \(69\.\d GiB usable each\) cannot hold/,
                "= 95.0 GiB per GPU; use tensor 8 and pipeline 2 (or parallelism: auto)",
            );
        });

        it("an explicit layout beyond the pool's nodes", () => {
            throwsPlan(
                () => planModel(model({ model: LLAMA70, parallelism: { tensor: 8, pipeline: 4 } }), hgx(2), { index: 0, poolIndex: 1 }),
                "models[0].parallelism",
                'TP8 × PP4 = 32 GPUs per replica needs 4 nodes of 8 GPUs but pool "h100" has 2 nodes × 8 = 16 GPUs',
                "fleet.pools[1].nodes",
            );
        });

        it("pipeline deeper than the layers", () => {
            const wide = poolSchema.parse({ name: "wide", nodes: 40, accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 1 } });
            throwsPlan(
                () => planModel(model({ model: "Qwen/Qwen3-0.6B", parallelism: { pipeline: 29 } }), wide, { index: 0 }),
                "models[0].parallelism.pipeline",
                "pipeline 29 exceeds the 28 layers of Qwen/Qwen3-0.6B; use pipeline ≤ 28",
            );
        });

        it("replicas beyond the pool", () => {
            throwsPlan(
                () => planModel(model({ model: LLAMA70, parallelism: { tensor: 8 }, replicas: 3 }), hgx(2), { index: 2, poolIndex: 0 }),
                "models[2].replicas",
                '3 replicas × 8 GPUs (1 pod of 8) = 24 GPUs do not fit pool "h100" (2 nodes × 8 = 16 GPUs)',
            );
            throwsPlan(
                () => planModel(model({ model: LLAMA70, parallelism: { tensor: 8 }, autoscaling: { min: 3, max: 4 } }), hgx(2), { index: 2 }),
                "models[2].autoscaling.min",
                "lower autoscaling.min",
            );
        });

        it("data parallelism on TensorRT-LLM", () => {
            throwsPlan(
                () => planModel(model({ model: "Llama-3-8B", engine: "trtllm", parallelism: { tensor: 2, data: 2 } }), hgx(1), { index: 0 }),
                "models[0].parallelism.data",
                "world size = tensor × pipeline",
            );
        });

        it("a GPU budget the reserve eats", () => {
            const tiny = poolSchema.parse({ name: "tiny", nodes: 1, accelerator: { vendor: "nvidia", product: "T4", memoryGiB: 2, perNode: 1 } });
            throwsPlan(() => planModel(model({ model: "facebook/opt-125m" }), tiny, { index: 0, reserveGiB: 2 }), "models[0].gpuMemoryUtilization", "2 GiB runtime reserve");
            // CUDA graphs (vLLM) must fit outside the budget: 2 GiB × (1 − 0.9) does not hold 1 GiB.
            throwsPlan(
                () => planModel(model({ model: "facebook/opt-125m" }), tiny, { index: 0 }),
                "models[0].gpuMemoryUtilization",
                "0.9 leaves 0.2 GiB of each 2 GiB GPU outside the engine's budget, but vllm needs 1.0 GiB there (CUDA graphs); lower gpuMemoryUtilization to ≤ 0.50",
            );
            planModel(model({ model: "facebook/opt-125m", extraArgs: ["--enforce-eager"] }), tiny, { index: 0 });
        });

        it("strict: false returns the closest layout with fits: false and the message", () => {
            const p = planModel(model({ model: LLAMA405 }), hgx(1), { index: 0, strict: false });
            assert.equal(p.fits, false);
            assert.match(p.error ?? "", /^models\[0\]\.parallelism: auto:/);
            assert.equal(planJsonEntry(p).fits, false);
        });
    });

    describe("planAll and plan.json", () => {
        const cfg = (models: ModelInput[], nodes = 2) => ({
            fleet: {
                pools: [
                    hgx(nodes),
                    poolSchema.parse({ name: "mi300", nodes: 1, accelerator: { vendor: "amd", product: "MI300X", memoryGiB: 192, perNode: 8 } }),
                ],
            },
            models: models.map(model),
        });

        it("plans every model on its pool and sums pool demand", () => {
            const plan = planAll(
                cfg([
                    { model: "openai/gpt-oss-120b", pool: "h100", parallelism: { tensor: 4 } },
                    { model: LLAMA70, pool: "h100", autoscaling: { min: 1, max: 8 } },
                    { model: "Qwen/Qwen3-32B", pool: "mi300", replicas: 2 },
                ]),
            );
            assert.deepEqual(
                plan.models.map((m) => [m.name, m.pool, m.gpusPerReplica]),
                [
                    ["gpt-oss-120b", "h100", 4],
                    ["llama-3-3-70b-instruct", "h100", 2],
                    ["qwen3-32b", "mi300", 1],
                ],
            );
            const [h, a] = plan.pools;
            assert.deepEqual([h.gpusAtMin, h.gpusAtMax, h.nodesUsedAtMin, h.fitsAtMin, h.fitsAtMax], [6, 20, 1, true, false]);
            assert.deepEqual([a.gpusAtMin, a.fitsAtMin, a.models], [2, true, ["qwen3-32b"]]);
        });

        it("refuses when the models' minimum replicas together exceed a pool", () => {
            throwsPlan(
                () =>
                    planAll(
                        cfg([
                            { model: LLAMA70, pool: "h100", parallelism: { tensor: 8 } },
                            { model: LLAMA405, pool: "h100" },
                        ]),
                    ),
                "fleet.pools[0].nodes",
                'pool "h100" has 2 nodes × 8 = 16 GPUs but the models\' minimum replicas need llama-3-3-70b-instruct 1 × 8 + llama-3-1-405b-instruct 1 × 16 = 24 GPUs',
            );
            const lax = planAll(cfg([{ model: LLAMA70, pool: "h100", parallelism: { tensor: 8 } }, { model: LLAMA405, pool: "h100" }]), { strict: false });
            assert.equal(lax.pools[0].fitsAtMin, false);
        });

        it("names models[i].pool when a multi-pool fleet leaves it out", () => {
            throwsPlan(() => planAll(cfg([{ model: "Qwen/Qwen3-0.6B", pool: "h100" }, { model: "Qwen/Qwen3-0.6B", name: "q2" }])), "models[1].pool", "h100, mi300");
        });

        it("renders plan.json rows with exactly the documented keys", () => {
            const p = planModel(model({ model: LLAMA70, parallelism: { tensor: 8, pipeline: 2 }, autoscaling: { min: 1, max: 2 } }), hgx(4), { index: 0 });
            assert.deepEqual(planJsonEntry(p), {
                name: "llama-3-3-70b-instruct",
                tensorParallel: 8,
                pipelineParallel: 2,
                dataParallel: 1,
                gpusPerReplica: 16,
                nodesPerReplica: 2,
                replicas: { min: 1, max: 2 },
                weightsGiB: 131.4,
                kvCacheGiB: 2.5,
                dtype: "bf16",
                kvCapacityTokens: p.kvCapacityTokens,
                maxSequencesAtMaxLen: p.maxSequencesAtMaxLen,
                fits: true,
            });
            assert.ok(p.kvCapacityTokens > 1_000_000, String(p.kvCapacityTokens));
        });

        it("explains every plan in one line", () => {
            const plan = planAll(cfg([{ model: "openai/gpt-oss-20b", pool: "h100" }, { model: "facebook/opt-125m", pool: "mi300" }]));
            for (const m of plan.models) {
                assert.ok(!m.explanation.includes("\n"));
                assert.match(m.explanation, /GiB weights .* → TP\d/);
            }
        });
    });
});
