/** Placements from the planner, engine-level config problems, the engine layer's choice of server, and the seed cases. */
import { strict as assert } from "node:assert";
import { ConfigError } from "../../stacks/config/load";
import { planPlacements, placementsFor } from "../../stacks/stack/placement";
import { engineKind } from "../../stacks/stack/layers/engine";
import { checkObject } from "../conformance/upstream";
import { planExample } from "../helpers";
import { config, H100_POOL } from "./fixtures";

const LLAMA_70B = "meta-llama/Llama-3.3-70B-Instruct";

describe("placements (planner-backed)", () => {
    it("auto parallelism comes from the planner; explicit parallelism is kept", () => {
        const cfg = config([
            { name: "auto70", model: LLAMA_70B },
            { name: "tp8pp2", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 } },
        ]);
        const [auto, explicit] = placementsFor(cfg);
        // 70B bf16 ≈ 131 GiB of weights: more than one 80 GB GPU, fits 2 (TP 2 divides 64 heads and 8 KV heads).
        assert.ok(auto.tensor >= 2 && auto.tensor <= 8, `auto TP ${auto.tensor}`);
        assert.equal(auto.nodesPerReplica, 1);
        assert.deepEqual(explicit, { tensor: 8, pipeline: 2, data: 1, gpusPerPod: 8, nodesPerReplica: 2, replicas: 1 });
    });

    it("a too-small explicit TP is a config error naming the path and the memory", () => {
        const cfg = config([{ name: "small", model: LLAMA_70B, parallelism: { tensor: 1 } }]);
        assert.throws(
            () => placementsFor(cfg),
            (e: unknown) => e instanceof ConfigError && /^inference-platform:models\[0\]\.parallelism/.test(e.problems[0]) && /GiB/.test(e.problems[0]),
        );
    });

    it("reports engine problems for every model at once, each naming its path", () => {
        const cfg = config([
            { name: "trt", model: LLAMA_70B, engine: "trtllm", parallelism: { tensor: 8, pipeline: 2 } },
            { name: "ray2", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 }, multiNode: "ray", replicas: 2 },
            { name: "sgray", model: LLAMA_70B, engine: "sglang", parallelism: { tensor: 8, pipeline: 2 }, multiNode: "ray" },
        ], [{ ...H100_POOL, nodes: 8 }]);
        const { problems, placements } = planPlacements(cfg);
        assert.ok(problems.some((p) => p.startsWith("inference-platform:models[0].engine:") && /single-node/.test(p)), problems.join("\n"));
        // cacheSize is optional for trtllm (the Hugging Face cache, as for vLLM/SGLang).
        assert.ok(!problems.some((p) => p.startsWith("inference-platform:models[0].cacheSize:")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("inference-platform:models[1].multiNode:") && /one Ray cluster is one replica/.test(p)), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("inference-platform:models[2].multiNode:") && /vLLM only/.test(p)), problems.join("\n"));
        assert.deepEqual(placements, [undefined, undefined, undefined]);
        assert.throws(() => placementsFor(cfg), ConfigError);
    });

    it("pool capacity over all models is checked", () => {
        const cfg = config([
            { name: "a", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 }, replicas: 2 },
            { name: "b", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 } },
        ]);
        const { problems } = planPlacements(cfg);
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^inference-platform:fleet\.pools\[0\]\.nodes: /);
    });

    it("the engine layer serves single-node by engine and multi-node by multiNode", () => {
        const cfg = config([
            { name: "a", model: LLAMA_70B, engine: "sglang" },
            { name: "b", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 }, multiNode: "ray" },
            { name: "c", model: LLAMA_70B, engine: "sglang", parallelism: { tensor: 8, pipeline: 2 } },
        ], [{ ...H100_POOL, nodes: 6 }]);
        const p = placementsFor(cfg);
        assert.deepEqual(cfg.models.map((m, i) => engineKind(m, p[i])), ["sglang", "ray", "lws"]);
    });
});

describe("seed cases (stacks/examples/engine-seed.yaml)", () => {
    it("plan with the seed's layouts and every custom resource validates upstream", async () => {
        const plan = await planExample("stacks/examples/engine-seed.yaml");
        const kinds = (k: string) => plan.manifests.filter((m) => m.kind === "object" && m.doc["kind"] === k).map((m) => m.doc as any);
        const byName = (k: string, n: string) => kinds(k).find((d) => d.metadata.name === n);

        const oss = byName("StatefulSet", "gpt-oss-120b");
        assert.match(oss.spec.template.spec.containers[0].args.join(" "), /openai\/gpt-oss-120b .*--tensor-parallel-size 4/);
        assert.deepEqual(oss.spec.template.spec.containers[0].resources.limits, { "nvidia.com/gpu": "4" });

        const rayHead = byName("StatefulSet", "llama-70b-ray-ray-head");
        const rayWorker = byName("StatefulSet", "llama-70b-ray-ray-worker");
        assert.match(rayHead.spec.template.spec.containers[0].command[2], /--tensor-parallel-size 8 --pipeline-parallel-size 2/);
        assert.equal(rayWorker.spec.replicas, 1);

        const lws = byName("LeaderWorkerSet", "llama-70b-lws");
        assert.equal(lws.spec.leaderWorkerTemplate.size, 2);
        assert.equal(lws.spec.leaderWorkerTemplate.restartPolicy, "RecreateGroupOnPodRestart");
        const slide35 = byName("LeaderWorkerSet", "llama-70b-tp4pp2");
        assert.equal(slide35.spec.leaderWorkerTemplate.size, 2);
        assert.equal(slide35.spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].resources.limits["nvidia.com/gpu"], "4");

        const trt = byName("StatefulSet", "llama-3-8b-trtllm");
        assert.match(trt.spec.template.spec.containers[0].command[2], /"tensor_parallel_size":4,"pipeline_parallel_size":1/);
        assert.match(trt.spec.template.spec.containers[0].command[2], /launch_triton_server\.py --model_repo=\/models /);

        const sg = byName("StatefulSet", "qwen3-32b-sglang");
        assert.deepEqual(sg.spec.template.spec.containers[0].command, ["python3", "-m", "sglang.launch_server"]);

        // Every LWS and PodMonitor validates against the upstream CRDs.
        const crs = [...kinds("LeaderWorkerSet"), ...kinds("PodMonitor")];
        assert.equal(kinds("LeaderWorkerSet").length, 2);
        assert.equal(kinds("PodMonitor").length, 6, "every engine is scraped");
        for (const d of crs) {
            const r = checkObject(d);
            assert.equal(r.status, "valid", `${d.kind} ${d.metadata.name}: ${JSON.stringify(r)}`);
        }
        const lwsReg = plan.resources.find((r) => r.type === "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet" && r.name === "llama-70b-lws")!;
        const lwsRelease = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && /lws/.test(r.name))!;
        assert.ok(lwsRelease, "the stack installs LWS");
        assert.ok(lwsReg.dependsOn.includes(lwsRelease.urn), "the LeaderWorkerSet depends on the LWS release");
    });
});
