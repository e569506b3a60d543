/** The one normaliser: Pulumi resources and plain manifests map to the same workload view. */
import { strict as assert } from "node:assert";
import { argParallelism, imageParts, isEngineImage, pinnedPools } from "../../policies/lib/resources";
import { replicaGpus, subjectFromPulumi, subjectsFromDocument, workloadsOf, type Subject, type WorkloadView } from "../../policies/lib/workload";
import { parseFleet } from "../../policies/lib/config";
import { clone } from "./harness";
import { lws, statefulSet } from "./builders";

const view = (s: Subject | undefined): Omit<WorkloadView, "subject">[] => workloadsOf(s as Subject).map(({ subject: _s, ...rest }) => rest);

describe("policies: normaliser", () => {
    it("maps a Pulumi StatefulSet and the same YAML manifest to the same workload", () => {
        const m = statefulSet({ replicas: 3 });
        const fromPulumi = view(subjectFromPulumi("kubernetes:apps/v1:StatefulSet", clone(m), "llm"));
        const fromYaml = view(subjectsFromDocument(clone(m), "file")[0]);
        assert.deepEqual(fromPulumi, fromYaml);
        assert.equal(fromPulumi[0].replicas.max, 3);
        assert.equal(fromPulumi[0].pods[0].path, "spec.template.spec");
    });

    it("maps CustomResource and crd2pulumi-typed LeaderWorkerSets alike: leader + workers, group size, restart policy default", () => {
        const m = lws({ size: 4 });
        const a = view(subjectFromPulumi("kubernetes:apiextensions.k8s.io:CustomResource", clone(m), "big"));
        const b = view(subjectFromPulumi("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", clone(m), "big"));
        assert.deepEqual(a, b);
        assert.deepEqual(a[0].pods.map((p) => [p.role, p.count, p.labels["leaderworkerset.sigs.k8s.io/name"]]), [["leader", 1, "big"], ["worker", 3, "big"]]);
        assert.equal(a[0].groupSize, 4);
        assert.equal(a[0].lwsRestartPolicy, "RecreateGroupOnPodRestart");
        assert.equal(replicaGpus(workloadsOf(subjectFromPulumi("kubernetes:apiextensions.k8s.io:CustomResource", clone(m), "big") as Subject)[0]), 16);
    });

    it("maps a Helm v3 Release and a plan release document alike (llm-d-modelservice: chart-computed GPUs)", () => {
        const values = { multinode: true, decode: { replicas: 2, parallelism: { tensor: 4, dataLocal: 2, workers: 2 }, containers: [{ name: "vllm", image: "ghcr.io/llm-d/llm-d-cuda:v0.3.0" }] } };
        const a = view(subjectFromPulumi("kubernetes:helm.sh/v3:Release", { chart: "llm-d-modelservice", name: "ms", values: clone(values) }, "ms-res"));
        const b = view(subjectsFromDocument({ chart: "oci://ghcr.io/llm-d/llm-d-modelservice", repo: "x", version: "v0.4.12", values: clone(values) }, "ms")[0]);
        assert.deepEqual(a.map((w) => [w.part, w.groupSize, w.pods[0].implicitGpus]), b.map((w) => [w.part, w.groupSize, w.pods[0].implicitGpus]));
        assert.deepEqual(a[0].pods[0].implicitGpus, { resource: "nvidia.com/gpu", count: 8, containers: ["vllm"] });
        assert.equal(a[0].groupSize, 2);
        assert.equal(subjectsFromDocument({ chart: "x", values: {} }, "f")[0].ref.name, "f");
        // A Helm v4 Chart renders its pods as separate resources: no workload from its values (no double counting).
        assert.deepEqual(view(subjectFromPulumi("kubernetes:helm.sh/v4:Chart", { chart: "llm-d-modelservice", values: clone(values) }, "ms")), []);
        assert.deepEqual(subjectsFromDocument({ chart: "x" }, "f"), []);
    });

    it("flattens a List and ignores documents that are neither objects nor releases", () => {
        const list = { apiVersion: "v1", kind: "List", items: [statefulSet({ name: "a" }), statefulSet({ name: "b" })] };
        assert.deepEqual(subjectsFromDocument(list, "f").map((s) => s.ref.name), ["a", "b"]);
        assert.deepEqual(subjectsFromDocument("text", "f"), []);
        assert.deepEqual(subjectsFromDocument(null, "f"), []);
    });

    it("reads parallelism from vLLM, SGLang and TensorRT-LLM command lines", () => {
        const pick = (a: ReturnType<typeof argParallelism>) => ({ engine: a.engine, tensor: a.tensor, pipeline: a.pipeline, data: a.data, dataLocal: a.dataLocal, nnodes: a.nnodes, worldSize: a.worldSize, unresolved: a.unresolved });
        const none = { tensor: undefined, pipeline: undefined, data: undefined, dataLocal: undefined, nnodes: undefined, worldSize: undefined, unresolved: [] };
        assert.deepEqual(pick(argParallelism({ command: ["sh", "-c"], args: ["vllm serve m -tp 4 -pp=2 --port 8000"] })), { ...none, engine: "vllm", tensor: 4, pipeline: 2 });
        assert.deepEqual(pick(argParallelism({ image: "lmsysorg/sglang:v0.5.5", args: ["--tp-size=2", "--nnodes", "$(LWS_GROUP_SIZE)", "--dp", "2"] }, { LWS_GROUP_SIZE: "2" })), { ...none, engine: "sglang", tensor: 2, data: 2, nnodes: 2 });
        assert.equal(argParallelism({ image: "vllm/vllm-openai:v0.11.0", args: ["--data-parallel-size-local", "2", "--data-parallel-size", "8"] }).dataLocal, 2);
        assert.equal(argParallelism({ command: ["python3", "launch_triton_server.py", "--world_size=4"] }).worldSize, 4);
    });

    it("reads every spelling vLLM's parser accepts: --x_y, --x=v, -tp/-pp/-dp/-dpl (vllm@v0.11.0 arg_utils.py)", () => {
        const v = (args: string[]) => argParallelism({ image: "vllm/vllm-openai:v0.11.0", args });
        assert.deepEqual([v(["--tensor_parallel_size", "4", "--pipeline_parallel_size=2"]).tensor, v(["--pipeline_parallel_size", "2"]).pipeline], [4, 2]);
        assert.deepEqual([v(["-dp", "4", "-dpl=2"]).data, v(["-dp", "4", "-dpl=2"]).dataLocal], [4, 2]);
        // SGLang does not read underscores: an unknown spelling is unresolved, never guessed.
        assert.match(argParallelism({ command: ["python3", "-m", "sglang.launch_server", "--tp_size", "4"] }).unresolved.join(), /--tp_size/);
        assert.equal(argParallelism({ command: ["python3", "-m", "sglang.launch_server", "--enable-dp-attention", "--dp-size", "8", "--tp", "8"] }).dpAttention, true);
    });

    it("splits bash -c scripts into commands, resolving $VAR, ${VAR} and $(VAR) from the container env", () => {
        const c = {
            command: ["/bin/bash", "-c"],
            args: ['set -e; TP=4\nray start --head --port=6379 &\nexec python3 -m vllm.entrypoints.openai.api_server --model "$MODEL" --tensor-parallel-size ${TP} --pipeline-parallel-size $(PP) # trailing comment'.replace(/\\n/g, "\n")],
            env: [{ name: "MODEL", value: "m" }, { name: "PP", value: "2" }],
        };
        const a = argParallelism(c);
        assert.deepEqual([a.engine, a.tensor, a.pipeline, a.unresolved], ["vllm", 4, 2, []]);
        const fromRef = argParallelism({ command: ["sh", "-c", "vllm serve m --tensor-parallel-size $TP"], env: [{ name: "TP", valueFrom: { configMapKeyRef: { name: "c", key: "tp" } } }] });
        assert.equal(fromRef.tensor, undefined);
        assert.match(fromRef.unresolved.join(), /TP is set from a reference/);
        assert.match(argParallelism({ args: ["vllm", "serve", "m", "--tensor-parallel-size", "$(TP)"], image: "vllm/vllm-openai:v0.11.0" }).unresolved.join(), /\$\(TP\)/);
    });

    it("detects engine images with the version glued to the name", () => {
        assert.ok(isEngineImage("public.ecr.aws/data-on-eks/ray2.41.0-py310-vllm0.7.0:latest"));
        assert.ok(isEngineImage("lmsysorg/sglang:v0.5.5.post2"));
        assert.ok(!isEngineImage("busybox:1.36"));
    });

    it("splits image references (registry ports, digests)", () => {
        assert.deepEqual(imageParts("registry.local:5000/vllm"), { repo: "registry.local:5000/vllm", tag: "", digest: false });
        assert.deepEqual(imageParts("vllm/vllm-openai:v0.11.0"), { repo: "vllm/vllm-openai", tag: "v0.11.0", digest: false });
        assert.equal(imageParts(`x/y@sha256:${"0".repeat(64)}`).digest, true);
    });

    it("finds the pools a pod is pinned to (nodeSelector or every required affinity term)", () => {
        const fleet = parseFleet({ pools: [{ name: "a", accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 8 } }, { name: "b", labels: { gpu: "l40s", zone: "1" }, accelerator: { vendor: "nvidia", product: "L40S", memoryGiB: 48, perNode: 4 } }] }, "fleet");
        assert.deepEqual(pinnedPools({ nodeSelector: { "inference-platform/pool": "a" } }, fleet.pools).map((p) => p.name), ["a"]);
        assert.deepEqual(pinnedPools({ nodeSelector: { gpu: "l40s" } }, fleet.pools).map((p) => p.name), []);
        const term = (values: string[]) => ({ matchExpressions: [{ key: "inference-platform/pool", operator: "In", values }] });
        assert.deepEqual(pinnedPools({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term(["a", "c"])] } } } }, fleet.pools).map((p) => p.name), ["a"]);
        assert.deepEqual(pinnedPools({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term(["a"]), term(["c"])] } } } }, fleet.pools), []);
    });
});
