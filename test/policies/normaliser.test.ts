/** The one normaliser: Pulumi resources and plain manifests map to the same workload view. */
import { strict as assert } from "node:assert";
import { argParallelism, imageParts, pinnedPools } from "../../policies/lib/resources";
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
        assert.deepEqual(argParallelism({ command: ["sh", "-c"], args: ["vllm serve m -tp 4 -pp=2 --port 8000"] }), { tensor: 4, pipeline: 2, seen: ["-tp 4", "-pp 2"] });
        assert.deepEqual(argParallelism({ args: ["--tp-size=2", "--nnodes", "$(LWS_GROUP_SIZE)", "--dp", "2"] }), { tensor: 2, dataLocal: 2, seen: ["--tp-size 2", "--dp 2"] });
        assert.equal(argParallelism({ args: ["--data-parallel-size-local", "2", "--data-parallel-size", "8"] }).dataLocal, 2);
        assert.equal(argParallelism({ command: ["python3", "launch_triton_server.py", "--world_size=4"] }).worldSize, 4);
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
