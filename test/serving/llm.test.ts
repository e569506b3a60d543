/** LlmInferenceService and llm-d (infra, inferencepool, modelservice, HTTPRoute). */
import { strict as assert } from "node:assert";
import { LlmInferenceService, llmInferenceServiceSpec } from "../../components/serving/llm-inference-service";
import { LlmDInfra, llmdInfraValues } from "../../components/serving/llmd-infra";
import { httpRouteSpec, inferencePoolValues, LlmD, LLMD_PROBES, LLMD_UCX_TLS, llmdPodLabels, modelServiceValues } from "../../components/serving/llmd";
import { charts, images } from "../../components/versions";
import { one, promiseOf, RELEASE, resetRecords } from "../helpers";
import { checkValuesKeys, validateObject } from "../conformance/upstream";
import { config, crType, H100_POOL, inputs, installer, manifestInstaller, manifestOf, modelArgs, valuesOf } from "./fixtures";

const LLMISVC = crType("serving.kserve.io/v1alpha2", "LLMInferenceService");
const ROUTE = crType("gateway.networking.k8s.io/v1", "HTTPRoute");
const gateway = { name: "inference-gateway", namespace: "gw", className: "istio" };

describe("serving: LlmInferenceService", function () {
    this.timeout(240000);
    beforeEach(resetRecords);
    const cfg = config(
        [
            { name: "llama-3-8b", model: "meta-llama/Llama-3.1-8B-Instruct", serving: "llmisvc", parallelism: { tensor: 1 }, replicas: 3 },
            { name: "pd", model: "meta-llama/Llama-3.1-8B-Instruct", serving: "llmisvc", parallelism: { tensor: 2 }, llmisvc: { prefillReplicas: 2, kvCacheOffloadCpu: "32Gi" } },
            { name: "wide", model: "mistralai/Mixtral-8x7B-Instruct-v0.1", serving: "llmisvc", parallelism: { tensor: 8, data: 2 } },
            { name: "pp", model: "meta-llama/Llama-3.1-405B-Instruct", serving: "llmisvc", parallelism: { tensor: 8, pipeline: 2 } },
        ],
        [{ ...H100_POOL, nodes: 6 }],
    );

    it("3 replicas with the managed router on the platform Gateway; v1alpha2 validates upstream; URL through the Gateway", async () => {
        const c = new LlmInferenceService("l", { ...modelArgs(cfg, 0), gateway, hfTokenSecretName: "hf-token", kserve: installer("kserve-llm-stand-in") });
        const r = await one(LLMISVC, "l");
        const doc = manifestOf(r) as any;
        assert.deepEqual(validateObject(doc), []);
        assert.equal(doc.spec.replicas, 3);
        assert.deepEqual(doc.spec.model, { uri: "hf://meta-llama/Llama-3.1-8B-Instruct", name: "meta-llama/Llama-3.1-8B-Instruct" });
        assert.deepEqual(doc.spec.router, { gateway: { refs: [{ name: "inference-gateway", namespace: "gw" }] }, route: {}, scheduler: {} });
        assert.deepEqual(doc.spec.parallelism, { tensor: 1 });
        const main = doc.spec.template.containers[0];
        assert.equal(main.name, "main");
        assert.equal(main.env[0].name, "HF_TOKEN");
        assert.equal(main.resources.limits["nvidia.com/gpu"], "1");
        assert.deepEqual(main.args.slice(0, 2), ["--max-model-len", String(cfg.models[0].maxModelLen)]);
        assert.equal(doc.spec.prefill, undefined);
        assert.equal(doc.spec.worker, undefined);
        const dep = await one(RELEASE, "kserve-llm-stand-in");
        assert.ok(r.dependsOn.includes(dep.urn));
        assert.equal(await promiseOf(c.url), "http://inference-gateway-istio.gw.svc.cluster.local/inference/llama-3-8b/v1");
    });

    it("P/D: prefill section with its replicas and parallelism; KV-cache offloading; validates upstream", () => {
        const spec = llmInferenceServiceSpec(modelArgs(cfg, 1)) as any;
        assert.deepEqual(spec.prefill.replicas, 2);
        assert.deepEqual(spec.prefill.parallelism, { tensor: 2 });
        assert.equal(spec.prefill.template.containers[0].resources.limits["nvidia.com/gpu"], "2");
        assert.deepEqual(spec.kvCacheOffloading, { cpu: "32Gi" });
        assert.deepEqual(validateObject({ apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceService", metadata: { name: "pd" }, spec }), []);
    });

    it("multi-node: worker section and data-parallel layout; needs LWS; pipeline across nodes is refused", async () => {
        const a = modelArgs(cfg, 2);
        assert.equal(a.placement.nodesPerReplica, 2);
        const spec = llmInferenceServiceSpec(a) as any;
        assert.deepEqual(spec.parallelism, { tensor: 8, data: 2, dataLocal: 1 });
        assert.ok(spec.worker.containers[0].resources.limits["nvidia.com/gpu"] === "8");
        assert.equal(spec.template.containers[0].args, undefined, "KServe's data-parallel template owns the command line");
        assert.deepEqual(validateObject({ apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceService", metadata: { name: "w" }, spec }), []);
        assert.throws(() => new LlmInferenceService("w", { ...a }), /needs LeaderWorkerSet/);
        assert.throws(() => new LlmInferenceService("p", { ...modelArgs(cfg, 3), lwsCrds: installer("lws-x") }), /pipeline parallelism 2/);
    });
});

describe("serving: llm-d", () => {
    beforeEach(resetRecords);
    const cfg = config(
        [
            { name: "qwen3-0-6b", model: "Qwen/Qwen3-0.6B", serving: "llmd", replicas: 2 },
            { name: "qwen3-pd", model: "Qwen/Qwen3-0.6B", serving: "llmd", llmd: { prefillReplicas: 1 } },
            { name: "wide", model: "mistralai/Mixtral-8x7B-Instruct-v0.1", serving: "llmd", parallelism: { tensor: 8, data: 2 }, llmd: { expertParallel: true } },
        ],
        [H100_POOL],
    );

    it("llm-d-infra: the Gateway for the platform's provider; keys exist upstream", async () => {
        const v = llmdInfraValues({ provider: "istio" });
        assert.deepEqual(v, { gateway: { enabled: true, provider: "istio", gatewayClassName: "istio", fullnameOverride: "llm-d-inference-gateway" } });
        assert.deepEqual(checkValuesKeys("llm-d-infra", "1.4.0", v), []);
        const dep = installer("gw-crds-stand-in");
        const infra = new LlmDInfra("infra", { namespace: "llm-d", provider: "agentgateway", gatewayProvider: dep, values: { gateway: { fullnameOverride: "gw2" } } });
        const rel = await one(RELEASE, "infra");
        assert.equal(valuesOf(rel).gateway.gatewayClassName, "agentgateway");
        assert.equal(infra.gateway.name, "gw2", "the Gateway name follows a stack's value override");
        assert.ok(rel.dependsOn.includes((await one(RELEASE, "gw-crds-stand-in")).urn));
    });

    it("inferencepool: llm-d EPP image, monitoring on, pool selector = modelservice pod labels; keys exist upstream", () => {
        const pool = inferencePoolValues({ model: cfg.models[0], monitoring: true, provider: "istio" }) as any;
        const ms = modelServiceValues({ ...modelArgs(cfg, 0), monitoring: true }) as any;
        assert.deepEqual(pool.inferenceExtension.image, images.llmdInferenceScheduler);
        assert.equal(pool.inferenceExtension.monitoring.prometheus.enabled, true);
        assert.equal(pool.inferencePool.modelServerType, "vllm");
        assert.deepEqual(pool.inferencePool.modelServers.matchLabels, ms.modelArtifacts.labels);
        assert.deepEqual(ms.modelArtifacts.labels, llmdPodLabels(cfg.models[0]));
        assert.equal(pool.provider.name, "istio");
        assert.equal(pool.inferenceExtension.pluginsCustomConfig, undefined, "no P/D profiles without prefill");
        assert.deepEqual(checkValuesKeys("inferencepool", charts.inferencePool.upstream.version, pool), []);
    });

    it("modelservice: decode role from the placement, accelerator type, PodMonitor, no sidecar; keys exist upstream", () => {
        const ms = modelServiceValues({ ...modelArgs(cfg, 0), monitoring: true, hfTokenSecretName: "hf-token" }) as any;
        assert.equal(ms.accelerator.type, "nvidia");
        assert.equal(ms.multinode, false);
        assert.equal(ms.decode.replicas, 2);
        assert.deepEqual(ms.decode.parallelism, { tensor: 1, data: 1 });
        assert.equal(ms.decode.monitoring.podmonitor.enabled, true);
        assert.equal(ms.decode.containers[0].modelCommand, "vllmServe");
        assert.equal(ms.decode.containers[0].ports[0].containerPort, 8000);
        assert.equal(ms.decode.containers[0].image, images.llmdCuda);
        assert.equal(ms.routing.proxy.enabled, false);
        assert.equal(ms.prefill.create, false);
        assert.equal(ms.modelArtifacts.authSecretName, "hf-token");
        assert.deepEqual(checkValuesKeys("llm-d-modelservice", "0.4.12", ms), []);
    });

    it("every vLLM container is probed like the guides: startup/readiness on /v1/models, liveness on /health, on its vllm port", () => {
        for (const i of [0, 1, 2]) {
            const ms = modelServiceValues({ ...modelArgs(cfg, i), monitoring: false }) as any;
            const roles = ms.prefill.create ? [ms.decode, ms.prefill] : [ms.decode];
            for (const role of roles) {
                const c = role.containers[0].extraConfig;
                assert.deepEqual(c.startupProbe, LLMD_PROBES.startupProbe);
                assert.deepEqual(c.readinessProbe, { httpGet: { path: "/v1/models", port: "vllm" }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 });
                assert.deepEqual(c.livenessProbe, { httpGet: { path: "/health", port: "vllm" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
                assert.equal(c.startupProbe.httpGet.path, "/v1/models");
                assert.ok(role.containers[0].ports.some((p: any) => p.name === "vllm"), "the probes' named port exists on the container");
            }
        }
    });

    it("P/D preset: prefill role, NIXL KV transfer, pinned routing sidecar, P/D EPP profiles; keys exist upstream", () => {
        const ms = modelServiceValues({ ...modelArgs(cfg, 1), monitoring: true }) as any;
        const pool = inferencePoolValues({ model: cfg.models[1], monitoring: true, provider: "istio" }) as any;
        assert.equal(ms.prefill.create, true);
        assert.equal(ms.prefill.replicas, 1);
        assert.deepEqual(ms.routing.proxy, { enabled: true, image: images.llmdRoutingSidecar, connector: "nixlv2", targetPort: 8200 });
        assert.equal(ms.decode.containers[0].ports[0].containerPort, 8200, "decode vLLM listens behind the sidecar");
        assert.equal(ms.prefill.containers[0].ports[0].containerPort, 8000);
        for (const role of [ms.decode, ms.prefill]) {
            const c = role.containers[0];
            assert.ok(c.args.includes('{"kv_connector":"NixlConnector","kv_role":"kv_both"}'));
            // NIXL over RDMA on a pool with RDMA: the device, locked memory, UCX transports.
            assert.equal(c.resources.limits["rdma/rdma_shared_device_a"], "1");
            assert.deepEqual(c.extraConfig.securityContext, { capabilities: { add: ["IPC_LOCK"] } });
            assert.deepEqual(c.env.find((e: any) => e.name === "UCX_TLS"), { name: "UCX_TLS", value: LLMD_UCX_TLS });
            assert.deepEqual(c.env.find((e: any) => e.name === "VLLM_NIXL_SIDE_CHANNEL_HOST"), { name: "VLLM_NIXL_SIDE_CHANNEL_HOST", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } });
        }
        assert.equal(pool.inferenceExtension.pluginsConfigFile, "pd-config.yaml");
        assert.match(pool.inferenceExtension.pluginsCustomConfig["pd-config.yaml"], /pd-profile-handler/);
        assert.deepEqual(checkValuesKeys("llm-d-modelservice", "0.4.12", ms), []);
        assert.deepEqual(checkValuesKeys("inferencepool", charts.inferencePool.upstream.version, pool), []);
    });

    it("wide-EP preset: multinode LWS, data-parallel layout across workers, expert parallel; keys exist upstream", () => {
        const a = modelArgs(cfg, 2);
        const ms = modelServiceValues({ ...a, monitoring: false }) as any;
        assert.equal(ms.multinode, true);
        assert.deepEqual(ms.decode.parallelism, { tensor: 8, data: 2, dataLocal: 1, workers: 2 });
        assert.equal(ms.decode.containers[0].modelCommand, "custom");
        assert.match(ms.decode.containers[0].args[0], /--enable-expert-parallel/);
        assert.match(ms.decode.containers[0].args[0], /--data-parallel-address \$LWS_LEADER_ADDRESS/);
        // Every rank serves (wide-EP guide): the pods carrying the pool labels all answer the API.
        assert.match(ms.decode.containers[0].args[0], /--data-parallel-hybrid-lb/);
        assert.doesNotMatch(ms.decode.containers[0].args[0], /headless/i);
        assert.deepEqual(ms.decode.containers[0].extraConfig.securityContext, { capabilities: { add: ["IPC_LOCK", "SYS_RAWIO"] } });
        assert.deepEqual(checkValuesKeys("llm-d-modelservice", "0.4.12", ms), []);
    });

    it("LlmD: pool before modelservice, HTTPRoute /<model> → InferencePool validates upstream, URL through the Gateway", async () => {
        const crds = { monitoringCrds: installer("mon-x"), inferencePoolCrds: manifestInstaller("gaie-x"), gatewayCrds: manifestInstaller("gwapi-x") };
        const gw = { name: "llm-d-inference-gateway", namespace: "llm-d", className: "istio" };
        const c = new LlmD("q", { ...modelArgs(cfg, 0), namespace: "llm-d", gateway: gw, provider: "istio", monitoring: true, ...crds });
        const pool = await one(RELEASE, "q-pool");
        const ms = await one(RELEASE, "q-ms");
        const route = await one(ROUTE, "q-route");
        assert.equal(inputs(pool).name, "qwen3-0-6b-pool");
        assert.ok(ms.dependsOn.includes(pool.urn));
        assert.ok(pool.dependsOn.includes((await one("kubernetes:yaml/v2:ConfigFile", "gaie-x")).urn));
        assert.ok(route.dependsOn.includes((await one("kubernetes:yaml/v2:ConfigFile", "gwapi-x")).urn));
        const doc = manifestOf(route) as any;
        assert.deepEqual(validateObject(doc), []);
        assert.deepEqual(doc.spec.rules[0].backendRefs, [{ group: "inference.networking.k8s.io", kind: "InferencePool", name: "qwen3-0-6b-pool" }]);
        assert.equal(doc.spec.rules[0].matches[0].path.value, "/qwen3-0-6b");
        assert.equal(await promiseOf(c.url), "http://llm-d-inference-gateway-istio.llm-d.svc.cluster.local/qwen3-0-6b/v1");
        assert.deepEqual((httpRouteSpec(gw, "m", "m-pool") as any).rules[0].filters, [
            { type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } },
        ]);
    });
});
