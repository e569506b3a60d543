/** Ray Serve LLM, NIM (operator, NIMCache, NIMService) and Dynamo (platform, DynamoGraphDeployment). */
import { strict as assert } from "node:assert";
import { RayServeLlm, serveConfig } from "../../components/serving/rayserve";
import { NimOperator, nimOperatorValues } from "../../components/serving/nim-operator";
import { NimService } from "../../components/serving/nim-service";
import { DynamoPlatform } from "../../components/serving/dynamo-platform";
import { DynamoDeployment, dynamoGraphSpec } from "../../components/serving/dynamo";
import { images } from "../../components/versions";
import { one, promiseOf, registered, RELEASE, resetRecords } from "../helpers";
import { checkValuesKeys, validateObject } from "../conformance/upstream";
import { config, crType, H100_POOL, inputs, installer, manifestOf, modelArgs, valuesOf } from "./fixtures";


describe("serving: RayServeLlm", () => {
    beforeEach(resetRecords);
    const cfg = config(
        [
            { name: "qwen3-32b", model: "Qwen/Qwen3-32B", serving: "rayserve", parallelism: { tensor: 2 }, autoscaling: { min: 1, max: 3, target: 16 } },
            { name: "big", model: "meta-llama/Llama-3.1-405B-Instruct", serving: "rayserve", parallelism: { tensor: 8, pipeline: 2 }, replicas: 1 },
        ],
        [H100_POOL],
    );

    it("RayService with build_openai_app, CPU head, GPU workers sized from the placement; validates upstream", async () => {
        const c = new RayServeLlm("r", { ...modelArgs(cfg, 0), hfTokenSecretName: "hf-token", rayCrds: installer("kuberay-x") });
        const r = await one(crType("ray.io/v1", "RayService"), "r");
        const doc = manifestOf(r) as any;
        assert.deepEqual(validateObject(doc), []);
        const serve = JSON.parse(doc.spec.serveConfigV2);
        assert.equal(serve.applications[0].import_path, "ray.serve.llm:build_openai_app");
        const llm = serve.applications[0].args.llm_configs[0];
        assert.equal(llm.model_loading_config.model_source, "Qwen/Qwen3-32B");
        assert.equal(llm.engine_kwargs.tensor_parallel_size, 2);
        assert.deepEqual(llm.deployment_config.autoscaling_config, { min_replicas: 1, max_replicas: 3, target_ongoing_requests: 16 });
        const rc = doc.spec.rayClusterConfig;
        assert.equal(rc.rayVersion, images.rayVersion);
        assert.equal(rc.enableInTreeAutoscaling, true);
        assert.equal(rc.headGroupSpec.rayStartParams["num-gpus"], "0");
        assert.equal(rc.headGroupSpec.template.spec.containers[0].resources.limits["nvidia.com/gpu"], undefined);
        const wg = rc.workerGroupSpecs[0];
        assert.deepEqual([wg.minReplicas, wg.replicas, wg.maxReplicas], [1, 1, 3]);
        assert.equal(wg.template.spec.containers[0].resources.limits["nvidia.com/gpu"], "2");
        assert.equal(wg.template.spec.containers[0].env[0].name, "HF_TOKEN");
        assert.ok(r.dependsOn.includes((await one(RELEASE, "kuberay-x")).urn));
        assert.equal(await promiseOf(c.url), "http://qwen3-32b-serve-svc.inference.svc.cluster.local:8000/v1");
    });

    it("metrics like the other engines: Ray's metrics port declared on head and workers, a PodMonitor selecting both; validates upstream", async () => {
        new RayServeLlm("rm", { ...modelArgs(cfg, 0), rayCrds: installer("kuberay-m"), podMonitor: true, monitoringCrds: installer("prom-m") });
        const doc = manifestOf(await one(crType("ray.io/v1", "RayService"), "rm")) as any;
        const pm = await one(crType("monitoring.coreos.com/v1", "PodMonitor"), "rm-metrics");
        assert.deepEqual(validateObject(manifestOf(pm)), []);
        assert.deepEqual(validateObject(doc), []);
        const ep = inputs(pm).spec.podMetricsEndpoints[0];
        const rc = doc.spec.rayClusterConfig;
        for (const [role, group] of [["head", rc.headGroupSpec], ["worker", rc.workerGroupSpecs[0]]] as const) {
            const labels = group.template.metadata.labels;
            assert.ok(Object.entries(inputs(pm).spec.selector.matchLabels).every(([k, v]) => labels[k] === v), `${role} pods not selected`);
            assert.ok(group.template.spec.containers[0].ports.some((p: any) => p.name === ep.port && p.containerPort === 8080), `${role}: scraped port not declared`);
            // Ray exports on metrics-export-port: the declared port must be that one.
            assert.equal(group.rayStartParams["metrics-export-port"], "8080");
        }
        assert.ok(pm.dependsOn.includes((await one(RELEASE, "prom-m")).urn));
    });

    it("model cache: one retained PVC the workers share (HF_HOME), ReadWriteMany when several workers can exist", async () => {
        const c2 = config(
            [
                { name: "cached", model: "Qwen/Qwen3-32B", serving: "rayserve", parallelism: { tensor: 2 }, autoscaling: { min: 1, max: 3 }, cacheSize: "200Gi", storageClass: "nfs" },
                { name: "single", model: "Qwen/Qwen3-32B", serving: "rayserve", parallelism: { tensor: 2 }, cacheSize: "100Gi" },
                { name: "nocache", model: "Qwen/Qwen3-32B", serving: "rayserve", parallelism: { tensor: 2 } },
            ],
            [H100_POOL],
        );
        new RayServeLlm("rc", { ...modelArgs(c2, 0), rayCrds: installer("kuberay-c") });
        new RayServeLlm("rs", { ...modelArgs(c2, 1), rayCrds: installer("kuberay-s") });
        new RayServeLlm("rn", { ...modelArgs(c2, 2), rayCrds: installer("kuberay-n") });
        const pvc = await one("kubernetes:core/v1:PersistentVolumeClaim", "rc-model-cache");
        assert.equal(pvc.retainOnDelete, true);
        assert.deepEqual(inputs(pvc).spec.accessModes, ["ReadWriteMany"]);
        assert.equal(inputs(pvc).spec.storageClassName, "nfs");
        assert.equal(inputs(pvc).spec.resources.requests.storage, "200Gi");
        assert.deepEqual(inputs(await one("kubernetes:core/v1:PersistentVolumeClaim", "rs-model-cache")).spec.accessModes, ["ReadWriteOnce"]);
        const r = await one(crType("ray.io/v1", "RayService"), "rc");
        assert.ok(r.dependsOn.includes(pvc.urn));
        const w = (manifestOf(r) as any).spec.rayClusterConfig.workerGroupSpecs[0].template.spec;
        assert.ok(w.volumes.some((v: any) => v.name === "model-cache" && v.persistentVolumeClaim.claimName === inputs(pvc).metadata.name));
        const wc = w.containers[0];
        const mount = wc.volumeMounts.find((m: any) => m.name === "model-cache");
        assert.ok(wc.env.some((e: any) => e.name === "HF_HOME" && e.value.startsWith(mount.mountPath + "/")), "HF_HOME is on the cache");
        assert.equal(w.securityContext.fsGroup, 100);
        const n = (manifestOf(await one(crType("ray.io/v1", "RayService"), "rn")) as any).spec.rayClusterConfig.workerGroupSpecs[0].template.spec;
        assert.ok(!n.volumes.some((v: any) => v.name === "model-cache"));
        assert.equal((await registered("kubernetes:core/v1:PersistentVolumeClaim")).length, 2);
    });

    it("multi-node replica: one worker pod per node of every replica; fixed replicas without autoscaling", () => {
        const a = modelArgs(cfg, 1);
        const serve = JSON.parse(serveConfig(a.model, a.placement));
        assert.deepEqual(serve.applications[0].args.llm_configs[0].deployment_config, { num_replicas: 1 });
        assert.equal(serve.applications[0].args.llm_configs[0].engine_kwargs.pipeline_parallel_size, 2);
    });
});

describe("serving: NIM", () => {
    beforeEach(resetRecords);
    const nim = { image: "nvcr.io/nim/meta/llama-3.1-8b-instruct", tag: "1.3.3" };
    const cfg = config(
        [
            { name: "llama-nim", model: "meta-llama/Llama-3.1-8B-Instruct", serving: "nim", parallelism: { tensor: 1 }, nim },
            { name: "big-nim", model: "meta-llama/Llama-3.1-405B-Instruct", serving: "nim", parallelism: { tensor: 8, pipeline: 2 }, nim },
            { name: "noimage", model: "meta-llama/Llama-3.1-8B-Instruct", serving: "nim", parallelism: { tensor: 1 } },
        ],
        [H100_POOL],
    );
    const secrets = { ngcApiSecretName: "ngc-api", ngcPullSecretName: "ngc-secret" };

    it("operator chart with the pinned image; keys exist upstream", async () => {
        assert.deepEqual(checkValuesKeys("k8s-nim-operator", "3.1.2", nimOperatorValues()), []);
        new NimOperator("nim-op", { values: { operator: { replicas: 2 } } });
        const rel = await one(RELEASE, "nim-op");
        assert.equal(valuesOf(rel).operator.image.tag, images.nimOperator.tag);
        assert.equal(valuesOf(rel).operator.replicas, 2);
        assert.equal(inputs(rel).namespace, "nim-operator");
    });

    it("NIMCache (PVC) + NIMService with NGC Secrets, after the operator; validate upstream", async () => {
        const c = new NimService("n", { ...modelArgs(cfg, 0), ...secrets, operator: installer("nim-op-x") });
        const cache = await one(crType("apps.nvidia.com/v1alpha1", "NIMCache"), "n-cache");
        const svc = await one(crType("apps.nvidia.com/v1alpha1", "NIMService"), "n");
        assert.deepEqual(validateObject(manifestOf(cache)), []);
        assert.deepEqual(validateObject(manifestOf(svc)), []);
        const cs = inputs(cache).spec;
        assert.deepEqual(cs.source.ngc, {
            modelPuller: "nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3",
            pullSecret: "ngc-secret",
            authSecret: "ngc-api",
            model: { tensorParallelism: "1" },
        });
        assert.deepEqual(cs.storage.pvc, { create: true, size: "100Gi", volumeAccessMode: "ReadWriteOnce" });
        const ss = inputs(svc).spec;
        assert.equal(ss.authSecret, "ngc-api");
        assert.deepEqual(ss.image.pullSecrets, ["ngc-secret"]);
        assert.deepEqual(ss.storage, { nimCache: { name: "llama-nim-cache" } });
        assert.equal(ss.resources.limits["nvidia.com/gpu"], "1");
        assert.equal(ss.multiNode, undefined);
        const op = await one(RELEASE, "nim-op-x");
        assert.ok(cache.dependsOn.includes(op.urn) && svc.dependsOn.includes(op.urn) && svc.dependsOn.includes(cache.urn));
        assert.equal(await promiseOf(c.url), "http://llama-nim.inference.svc.cluster.local:8000/v1");
    });

    it("multi-node through LWS; refuses a missing image before registering", async () => {
        new NimService("b", { ...modelArgs(cfg, 1), ...secrets, lwsCrds: installer("lws-x") });
        const svc = await one(crType("apps.nvidia.com/v1alpha1", "NIMService"), "b");
        assert.deepEqual(validateObject(manifestOf(svc)), []);
        assert.deepEqual(inputs(svc).spec.multiNode, { backendType: "lws", parallelism: { tensor: 8, pipeline: 2 } });
        assert.ok(svc.dependsOn.includes((await one(RELEASE, "lws-x")).urn));
        assert.throws(() => new NimService("x", { ...modelArgs(cfg, 2), ...secrets }), /nim\.image: required/);
        assert.equal((await registered(crType("apps.nvidia.com/v1alpha1", "NIMCache"), "x-cache")).length, 0);
    });
});

describe("serving: Dynamo", () => {
    beforeEach(resetRecords);
    const cfg = config([
        { name: "agg", model: "Qwen/Qwen3-0.6B", serving: "dynamo", replicas: 2 },
        { name: "disagg", model: "Qwen/Qwen3-0.6B", serving: "dynamo", dynamo: { disaggregated: true, prefillReplicas: 1 } },
    ]);

    it("platform: dynamo-crds then dynamo-platform (no upstream defaults: no values of its own)", async () => {
        const p = new DynamoPlatform("dyn");
        const crds = await one(RELEASE, "dyn-crds");
        const rel = await one(RELEASE, "dyn");
        assert.ok(rel.dependsOn.includes(crds.urn));
        assert.deepEqual(valuesOf(rel), {});
        assert.equal(inputs(rel).namespace, "dynamo-system");
        assert.equal(inputs(rel).repositoryOpts.repo, "https://helm.ngc.nvidia.com/nvidia/ai-dynamo");
        new DynamoDeployment("g", { ...modelArgs(cfg, 0), platform: p.release });
        const g = await one(crType("nvidia.com/v1alpha1", "DynamoGraphDeployment"), "g");
        assert.ok(g.dependsOn.includes(rel.urn), "the graph waits for the platform release (which waits for the CRDs)");
    });

    it("aggregated graph (no upstream schema in shared/): pinned shape", () => {
        const spec = dynamoGraphSpec({ ...modelArgs(cfg, 0), hfTokenSecretName: "hf-token" }) as any;
        assert.deepEqual(Object.keys(spec.services), ["Frontend", "VllmDecodeWorker"]);
        assert.deepEqual(spec.services.Frontend, { componentType: "frontend", replicas: 1, extraPodSpec: { mainContainer: { image: images.dynamoVllmRuntime } } });
        const w = spec.services.VllmDecodeWorker;
        assert.equal(w.componentType, "worker");
        assert.equal(w.replicas, 2);
        assert.equal(w.envFromSecret, "hf-token");
        assert.deepEqual(w.resources, { limits: { gpu: "1" } });
        assert.deepEqual(w.extraPodSpec.mainContainer.command, ["python3", "-m", "dynamo.vllm"]);
        assert.deepEqual(w.extraPodSpec.mainContainer.args.slice(0, 2), ["--model", "Qwen/Qwen3-0.6B"]);
    });

    it("disaggregated graph: decode and prefill workers, the prefill one with --is-prefill-worker", async () => {
        const spec = dynamoGraphSpec(modelArgs(cfg, 1)) as any;
        assert.deepEqual(Object.keys(spec.services), ["Frontend", "VllmDecodeWorker", "VllmPrefillWorker"]);
        assert.equal(spec.services.VllmPrefillWorker.replicas, 1);
        assert.ok(spec.services.VllmPrefillWorker.extraPodSpec.mainContainer.args.includes("--is-prefill-worker"));
        assert.ok(!spec.services.VllmDecodeWorker.extraPodSpec.mainContainer.args.includes("--is-prefill-worker"));
        assert.equal(spec.services.VllmDecodeWorker.envFromSecret, undefined);
        const d = new DynamoDeployment("d", { ...modelArgs(cfg, 1) });
        assert.equal(await promiseOf(d.url), "http://disagg-frontend.inference.svc.cluster.local:8000/v1");
    });
});
