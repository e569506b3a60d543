/** Engine autoscaling: a KEDA ScaledObject per autoscaled engine model, on the engine's own metric. */
import { strict as assert } from "node:assert";
import { autoscalingQuery, EngineAutoscaler, ENGINE_DEFAULT_QUERY } from "../../components/engine/autoscaler";
import { TritonTrtllmServer } from "../../components/engine/triton-trtllm";
import { multiSeriesQueryProblem } from "../../components/serving/common";
import { parseStackConfig } from "../../stacks/config/load";
import { InferenceStack } from "../../stacks/stack/inference-stack";
import { validateObject } from "../conformance/upstream";
import { one, registered, resetRecords } from "../helpers";
import { config, H100_POOL, installer, manifestOf, serverArgs, spec } from "./fixtures";

function podLabelsOf(r: { inputs: unknown }): Record<string, string> {
    return (r.inputs as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
}

const SO = "kubernetes:keda.sh/v1alpha1:ScaledObject";

describe("EngineAutoscaler", () => {
    beforeEach(resetRecords);

    it("scales the workload between min and max on the vLLM running-requests gauge of the served model", async () => {
        const cfg = config([{ name: "qwen", model: "Qwen/Qwen3-0.6B", autoscaling: { min: 1, max: 5, target: 2 } }]);
        const keda = installer("keda-crds");
        new EngineAutoscaler("qwen-autoscaler", {
            namespace: "inference",
            model: cfg.models[0],
            target: { apiVersion: "apps/v1", kind: "StatefulSet", name: "qwen" },
            prometheusUrl: "http://prom:9090",
            kedaCrds: keda,
        });
        const so = await one(SO, "qwen-autoscaler");
        assert.deepEqual(spec(so).scaleTargetRef, { apiVersion: "apps/v1", kind: "StatefulSet", name: "qwen" });
        assert.equal(spec(so).minReplicaCount, 1);
        assert.equal(spec(so).maxReplicaCount, 5);
        assert.deepEqual(spec(so).triggers, [
            { type: "prometheus", metadata: { serverAddress: "http://prom:9090", query: 'sum(vllm:num_requests_running{model_name="Qwen/Qwen3-0.6B"})', threshold: "2" } },
        ]);
        assert.ok(so.dependsOn.some((u) => u.endsWith("::keda-crds")), "the ScaledObject depends on the KEDA CRD installer");
        assert.deepEqual(validateObject(manifestOf(so)), []);
    });

    it("uses each engine's own gauge unless the query was set", () => {
        const cfg = config([
            { name: "a", model: "Qwen/Qwen3-0.6B", engine: "sglang", autoscaling: { max: 2 } },
            { name: "b", model: "Qwen/Qwen3-0.6B", autoscaling: { max: 2, query: "sum(rate(vllm:prompt_tokens_total[1m]))" } },
        ]);
        assert.equal(autoscalingQuery(cfg.models[0]), ENGINE_DEFAULT_QUERY.sglang.replace("$MODEL", "Qwen/Qwen3-0.6B"));
        assert.equal(autoscalingQuery(cfg.models[1]), "sum(rate(vllm:prompt_tokens_total[1m]))");
    });

    it("Triton + TensorRT-LLM: the default query is one series over this model's own pods (namespace + the label its PodMonitor copies)", async () => {
        const cfg = config([
            { name: "trt-a", model: "meta-llama/Meta-Llama-3-8B-Instruct", engine: "trtllm", autoscaling: { max: 3 } },
            { name: "trt-b", model: "meta-llama/Meta-Llama-3-8B-Instruct", engine: "trtllm", autoscaling: { max: 3 } },
        ]);
        const [a, b] = [autoscalingQuery(cfg.models[0], "team"), autoscalingQuery(cfg.models[1], "team")];
        assert.notEqual(a, b, "two Triton models (both named tensorrt_llm inside Triton) must not read each other's metrics");
        assert.equal(a, 'sum(rate(nv_inference_request_duration_us{namespace="team",inference_platform_model="trt-a",model="tensorrt_llm"}[1m])) / 1000000');
        assert.equal(multiSeriesQueryProblem(a), undefined);
        // The label exists because the engine's PodMonitor copies the pod label onto every series.
        new TritonTrtllmServer("trt-a", { ...serverArgs(cfg, 0), podMonitor: true, monitoringCrds: installer("mon-t") });
        const pm = await one("kubernetes:monitoring.coreos.com/v1:PodMonitor", "trt-a-metrics");
        assert.deepEqual(spec(pm).podTargetLabels, ["inference-platform/model"]);
        assert.equal(podLabelsOf(await one("kubernetes:apps/v1:StatefulSet", "trt-a"))["inference-platform/model"], "trt-a");
        assert.deepEqual(validateObject(manifestOf(pm)), []);
        // Through the component, $NAMESPACE is the model's namespace.
        new EngineAutoscaler("trt-a-autoscaler", {
            namespace: "inference",
            model: cfg.models[0],
            target: { apiVersion: "apps/v1", kind: "StatefulSet", name: "trt-a" },
            prometheusUrl: "http://prom:9090",
        });
        assert.match(spec(await one(SO, "trt-a-autoscaler")).triggers[0].metadata.query, /namespace="inference",inference_platform_model="trt-a"/);
    });

    it("is wired by the engine layer, and the workload leaves spec.replicas to KEDA", async () => {
        const parsed = parseStackConfig({ fleet: { pools: [H100_POOL] }, models: [{ name: "qwen", model: "Qwen/Qwen3-0.6B", autoscaling: { min: 2, max: 4 } }] });
        new InferenceStack("as", { config: { ...parsed, secrets: {} } });
        const so = await one(SO, "qwen-autoscaler");
        const keda = await one("kubernetes:helm.sh/v3:Release", /keda/);
        assert.ok(so.dependsOn.includes(keda.urn), "depends on the KEDA release");
        assert.match(spec(so).triggers[0].metadata.serverAddress, /^http:\/\/.*prometheus.*:9090$/);
        const sts = await one("kubernetes:apps/v1:StatefulSet", "qwen");
        assert.equal(spec(sts).replicas, 2, "starts at the minimum");
        assert.deepEqual(sts.ignoreChanges, ["spec.replicas"], "KEDA's HPA owns replicas after creation");
        assert.equal((await registered(SO)).length, 1);
    });
});
