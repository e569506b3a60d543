/**
 * LLMInferenceService against KServe v0.20's own presets (kserve-runtime-configs v0.20.0, the
 * LLMInferenceServiceConfigs in ../shared/charts): the container args appended to the preset's
 * `vllm serve … $@` keep vLLM on the preset's port, P/D transfers KV as KServe's P/D sample does, and
 * the monitors select what KServe labels.
 */
import { strict as assert } from "node:assert";
import * as YAML from "yaml";
import {
    LlmInferenceService,
    llmInferenceServiceSpec,
    llmisvcKvTransferConfig,
    llmisvcPodMonitorSpec,
    llmisvcProblem,
    llmisvcSchedulerMonitorSpec,
    LLMISVC_PRESET_FLAGS,
    LLMISVC_UCX_TLS,
} from "../../components/serving/llm-inference-service";
import { servingConfigProblems } from "../../stacks/stack/layers/serving";
import { one, resetRecords } from "../helpers";
import { validateObject } from "../conformance/upstream";
import { chartArchive, fileInTgz } from "./chart-files";
import { config, crType, H100_POOL, installer, L40S_POOL, manifestOf, modelArgs } from "./fixtures";

/* eslint-disable @typescript-eslint/no-explicit-any */
const presets: Record<string, any> = Object.fromEntries(
    YAML.parseAllDocuments(fileInTgz(chartArchive("kserve-runtime-configs-v0.20.0"), "files/llmisvcconfigs/resources.yaml"))
        .map((d) => d.toJS())
        .filter(Boolean)
        .map((d: any) => [d.metadata.name, d]),
);

/** The preset's `main` container of a role, its vLLM flags (from the bash script) and the sidecar. */
function preset(role: "main" | "decode" | "prefill") {
    const cfg = presets[{ main: "kserve-config-llm-template", decode: "kserve-config-llm-decode-template", prefill: "kserve-config-llm-prefill-template" }[role]];
    const tpl = role === "prefill" ? cfg.spec.prefill.template : cfg.spec.template;
    const main = tpl.containers.find((c: any) => c.name === "main");
    const script: string = main.command[2];
    const serve = /exec vllm serve ([\s\S]*?)\$@"/.exec(script)![1];
    const flags = serve.replace(/\\\n/g, " ").split(/\s+/).filter((t) => t.startsWith("--"));
    const port = Number(/--port (\d+)/.exec(serve)![1]);
    const sidecar = (tpl.initContainers ?? []).find((c: any) => c.name === "llm-d-routing-sidecar");
    const sidecarPort = sidecar ? Number(/--port=(\d+)/.exec(sidecar.command.join(" "))![1]) : undefined;
    return { main, script, flags, port, sidecarPort };
}

/** vLLM's effective --port for the preset flags followed by the container's args (argparse: last wins). */
function effectivePort(presetPort: number, args: string[]): number {
    let port = presetPort;
    args.forEach((a, i) => {
        if (a === "--port") port = Number(args[i + 1]);
        else if (a.startsWith("--port=")) port = Number(a.slice(7));
    });
    return port;
}

const cfg = config(
    [
        { name: "plain", model: "meta-llama/Llama-3.1-8B-Instruct", serving: "llmisvc", parallelism: { tensor: 1 }, replicas: 2 },
        { name: "pd", model: "meta-llama/Llama-3.1-8B-Instruct", serving: "llmisvc", parallelism: { tensor: 2 }, llmisvc: { prefillReplicas: 1 } },
        { name: "pd-offload", model: "meta-llama/Llama-3.1-8B-Instruct", serving: "llmisvc", parallelism: { tensor: 1 }, llmisvc: { prefillReplicas: 1, kvCacheOffloadCpu: "32Gi" } },
    ],
    [{ ...H100_POOL, nodes: 4 }],
);

describe("serving: LLMInferenceService composed with KServe v0.20's presets", function () {
    this.timeout(240000);
    beforeEach(resetRecords);

    it("the presets own the served name, port and tensor size (read from kserve-runtime-configs v0.20.0)", () => {
        for (const role of ["main", "decode", "prefill"] as const) {
            const p = preset(role);
            for (const f of ["--served-model-name", "--port", "--tensor-parallel-size"]) assert.ok(p.flags.includes(f), `${role}: ${f}`);
            assert.match(p.script, /\$\{VLLM_ADDITIONAL_ARGS\} \\\s*\$@"/, `${role}: container args land in $@ after the preset's flags`);
            assert.deepEqual(p.main.command.slice(-1), ["--"]);
        }
        assert.deepEqual([preset("main").port, preset("decode").port, preset("prefill").port, preset("decode").sidecarPort], [8000, 8001, 8000, 8000]);
    });

    it("vLLM stays on the port the preset's probes target, and off the routing sidecar's port, in every role", () => {
        for (const i of [0, 1, 2]) {
            const spec = llmInferenceServiceSpec(modelArgs(cfg, i)) as any;
            const roles: [string, any][] = [[spec.prefill ? "decode" : "main", spec.template], ...(spec.prefill ? [["prefill", spec.prefill.template] as [string, any]] : [])];
            for (const [role, template] of roles) {
                const p = preset(role as "main" | "decode" | "prefill");
                const args: string[] = template.containers[0].args;
                for (const a of args) assert.ok(!LLMISVC_PRESET_FLAGS.includes(a.split("=")[0]), `${cfg.models[i].name} ${role}: ${a} overrides the preset`);
                const port = effectivePort(p.port, args);
                assert.equal(port, p.main.readinessProbe.httpGet.port, `${cfg.models[i].name} ${role}: vLLM on ${port}, probes on ${p.main.readinessProbe.httpGet.port}`);
                assert.equal(port, p.main.startupProbe.httpGet.port);
                assert.notEqual(port, p.sidecarPort, `${cfg.models[i].name} ${role}: vLLM collides with the routing sidecar`);
            }
        }
    });

    it("refuses extraArgs that would override what the preset sets, naming the flag", () => {
        const bad = config([{ name: "x", model: "meta-llama/Llama-3.1-8B-Instruct", serving: "llmisvc", parallelism: { tensor: 1 }, extraArgs: ["--port=9000"] }], [L40S_POOL]);
        const a = modelArgs(bad, 0);
        assert.match(llmisvcProblem(a.model, a.placement) ?? "", /^extraArgs: got "--port=9000"; KServe's preset sets it/);
        const problems = servingConfigProblems(bad);
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^inference-platform:models\[0\]\.extraArgs: got "--port=9000"; KServe's preset sets it .*; allowed: other vLLM flags$/);
    });

    it("P/D transfers KV like KServe's P/D sample: NIXL via VLLM_ADDITIONAL_ARGS, side-channel host, RoCE + UCX_TLS on an RDMA pool", () => {
        const spec = llmInferenceServiceSpec(modelArgs(cfg, 1)) as any;
        const env = (t: any) => Object.fromEntries(t.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
        const decode = env(spec.template);
        const prefill = env(spec.prefill.template);
        // docs/samples/llmisvc/single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml@v0.20.0
        assert.equal(decode.VLLM_ADDITIONAL_ARGS, `--kv_transfer_config '{"kv_connector":"NixlConnector","kv_role":"kv_consumer"}'`);
        assert.equal(prefill.VLLM_ADDITIONAL_ARGS, `--kv_transfer_config '{"kv_connector":"NixlConnector","kv_role":"kv_producer"}'`);
        for (const e of [decode, prefill]) {
            assert.deepEqual(e.VLLM_NIXL_SIDE_CHANNEL_HOST, { fieldRef: { fieldPath: "status.podIP" } });
            assert.equal(e.UCX_TLS, LLMISVC_UCX_TLS);
            assert.equal(e.KSERVE_INFER_ROCE, "true");
        }
        for (const t of [spec.template, spec.prefill.template]) {
            assert.equal(t.containers[0].resources.limits["rdma/rdma_shared_device_a"], "1");
            assert.deepEqual(t.containers[0].securityContext, { capabilities: { add: ["IPC_LOCK"] } });
        }
        // The preset reads VLLM_ADDITIONAL_ARGS into the command line.
        assert.match(preset("decode").script, /\$\{VLLM_ADDITIONAL_ARGS\}/);
        assert.deepEqual(validateObject({ apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceService", metadata: { name: "pd" }, spec }), []);
        // No RDMA on the pool: NIXL still configured, no RDMA-only settings.
        const tcp = llmInferenceServiceSpec(modelArgs(config([{ ...cfg.models[1], parallelism: { tensor: 1 } } as never], [L40S_POOL]), 0)) as any;
        assert.ok(env(tcp.template).VLLM_ADDITIONAL_ARGS);
        assert.equal(env(tcp.template).UCX_TLS, undefined);
    });

    it("P/D + CPU KV offloading: one MultiConnector (NIXL + KServe's OffloadingConnector shape), because the preset drops its own once VLLM_ADDITIONAL_ARGS has a kv transfer config", () => {
        assert.match(preset("main").script, /"\$\{VLLM_ADDITIONAL_ARGS:-\}" != \*"--kv_transfer_config"\*/);
        const spec = llmInferenceServiceSpec(modelArgs(cfg, 2)) as any;
        const decode = spec.template.containers[0].env.find((e: any) => e.name === "VLLM_ADDITIONAL_ARGS").value;
        const json: any = JSON.parse(/^--kv_transfer_config '(.*)'$/.exec(decode)![1]);
        assert.deepEqual(json, llmisvcKvTransferConfig("decode", "32Gi") as any);
        assert.equal(json.kv_connector, "MultiConnector");
        assert.deepEqual(json.kv_connector_extra_config.connectors.map((c: any) => c.kv_connector), ["NixlConnector", "OffloadingConnector"]);
        assert.deepEqual(json.kv_connector_extra_config.connectors[1].kv_connector_extra_config, { spec_name: "TieringOffloadingSpec", cpu_bytes_to_use: 32 * 1024 ** 3 });
        const prefill = spec.prefill.template.containers[0].env.find((e: any) => e.name === "VLLM_ADDITIONAL_ARGS").value;
        assert.equal(prefill, `--kv_transfer_config '{"kv_connector":"NixlConnector","kv_role":"kv_producer"}'`);
    });

    it("monitoring: a PodMonitor on KServe's workload labels (vLLM port of each role) and a ServiceMonitor on the scheduler's metrics port; both validate upstream", async () => {
        new LlmInferenceService("m", { ...modelArgs(cfg, 1), kserve: installer("kserve-x"), monitoring: true, monitoringCrds: installer("mon-x") });
        const pm = manifestOf(await one(crType("monitoring.coreos.com/v1", "PodMonitor"), "m-workload-metrics")) as any;
        const sm = manifestOf(await one(crType("monitoring.coreos.com/v1", "ServiceMonitor"), "m-scheduler-metrics")) as any;
        assert.deepEqual(validateObject(pm), []);
        assert.deepEqual(validateObject(sm), []);
        // The scheduler preset's InferencePool selects the workload pods with exactly these labels.
        const poolSelector = presets["kserve-config-llm-scheduler"].spec.router.scheduler.pool.spec.selector.matchLabels;
        assert.deepEqual(Object.keys(pm.spec.selector.matchLabels).sort(), Object.keys(poolSelector).sort());
        assert.equal(pm.spec.selector.matchLabels["app.kubernetes.io/part-of"], poolSelector["app.kubernetes.io/part-of"]);
        assert.equal(pm.spec.selector.matchLabels["kserve.io/component"], poolSelector["kserve.io/component"]);
        assert.equal(pm.spec.selector.matchLabels["app.kubernetes.io/name"], "pd");
        assert.deepEqual(pm.spec.podMetricsEndpoints.map((e: any) => e.portNumber), [preset("main").port, preset("decode").port]);
        // The scheduler container names its metrics port `metrics`.
        const sched = presets["kserve-config-llm-scheduler"].spec.router.scheduler.template.containers.find((c: any) => c.name === "main");
        assert.ok(sched.ports.some((p: any) => p.name === sm.spec.endpoints[0].port));
        assert.deepEqual(llmisvcPodMonitorSpec("pd"), pm.spec);
        assert.deepEqual(llmisvcSchedulerMonitorSpec("pd"), sm.spec);
    });
});
