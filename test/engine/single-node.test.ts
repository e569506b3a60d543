/** Single-node engine servers: vLLM, SGLang, Triton + TensorRT-LLM. */
import { strict as assert } from "node:assert";
import { VllmServer, vllmServeArgs } from "../../components/engine/vllm";
import { SglangServer } from "../../components/engine/sglang";
import { TritonTrtllmServer } from "../../components/engine/triton-trtllm";
import { images } from "../../components/versions";
import { checkObject } from "../conformance/upstream";
import { one, promiseOf, registered, RELEASE, resetRecords } from "../helpers";
import { config, containerOf, installer, manifestOf, podSpecOf, serverArgs, spec } from "./fixtures";

const STS = "kubernetes:apps/v1:StatefulSet";
const DEPLOY = "kubernetes:apps/v1:Deployment";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const SVC = "kubernetes:core/v1:Service";
const PODMONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const RCT = "kubernetes:resource.k8s.io/v1:ResourceClaimTemplate";

describe("VllmServer", () => {
    beforeEach(resetRecords);

    it("runs vllm serve with the placement, limits, in-memory /dev/shm, probes and extra args last", async () => {
        const cfg = config([
            { name: "oss", model: "openai/gpt-oss-120b", parallelism: { tensor: 4 }, extraArgs: ["--enable-prefix-caching"], env: { VLLM_LOGGING_LEVEL: "DEBUG" } },
        ]);
        const s = new VllmServer("v1-oss", serverArgs(cfg));
        const sts = await one(STS, "v1-oss");
        const c = containerOf(sts);
        assert.deepEqual(c.command, ["vllm", "serve"]);
        assert.equal(c.args[0], "openai/gpt-oss-120b");
        assert.equal(c.args[c.args.indexOf("--tensor-parallel-size") + 1], "4");
        assert.ok(!c.args.includes("--pipeline-parallel-size"), "no pipeline flag for PP 1");
        assert.equal(c.args.at(-1), "--enable-prefix-caching", "extra args come last (they override)");
        assert.equal(c.image, images.vllm);
        assert.deepEqual(c.resources.limits, { "nvidia.com/gpu": "4" });
        assert.deepEqual(c.resources.requests, { "nvidia.com/gpu": "4" });
        const shm = podSpecOf(sts).volumes.find((v: { name: string }) => v.name === "dshm");
        assert.equal(shm.emptyDir.medium, "Memory");
        assert.ok(c.volumeMounts.some((m: { mountPath: string }) => m.mountPath === "/dev/shm"));
        assert.equal(c.readinessProbe.httpGet.path, "/health");
        assert.ok(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold >= 30 * 60, "startup allows ≥ 30 min for model load");
        assert.deepEqual(c.env.find((e: { name: string }) => e.name === "HF_TOKEN").valueFrom, { secretKeyRef: { name: "hf-token", key: "HF_TOKEN" } });
        assert.deepEqual(c.env.find((e: { name: string }) => e.name === "VLLM_LOGGING_LEVEL"), { name: "VLLM_LOGGING_LEVEL", value: "DEBUG" });
        assert.deepEqual(podSpecOf(sts).tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        assert.deepEqual(podSpecOf(sts).nodeSelector, { "inference-platform/pool": "h100" });
        assert.equal(await promiseOf(s.url), "http://oss.inference.svc.cluster.local:8000/v1");
        const svc = await one(SVC, "v1-oss");
        assert.deepEqual(spec(svc).selector, spec(sts).selector.matchLabels);
    });

    it("adds pipeline and data parallel flags when the placement has them", () => {
        const cfg = config([{ name: "m", model: "meta-llama/Llama-3.3-70B-Instruct", parallelism: { tensor: 2, pipeline: 2, data: 2 } }]);
        const a = vllmServeArgs(serverArgs(cfg));
        assert.equal(a[a.indexOf("--pipeline-parallel-size") + 1], "2");
        assert.equal(a[a.indexOf("--data-parallel-size") + 1], "2");
        assert.equal(a[a.indexOf("--max-model-len") + 1], "8192");
        assert.equal(a[a.indexOf("--gpu-memory-utilization") + 1], "0.9");
    });

    it("keeps the StatefulSet's model cache PVCs when deleted or scaled in", async () => {
        const cfg = config([{ name: "c", model: "Qwen/Qwen3-32B", cacheSize: "200Gi", storageClass: "fast" }]);
        new VllmServer("v2-c", serverArgs(cfg));
        const sts = await one(STS, "v2-c");
        assert.deepEqual(spec(sts).persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        const vct = spec(sts).volumeClaimTemplates[0];
        assert.equal(vct.spec.resources.requests.storage, "200Gi");
        assert.equal(vct.spec.storageClassName, "fast");
        assert.ok(containerOf(sts).volumeMounts.some((m: { name: string; mountPath: string }) => m.name === "model-cache" && m.mountPath === "/root/.cache/huggingface"));
    });

    it("gives a Deployment a cache PVC with retainOnDelete", async () => {
        const cfg = config([{ name: "d", model: "Qwen/Qwen3-0.6B", workload: "Deployment", cacheSize: "20Gi" }]);
        new VllmServer("v3-d", serverArgs(cfg));
        const pvc = await one(PVC, "v3-d-model-cache");
        assert.equal(pvc.retainOnDelete, true);
        const dep = await one(DEPLOY, "v3-d");
        assert.equal(spec(dep).strategy.type, "Recreate");
        assert.ok(podSpecOf(dep).volumes.some((v: { persistentVolumeClaim?: { claimName: string } }) => v.persistentVolumeClaim?.claimName === "d-model-cache"));
        assert.equal((await registered(STS, "v3-d")).length, 0);
    });

    it("creates a PodMonitor on /metrics that depends on the monitoring CRD installer, valid upstream", async () => {
        const cfg = config([{ name: "pm", model: "Qwen/Qwen3-0.6B" }]);
        const crds = installer("v4-monitoring");
        new VllmServer("v4-pm", serverArgs(cfg, 0, { podMonitor: true, monitoringCrds: crds }));
        const pm = await one(PODMONITOR, "v4-pm-metrics");
        const ns = await one(RELEASE, "v4-monitoring");
        assert.ok(pm.dependsOn.includes(ns.urn), "the PodMonitor depends on the CRD installer");
        assert.deepEqual(spec(pm).podMetricsEndpoints, [{ port: "http", path: "/metrics", interval: "15s" }]);
        assert.deepEqual(spec(pm).selector.matchLabels, { "app.kubernetes.io/instance": "pm", "inference-platform/model": "pm" });
        assert.equal(checkObject(manifestOf(pm)).status, "valid");
    });

    it("creates no PodMonitor without monitoring, and refuses one without its CRD installer", async () => {
        const cfg = config([{ name: "np", model: "Qwen/Qwen3-0.6B" }]);
        new VllmServer("v5-np", serverArgs(cfg));
        assert.equal((await registered(PODMONITOR)).length, 0);
        assert.throws(() => new VllmServer("v5-bad", serverArgs(cfg, 0, { podMonitor: true })), /monitoringCrds/);
    });

    it("with dra, takes GPUs from a ResourceClaimTemplate and not from the device plugin", async () => {
        const cfg = config([{ name: "dra", model: "Qwen/Qwen3-32B", parallelism: { tensor: 2 }, dra: true }]);
        const driver = installer("v6-dra-driver");
        new VllmServer("v6-dra", serverArgs(cfg, 0, { draDriver: driver }));
        const tpl = await one(RCT, "v6-dra-gpus");
        const req = (tpl.inputs as any).spec.spec.devices.requests[0];
        assert.deepEqual(req.exactly, { deviceClassName: "gpu.nvidia.com", allocationMode: "ExactCount", count: 2 });
        assert.ok(tpl.dependsOn.includes((await one(RELEASE, "v6-dra-driver")).urn), "the claim waits for the driver's DeviceClass");
        const sts = await one(STS, "v6-dra");
        const c = containerOf(sts);
        assert.equal(c.resources.limits, undefined, "no nvidia.com/gpu limit next to the claim");
        assert.deepEqual(c.resources.claims, [{ name: "gpu" }]);
        assert.deepEqual(podSpecOf(sts).resourceClaims, [{ name: "gpu", resourceClaimTemplateName: "dra-gpus" }]);
    });

    it("uses the device plugin without dra", async () => {
        const cfg = config([{ name: "nodra", model: "Qwen/Qwen3-32B", parallelism: { tensor: 2 } }]);
        new VllmServer("v7-nodra", serverArgs(cfg));
        const sts = await one(STS, "v7-nodra");
        assert.equal(podSpecOf(sts).resourceClaims, undefined);
        assert.equal(containerOf(sts).resources.claims, undefined);
        assert.equal((await registered(RCT)).length, 0);
    });

    it("picks the vendor's image and GPU resource (ROCm on AMD, Gaudi on Intel)", async () => {
        const amd = config([{ name: "amd", model: "Qwen/Qwen3-32B" }], [
            { name: "mi300", nodes: 1, accelerator: { vendor: "amd", product: "MI300X", memoryGiB: 192, perNode: 8 } },
        ]);
        new VllmServer("v8-amd", serverArgs(amd));
        const c = containerOf(await one(STS, "v8-amd"));
        assert.equal(c.image, images.vllmRocm);
        assert.deepEqual(c.resources.limits, { "amd.com/gpu": "1" });
        const intel = config([{ name: "gaudi", model: "Qwen/Qwen3-32B" }], [
            { name: "g3", nodes: 1, accelerator: { vendor: "intel", product: "Gaudi3", memoryGiB: 128, perNode: 8 } },
        ]);
        new VllmServer("v8-gaudi", serverArgs(intel));
        const g = containerOf(await one(STS, "v8-gaudi"));
        assert.equal(g.image, images.vllmGaudi);
        assert.deepEqual(g.resources.limits, { "habana.ai/gaudi": "1" });
    });

    it("refuses a multi-node placement and a pod larger than a node", () => {
        const cfg = config([{ name: "big", model: "meta-llama/Llama-3.3-70B-Instruct", parallelism: { tensor: 8, pipeline: 2 } }]);
        assert.throws(() => new VllmServer("v9-big", serverArgs(cfg)), /spans 2 nodes.*multiNode/);
        const small = config([{ name: "s", model: "Qwen/Qwen3-0.6B" }]);
        const args = serverArgs(small);
        assert.throws(
            () => new VllmServer("v9-s", { ...args, placement: { ...args.placement, tensor: 16, gpusPerPod: 16 } }),
            /16 GPUs per pod exceed the 8 GPUs per node/,
        );
    });
});

describe("no engine image is unpinned", () => {
    it("every engine image in the versions table has a tag that is not latest", () => {
        for (const key of ["vllm", "vllmRocm", "vllmGaudi", "sglang", "sglangRocm", "tritonTrtllm"] as const) {
            const ref = images[key];
            assert.match(ref, /:[\w][\w.-]*$/, `${key} has a tag`);
            assert.doesNotMatch(ref, /latest/, `${key} is not latest`);
        }
    });
});

describe("SglangServer", () => {
    beforeEach(resetRecords);

    it("runs sglang.launch_server with --tp, host, port 30000 and metrics", async () => {
        const cfg = config([{ name: "sg", model: "Qwen/Qwen3-32B", engine: "sglang", parallelism: { tensor: 2 }, extraArgs: ["--enable-torch-compile"] }]);
        const s = new SglangServer("s1-sg", serverArgs(cfg, 0, { podMonitor: true, monitoringCrds: installer("s1-mon") }));
        const sts = await one(STS, "s1-sg");
        const c = containerOf(sts);
        assert.deepEqual(c.command, ["python3", "-m", "sglang.launch_server"]);
        const a: string[] = c.args;
        assert.equal(a[a.indexOf("--model-path") + 1], "Qwen/Qwen3-32B");
        assert.equal(a[a.indexOf("--tp-size") + 1], "2");
        assert.equal(a[a.indexOf("--host") + 1], "0.0.0.0");
        assert.equal(a[a.indexOf("--port") + 1], "30000");
        assert.equal(a[a.indexOf("--mem-fraction-static") + 1], "0.9");
        assert.ok(a.includes("--enable-metrics"));
        assert.equal(a.at(-1), "--enable-torch-compile");
        assert.equal(c.image, images.sglang);
        assert.deepEqual(c.resources.limits, { "nvidia.com/gpu": "2" });
        assert.equal(c.readinessProbe.httpGet.port, 30000);
        assert.equal(podSpecOf(sts).volumes[0].emptyDir.medium, "Memory");
        assert.equal(spec(await one(PODMONITOR, "s1-sg-metrics")).podMetricsEndpoints[0].path, "/metrics");
        assert.equal(await promiseOf(s.url), "http://sg.inference.svc.cluster.local:30000/v1");
    });

    it("uses the ROCm SGLang image on AMD", async () => {
        const cfg = config([{ name: "sga", model: "Qwen/Qwen3-32B", engine: "sglang" }], [
            { name: "mi300", nodes: 1, accelerator: { vendor: "amd", product: "MI300X", memoryGiB: 192, perNode: 8 } },
        ]);
        new SglangServer("s2-sga", serverArgs(cfg));
        assert.equal(containerOf(await one(STS, "s2-sga")).image, images.sglangRocm);
    });
});

describe("TritonTrtllmServer", () => {
    beforeEach(resetRecords);

    /** The model.yaml the container writes before starting Triton. */
    function modelYamlOf(command: string[]): any {
        const m = /printf '%s\\n' '(\{.*\})' > \/models\/tensorrt_llm\/1\/model\.yaml/.exec(command[2]);
        assert.ok(m, `no model.yaml written by: ${command[2]}`);
        return JSON.parse(m[1]);
    }

    it("serves on first deploy: writes the LLM API model repository (HF id, TP×PP from the placement) before launching Triton on it", async () => {
        const cfg = config([
            { name: "trt", model: "meta-llama/Meta-Llama-3-8B-Instruct", engine: "trtllm", parallelism: { tensor: 2, pipeline: 2 }, cacheSize: "100Gi", maxModelLen: 4096 },
        ]);
        const crds = installer("t1-mon");
        new TritonTrtllmServer("t1-trt", serverArgs(cfg, 0, { podMonitor: true, monitoringCrds: crds }));
        const sts = await one(STS, "t1-trt");
        const c = containerOf(sts);
        assert.equal(c.image, images.tritonTrtllm);
        const script: string = c.command[2];
        const lines = script.split("\n");
        // The repository is generated from the image's LLM API model, then the launcher serves it.
        const copy = lines.findIndex((l) => l === "cp -R /app/all_models/llmapi/tensorrt_llm /models/tensorrt_llm");
        const write = lines.findIndex((l) => l.includes("/models/tensorrt_llm/1/model.yaml"));
        const launch = lines.findIndex((l) => l.includes("launch_triton_server.py --model_repo=/models "));
        assert.ok(copy >= 0 && write > copy && launch > write, script);
        assert.equal(lines[0], "set -eu", "a failed copy or write must stop the container, not start an empty Triton");
        assert.deepEqual(modelYamlOf(c.command), {
            model: "meta-llama/Meta-Llama-3-8B-Instruct",
            backend: "pytorch",
            tensor_parallel_size: 2,
            pipeline_parallel_size: 2,
            max_seq_len: 4096,
            kv_cache_config: { free_gpu_memory_fraction: 0.9 },
            triton_config: { max_batch_size: 0, decoupled: false },
        });
        // One Triton process; the LLM API starts the TP×PP workers itself (no --world_size).
        assert.ok(!script.includes("--world_size"));
        assert.deepEqual(c.ports.map((p: { containerPort: number }) => p.containerPort), [8000, 8001, 8002]);
        assert.deepEqual(c.resources.limits, { "nvidia.com/gpu": "4" });
        assert.equal(c.readinessProbe.httpGet.path, "/v2/health/ready");
        // The repository is an emptyDir (regenerated each start); the weights go to the HF cache PVC.
        assert.ok(c.volumeMounts.some((m: { name: string; mountPath: string }) => m.name === "model-repo" && m.mountPath === "/models"));
        assert.deepEqual(podSpecOf(sts).volumes.find((v: { name: string }) => v.name === "model-repo"), { name: "model-repo", emptyDir: {} });
        assert.ok(c.volumeMounts.some((m: { mountPath: string }) => m.mountPath === "/dev/shm"));
        assert.ok(c.volumeMounts.some((m: { name: string; mountPath: string }) => m.name === "model-cache" && m.mountPath === "/cache"));
        assert.ok(c.env.some((e: { name: string; value?: string }) => e.name === "HF_HOME" && e.value === "/cache/huggingface"));
        assert.equal(spec(sts).volumeClaimTemplates[0].spec.resources.requests.storage, "100Gi");
        assert.equal((await registered(PVC)).length, 0, "no separate, empty engine repository PVC");
        const svc = await one(SVC, "t1-trt");
        assert.deepEqual(spec(svc).ports.map((p: { port: number }) => p.port), [8000, 8001, 8002]);
        const pm = await one(PODMONITOR, "t1-trt-metrics");
        assert.deepEqual(spec(pm).podMetricsEndpoints[0], { port: "metrics", path: "/metrics", interval: "15s" });
        assert.ok(pm.dependsOn.includes((await one(RELEASE, "t1-mon")).urn));
    });

    it("a placement or model change changes the pod template (the repository follows it on the next start)", async () => {
        const cfg = config([
            { name: "a", model: "meta-llama/Meta-Llama-3-8B-Instruct", engine: "trtllm", parallelism: { tensor: 2 } },
            { name: "b", model: "meta-llama/Meta-Llama-3-8B-Instruct", engine: "trtllm", parallelism: { tensor: 4 } },
        ]);
        new TritonTrtllmServer("t3-a", serverArgs(cfg, 0));
        new TritonTrtllmServer("t3-b", serverArgs(cfg, 1));
        const a = modelYamlOf(containerOf(await one(STS, "t3-a")).command);
        const b = modelYamlOf(containerOf(await one(STS, "t3-b")).command);
        assert.deepEqual([a.tensor_parallel_size, b.tensor_parallel_size], [2, 4]);
        // No cacheSize: no cache volume, weights download into the container.
        assert.ok(!containerOf(await one(STS, "t3-a")).volumeMounts.some((m: { name: string }) => m.name === "model-cache"));
    });

    it("refuses non-NVIDIA pools", () => {
        const cfg = config([{ name: "trt2", model: "meta-llama/Meta-Llama-3-8B-Instruct", engine: "trtllm" }]);
        const args = serverArgs(cfg);
        const amdPool = { ...args.pool, name: "mi", accelerator: { ...args.pool.accelerator, vendor: "amd" as const } };
        assert.throws(() => new TritonTrtllmServer("t2-b", { ...args, pool: amdPool }), /NVIDIA GPUs only/);
    });
});
