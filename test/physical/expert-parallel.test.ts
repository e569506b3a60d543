/**
 * Expert parallelism in the planner: with vLLM --enable-expert-parallel (llm-d wide EP) the routed
 * experts are sharded over TP × DP ranks, so the llm-d wide-EP layout for DeepSeek-R1 — tensor 1 ×
 * data 16 over two 8-GPU nodes (llm-d/llm-d guides/wide-ep-lws/manifests/modelserver/base/decode.yaml:
 * DP_SIZE_LOCAL 8, LWS group of 2, --enable-expert-parallel) — fits, where replicating all 671B
 * on every data-parallel rank could not.
 */
import * as assert from "node:assert/strict";
import { modelSchema, poolSchema } from "../../stacks/config/schema";
import { expertParallelOf, lookupModel, memoryPerGpu, PlanError, planModel } from "../../components/physical";
import { expertWeightBytes, weightBytes } from "../../components/physical/catalog";

const GiB = 1024 ** 3;
const h200 = poolSchema.parse({ name: "h200", nodes: 2, accelerator: { vendor: "nvidia", product: "H200-141GB", memoryGiB: 141, perNode: 8 } });
const R1 = { name: "r1", model: "deepseek-ai/DeepSeek-R1-0528", serving: "llmd", parallelism: { tensor: 1, data: 16 }, maxModelLen: 8192, concurrency: 64 } as const;

describe("physical/planner: expert parallelism (MoE experts sharded over TP × DP)", () => {
    it("DeepSeek-V3/R1: the catalog splits out the 653.91B routed experts (58 MoE layers × 256 × 3 × 7168 × 2048)", () => {
        const a = lookupModel("deepseek-ai/DeepSeek-R1")!;
        assert.equal(Math.round(58 * 256 * 3 * 7168 * 2048 / 1e7) / 100, 653.91);
        // FP8 in 128×128 blocks: 1 byte per weight + one fp32 scale per block.
        assert.equal(expertWeightBytes(a), 58 * 256 * 3 * 7168 * 2048 * (1 + 4 / 16384));
        assert.equal(Math.round(weightBytes(a) / 1e9), 673, "fp8 layers + block scales + bf16 embeddings and lm_head");
    });

    it("weights per GPU = dense / TP + experts / (TP × DP) with EP; every rank holds everything without", () => {
        const a = lookupModel("deepseek-ai/DeepSeek-R1")!;
        const load = { maxModelLen: 8192, concurrency: 64, kvBytes: 2 };
        const ep = memoryPerGpu(a, { tp: 1, pp: 1, dp: 16, ep: true }, load).weightsPerGpu;
        const noEp = memoryPerGpu(a, { tp: 1, pp: 1, dp: 16 }, load).weightsPerGpu;
        assert.equal(noEp, weightBytes(a));
        assert.equal(ep, weightBytes(a) - expertWeightBytes(a) + expertWeightBytes(a) / 16);
        assert.ok(ep / GiB > 55 && ep / GiB < 56, String(ep / GiB));
        // DP 1: EP = TP, the same as tensor sharding.
        assert.equal(memoryPerGpu(a, { tp: 8, pp: 1, dp: 1, ep: true }, load).weightsPerGpu, memoryPerGpu(a, { tp: 8, pp: 1, dp: 1 }, load).weightsPerGpu);
    });

    it("accepts the wide-EP guide's layout TP1 × DP16 over two 8-GPU nodes with llmd.expertParallel, refuses it without", () => {
        const p = planModel(modelSchema.parse({ ...R1, llmd: { expertParallel: true } }), h200, { index: 0 });
        assert.deepEqual([p.tensorParallel, p.dataParallel, p.gpusPerReplica, p.nodesPerReplica, p.gpusPerPod], [1, 16, 16, 2, 8]);
        assert.ok(p.fits);
        assert.match(p.explanation, /TP1 × DP16 \(experts sharded over EP16\)/);
        assert.throws(() => planModel(modelSchema.parse(R1), h200, { index: 0 }), (e: unknown) => e instanceof PlanError && /cannot hold deepseek-ai\/DeepSeek-R1-0528/.test(e.message));
    });

    it("expert parallelism comes from llmd.expertParallel or --enable-expert-parallel in extraArgs", () => {
        assert.equal(expertParallelOf(modelSchema.parse({ ...R1, llmd: { expertParallel: true } })), true);
        assert.equal(expertParallelOf(modelSchema.parse({ ...R1, serving: "engine", extraArgs: ["--enable-expert-parallel"] })), true);
        assert.equal(expertParallelOf(modelSchema.parse(R1)), false);
    });
});
