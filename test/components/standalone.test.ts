/**
 * Every engine and serving component from a few lines of args — a pool, a model id, a namespace
 * and what the component itself needs (a gateway, a CRD installer) — with no stack config: the
 * model's and pool's defaults come from components/types.ts and the placement from the planner.
 */
import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import { VllmServer } from "../../components/engine/vllm";
import { SglangServer } from "../../components/engine/sglang";
import { TritonTrtllmServer } from "../../components/engine/triton-trtllm";
import { LwsServer } from "../../components/engine/lws";
import { RayVllmServer } from "../../components/engine/ray";
import { EngineAutoscaler } from "../../components/engine/autoscaler";
import { KServeModel } from "../../components/serving/kserve-model";
import { LlmInferenceService } from "../../components/serving/llm-inference-service";
import { LlmD } from "../../components/serving/llmd";
import { RayServeLlm } from "../../components/serving/rayserve";
import { NimService } from "../../components/serving/nim-service";
import { DynamoDeployment } from "../../components/serving/dynamo";
import { GpuClaim } from "../../components/platform/gpu-claim";
import { resolveModel, resolveNodePool, type NodePool } from "../../components/types";
import { parseStackConfig } from "../../stacks/config/load";
import { deploy } from "../../examples/standalone";
import { installer, promiseOf, registered, resetRecords } from "../helpers";

const ns = "inference";
const h100: NodePool = { name: "h100", nodes: 2, accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 } };
const gateway = { name: "gw", namespace: "gateway", className: "istio" };

/** What a construction registered: the kinds (type tokens) of its children. */
async function kindsUnder(name: string): Promise<string[]> {
    const all = await registered();
    return [...new Set(all.filter((r) => r.urn.includes(`::${name}`) || r.name.startsWith(name)).map((r) => r.type))].sort();
}

describe("components on their own (no stack config)", () => {
    beforeEach(resetRecords);

    it("engines: vLLM, SGLang, Triton, LWS and Ray multi-node, and the KEDA autoscaler", async () => {
        const vllm = new VllmServer("sa-vllm", { namespace: ns, pool: h100, model: { model: "Qwen/Qwen3-0.6B" } });
        new SglangServer("sa-sglang", { namespace: ns, pool: h100, model: { model: "Qwen/Qwen3-8B", name: "sa-sglang", engine: "sglang" } });
        new TritonTrtllmServer("sa-triton", { namespace: ns, pool: h100, model: { model: "Qwen/Qwen3-8B", name: "sa-triton", engine: "trtllm" } });
        const big = { model: "meta-llama/Llama-3.3-70B-Instruct", parallelism: { tensor: 8, pipeline: 2 } };
        new LwsServer("sa-lws", { namespace: ns, pool: h100, model: { ...big, name: "sa-lws" }, lwsCrds: installer("lws-crds") });
        new RayVllmServer("sa-ray", { namespace: ns, pool: h100, model: { ...big, name: "sa-ray", multiNode: "ray" } });
        new EngineAutoscaler("sa-auto", { namespace: ns, model: { model: "Qwen/Qwen3-0.6B", autoscaling: { max: 3 } }, prometheusUrl: "http://prom:9090" });

        assert.equal(await promiseOf(vllm.url), "http://qwen3-0-6b.inference.svc.cluster.local:8000/v1");
        const types = (await registered()).map((r) => r.type);
        for (const t of [
            "inference-platform:index:VllmServer",
            "inference-platform:index:SglangServer",
            "inference-platform:index:TritonTrtllmServer",
            "inference-platform:index:LwsServer",
            "inference-platform:index:RayVllmServer",
            "inference-platform:index:EngineAutoscaler",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
            "kubernetes:keda.sh/v1alpha1:ScaledObject",
        ]) {
            assert.ok(types.includes(t), `registered ${t}`);
        }
        // The planner placed the 0.6B model on one GPU; the default workload is a StatefulSet named after the model id.
        const sts = (await registered("kubernetes:apps/v1:StatefulSet")).find((r) => (r.inputs as any).metadata.name === "qwen3-0-6b")!;
        assert.deepEqual((sts.inputs as any).spec.template.spec.containers[0].resources.limits, { "nvidia.com/gpu": "1" });
        const so = (await registered("kubernetes:keda.sh/v1alpha1:ScaledObject"))[0];
        assert.deepEqual((so.inputs as any).spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "StatefulSet", name: "qwen3-0-6b" });
    });

    it("serving: KServe, LLMInferenceService, llm-d, Ray Serve, NIM, Dynamo, and a GPU claim", async () => {
        const m = (model: string, name: string) => ({ model, name });
        new KServeModel("sa-kserve", { namespace: ns, pool: h100, model: m("Qwen/Qwen3-8B", "sa-kserve") });
        new LlmInferenceService("sa-llmisvc", { namespace: ns, pool: h100, model: m("Qwen/Qwen3-8B", "sa-llmisvc"), gateway });
        new LlmD("sa-llmd", { namespace: ns, pool: h100, model: m("Qwen/Qwen3-8B", "sa-llmd"), gateway, provider: "istio" });
        new RayServeLlm("sa-rayserve", { namespace: ns, pool: h100, model: m("Qwen/Qwen3-8B", "sa-rayserve") });
        new NimService("sa-nim", {
            namespace: ns,
            pool: h100,
            model: { model: "meta/llama-3.1-8b-instruct", name: "sa-nim", nim: { image: "nvcr.io/nim/meta/llama-3.1-8b-instruct", tag: "1.13.1" } },
            ngcApiSecretName: "ngc-api",
            ngcPullSecretName: "ngc-pull",
        });
        new DynamoDeployment("sa-dynamo", { namespace: ns, pool: h100, model: m("Qwen/Qwen3-8B", "sa-dynamo") });
        new GpuClaim("sa-gpus", { namespace: ns, count: 2 });
        const types = (await registered()).map((r) => r.type);
        for (const t of [
            "inference-platform:index:KServeModel",
            "inference-platform:index:LlmInferenceService",
            "inference-platform:index:LlmD",
            "inference-platform:index:RayServeLlm",
            "inference-platform:index:NimService",
            "inference-platform:index:DynamoDeployment",
            "kubernetes:serving.kserve.io/v1beta1:InferenceService",
            "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService",
            "kubernetes:ray.io/v1:RayService",
            "kubernetes:apps.nvidia.com/v1alpha1:NIMService",
            "kubernetes:nvidia.com/v1alpha1:DynamoGraphDeployment",
            "kubernetes:resource.k8s.io/v1:ResourceClaimTemplate",
        ]) {
            assert.ok(types.includes(t), `registered ${t}`);
        }
        assert.ok((await kindsUnder("sa-llmd")).some((t) => t.includes("helm")), "llm-d installs its charts");
    });

    it("a model the pool cannot hold fails in the planner with the numbers, before any resource", async () => {
        const l4: NodePool = { name: "l4", accelerator: { vendor: "nvidia", product: "L4", memoryGiB: 24, perNode: 1 } };
        assert.throws(() => new VllmServer("sa-too-big", { namespace: ns, pool: l4, model: { model: "meta-llama/Llama-3.3-70B-Instruct" } }), /GiB/);
        assert.equal((await registered("kubernetes:apps/v1:StatefulSet")).length, 0);
    });

    it("the defaults are the stack schema's: a resolved spec equals the parsed stack model, a resolved pool the parsed pool", () => {
        const models = [
            { model: "Qwen/Qwen3-0.6B" },
            { model: "Qwen/Qwen3-8B", name: "q", parallelism: { tensor: 2 }, autoscaling: { max: 4 }, llmd: { prefillTensor: 2 }, llmisvc: { kvCacheOffloadCpu: "64Gi" } },
            { model: "x/y", size: { paramsB: 1, layers: 2, attentionHeads: 4, kvHeads: 2, headDim: 8 }, nim: { tag: "1" }, serving: "nim" as const },
        ];
        const pools = [
            { name: "a", accelerator: { vendor: "nvidia" as const, product: "L4", memoryGiB: 24, perNode: 1 } },
            { name: "b", nodes: 2, accelerator: { vendor: "amd" as const, product: "MI300X", memoryGiB: 192, perNode: 8 }, taints: [{ key: "gpu" }], nvlinkDomain: 8 },
        ];
        const parsed = parseStackConfig({ fleet: { pools }, models: models.map((x) => ({ ...x, pool: "a" })) });
        models.forEach((x, i) => assert.deepEqual(resolveModel({ ...x, pool: "a" }), parsed.models[i]));
        pools.forEach((p, i) => assert.deepEqual(resolveNodePool(p), parsed.fleet.pools[i]));
        // Resolving a resolved model changes nothing.
        parsed.models.forEach((m) => assert.deepEqual(resolveModel(m), m));
    });

    it("the example program (examples/standalone) builds", async () => {
        const endpoints = deploy();
        assert.equal(await promiseOf(endpoints["llama"]), "http://llama-3-3-70b-instruct.inference.svc.cluster.local:8000/v1");
        assert.ok((await registered("inference-platform:index:LlmD")).length === 1);
    });
});
