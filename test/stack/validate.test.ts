/** The up-front gate: every deeper problem (planner, platform, serving) before anything is registered. */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig } from "../../stacks/config/load";
import { checkStack } from "../../stacks/config/validate";
import { program } from "../../stacks/stack/program";
import { refusals, registered, resetRecords } from "../helpers";

const l4 = { name: "l4", nodes: 1, accelerator: { vendor: "nvidia", product: "L4", memoryGiB: 24, perNode: 1 } };

function problemsOf(raw: Record<string, unknown>): string[] {
    return refusals(() => checkStack(parseStackConfig(raw))) ?? assert.fail("expected ConfigError");
}

describe("checkStack", () => {
    it("returns placements and platform decisions for a good config", () => {
        const plan = checkStack(parseStackConfig({ fleet: { pools: [l4] }, models: [{ model: "Qwen/Qwen3-0.6B" }] }));
        assert.equal(plan.placements[0].gpusPerPod, 1);
        assert.equal(plan.decisions.gpuOperator, true);
        assert.equal(plan.plans[0]?.fits, true);
    });

    it("refuses a model that cannot fit the pool, with the numbers and the path", () => {
        const ps = problemsOf({ fleet: { pools: [l4] }, models: [{ model: "meta-llama/Llama-3.3-70B-Instruct" }] });
        assert.equal(ps.length, 1, ps.join("\n"));
        assert.match(ps[0], /^inference-platform:models\[0\]/);
        assert.match(ps[0], /GiB/);
    });

    it("reports platform and serving problems together", () => {
        const ps = problemsOf({
            fleet: { pools: [{ ...l4, nodes: 2 }] },
            platform: { monitoring: { enabled: false }, sources: { charts: { gpuOperatr: { repo: "https://mirror" } } } },
            models: [
                { name: "a", model: "Qwen/Qwen3-0.6B", serving: "kserve", engine: "sglang" },
                { name: "b", model: "Qwen/Qwen3-0.6B", autoscaling: { max: 2 } },
            ],
        });
        assert.ok(ps.some((p) => /platform\.sources\.charts\.gpuOperatr: unknown chart key/.test(p)), ps.join("\n"));
        assert.ok(ps.some((p) => /models\[0\]\.engine: got "sglang"/.test(p)), ps.join("\n"));
        assert.ok(ps.some((p) => /models\[1\]\.autoscaling: engines scale through KEDA on a Prometheus query, but platform\.monitoring\.enabled is false/.test(p)), ps.join("\n"));
    });

    it("program() stops on a planning error before registering anything", async () => {
        await resetRecords();
        pulumi.runtime.setAllConfig({
            "inference-platform:fleet": JSON.stringify({ pools: [l4] }),
            "inference-platform:models": JSON.stringify([{ model: "meta-llama/Llama-3.1-405B-Instruct" }]),
        });
        try {
            assert.throws(() => program(), (e: Error) => e instanceof pulumi.RunError && /^invalid stack config:\ninference-platform:models\[0\]/.test(e.message));
            assert.equal((await registered()).length, 0);
        } finally {
            pulumi.runtime.setAllConfig({});
        }
    });
});

describe("prefill workers count against the pool", () => {
    const pool = { name: "h100", nodes: 1, accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 } };
    it("refuses P/D when decode + prefill pods do not fit, naming the prefill setting and the numbers", () => {
        const ps = problemsOf({ fleet: { pools: [pool] }, models: [{ name: "q", model: "Qwen/Qwen3-32B", serving: "llmd", replicas: 2, parallelism: { tensor: 2 }, llmd: { prefillReplicas: 3 } }] });
        assert.deepEqual(ps, [
            'inference-platform:models[0].llmd.prefillReplicas: pool "h100" (fleet.pools[0]) has 1 nodes × 8 = 8 GPUs, but decode and prefill pods need q 2 × 2 + q prefill 3 × 2 = 10 GPUs (whole pods per node); lower prefill or decode replicas, or add nodes',
        ]);
    });
    it("accepts P/D that fits, and counts prefill tensor separately", () => {
        const plan = checkStack(parseStackConfig({ fleet: { pools: [pool] }, models: [{ name: "q", model: "Qwen/Qwen3-32B", serving: "llmd", replicas: 2, parallelism: { tensor: 2 }, llmd: { prefillReplicas: 4, prefillTensor: 1 } }] }));
        assert.equal(plan.placements[0].replicas, 2);
    });
});
