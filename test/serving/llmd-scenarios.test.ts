/**
 * The three llm-d well-lit paths as example stacks, each planned end to end and compared, setting
 * by setting, with what llm-d's guides run for the settings that decide whether the path works.
 *
 * Guide sources (llm-d/llm-d; the v0.6.0 tag itself is not readable here, so each file is cited at
 * the commit read; the release set — llm-d v0.6.0, scheduler/sidecar v0.7.1, inferencepool v1.4.0 —
 * is pinned and checked in llmd-release.test.ts):
 *  - inference scheduling: guides/inference-scheduling/ms-inference-scheduling/values.yaml and
 *    gaie-inference-scheduling/values.yaml @126f65d (probes, vLLM port, pool selector, the chart's
 *    default-plugins.yaml with queue/KV-utilisation/prefix-cache scorers);
 *  - P/D: the P/D guide's gaie-pd EndpointPickerConfig as llm-d's docs quote it for scheduler v0.7
 *    (pd-profile-handler + prefix-based-pd-decider, nonCachedTokens 16, prepareDataPlugins) and
 *    llm-d-inference-scheduler@v0.7.1 deploy/config/pd-epp-config.yaml (same decider and profiles);
 *    the sidecar `--port=8000 --vllm-port=8200 --connector=nixlv2` and NIXL `kv_both` from
 *    guides/wide-ep-lws/manifests/modelserver/base/decode.yaml @03da3b0;
 *  - wide EP: guides/wide-ep-lws/manifests/modelserver/base/decode.yaml @03da3b0 (LWS, DP_SIZE_LOCAL
 *    8, every worker `vllm serve … --enable-expert-parallel --data-parallel-hybrid-lb
 *    --data-parallel-size $((LWS_GROUP_SIZE * DP_SIZE_LOCAL)) --data-parallel-address
 *    ${LWS_LEADER_ADDRESS} --data-parallel-rpc-port 5555 --data-parallel-start-rank $START_RANK`,
 *    START_RANK = LWS_WORKER_INDEX × DP_SIZE_LOCAL, IPC_LOCK + SYS_RAWIO).
 */
import { strict as assert } from "node:assert";
import * as YAML from "yaml";
import { planAll } from "../../components/physical";
import { images, LLMD_RELEASE, LLMD_RELEASES } from "../../components/versions";
import type { RecordedResource } from "../../stacks/plan/mock-engine";
import { planExample, RELEASE, resetRecords } from "../helpers";
import { chartArchive, fileInTgz } from "./chart-files";

/* eslint-disable @typescript-eslint/no-explicit-any */
const release = LLMD_RELEASES[LLMD_RELEASE.release];

function valuesOf(resources: RecordedResource[], releaseName: string): any {
    const r = resources.find((x) => x.type === RELEASE && (x.inputs as any).name === releaseName);
    assert.ok(r, `release ${releaseName} planned`);
    return (r.inputs as any).values;
}

/** The guides' probes (ms-inference-scheduling/values.yaml @126f65d). */
const GUIDE_PROBES = {
    startupProbe: { httpGet: { path: "/v1/models", port: "vllm" }, initialDelaySeconds: 15, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 120 },
    livenessProbe: { httpGet: { path: "/health", port: "vllm" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: "/v1/models", port: "vllm" }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
};

function assertGuideProbes(container: any, port: number) {
    for (const k of ["startupProbe", "livenessProbe", "readinessProbe"] as const) assert.deepEqual(container.extraConfig[k], GUIDE_PROBES[k], k);
    assert.deepEqual(container.ports.find((p: any) => p.name === "vllm")?.containerPort, port);
}

describe("serving: llm-d well-lit paths match the pinned release's guides", function () {
    this.timeout(240000);
    beforeEach(resetRecords);

    it("inference scheduling (stacks/examples/llmd-inference-scheduling.yaml): default scorer profile, vLLM on 8000, probes, pool selector", async () => {
        const { resources } = await planExample("stacks/examples/llmd-inference-scheduling.yaml");
        const pool = valuesOf(resources, "qwen3-32b-pool");
        const ms = valuesOf(resources, "qwen3-32b-ms");
        assert.deepEqual(pool.inferenceExtension.image, { hub: "ghcr.io/llm-d", name: "llm-d-inference-scheduler", tag: release.scheduler });
        assert.equal(pool.inferenceExtension.pluginsConfigFile, undefined, "the chart's default-plugins.yaml, as the guide (pluginsConfigFile: default-plugins.yaml)");
        const tpl = fileInTgz(chartArchive(`inferencepool-${release.inferencePoolChart}`), "inference-extension/templates/_config.yaml");
        for (const scorer of ["queue-scorer", "kv-cache-utilization-scorer", "prefix-cache-scorer"]) assert.ok(tpl.includes(`- type: ${scorer}`), scorer);
        assert.deepEqual(pool.inferencePool.targetPorts, [{ number: 8000 }]);
        assert.equal(pool.inferencePool.modelServerType, "vllm");
        assert.deepEqual(pool.inferencePool.modelServers.matchLabels, ms.modelArtifacts.labels);
        assert.equal(ms.modelArtifacts.labels["llm-d.ai/inference-serving"], "true");
        assert.equal(pool.inferenceExtension.monitoring.prometheus.enabled, true);
        assert.equal(ms.routing.proxy.enabled, false);
        assert.deepEqual(ms.decode.parallelism, { tensor: 2, data: 1 });
        const c = ms.decode.containers[0];
        assert.equal(c.modelCommand, "vllmServe");
        assert.equal(c.image, `ghcr.io/llm-d/llm-d-cuda:${release.modelServer}`);
        assertGuideProbes(c, 8000);
        assert.deepEqual(ms.decode.monitoring.podmonitor, { enabled: true, portName: "vllm", path: "/metrics", interval: "30s" });
    });

    it("P/D disaggregation (stacks/examples/llmd-pd-disaggregation.yaml): decider + scorers, routing sidecar 8000 → vLLM 8200, NIXL over RDMA", async () => {
        const { resources } = await planExample("stacks/examples/llmd-pd-disaggregation.yaml");
        const pool = valuesOf(resources, "qwen3-32b-pd-pool");
        const ms = valuesOf(resources, "qwen3-32b-pd-ms");
        const epc = YAML.parse(pool.inferenceExtension.pluginsCustomConfig[pool.inferenceExtension.pluginsConfigFile]);
        assert.deepEqual(epc.featureGates, ["prepareDataPlugins"]);
        const plugin = (t: string) => epc.plugins.find((p: any) => p.type === t);
        assert.deepEqual(plugin("pd-profile-handler").parameters, { primaryPort: 0, deciderPluginName: "prefix-based-pd-decider" });
        assert.deepEqual(plugin("prefix-based-pd-decider").parameters, { nonCachedTokens: 16 });
        for (const t of ["prefill-header-handler", "prefill-filter", "decode-filter", "max-score-picker", "queue-scorer", "prefix-cache-scorer"]) assert.ok(plugin(t), t);
        const profile = (n: string) => epc.schedulingProfiles.find((p: any) => p.name === n).plugins;
        assert.deepEqual(profile("prefill"), [{ pluginRef: "prefill-filter" }, { pluginRef: "max-score-picker" }, { pluginRef: "prefix-cache-scorer", weight: 2 }, { pluginRef: "queue-scorer", weight: 1 }]);
        assert.deepEqual(profile("decode"), [{ pluginRef: "decode-filter" }, { pluginRef: "max-score-picker" }, { pluginRef: "prefix-cache-scorer", weight: 2 }, { pluginRef: "queue-scorer", weight: 1 }]);
        // Routing sidecar: --port=8000 --vllm-port=8200 --connector=nixlv2, the release's image.
        assert.deepEqual(ms.routing.proxy, { enabled: true, image: images.llmdRoutingSidecar, connector: "nixlv2", targetPort: 8200 });
        assert.equal(images.llmdRoutingSidecar, `ghcr.io/llm-d/llm-d-routing-sidecar:${release.routingSidecar}`);
        assert.equal(ms.routing.servicePort, 8000);
        assert.equal(ms.prefill.replicas, 4);
        assert.equal(ms.decode.replicas, 2);
        for (const [role, port] of [[ms.decode, 8200], [ms.prefill, 8000]] as const) {
            const c = role.containers[0];
            assertGuideProbes(c, port);
            const i = c.args.indexOf("--kv-transfer-config");
            assert.deepEqual(JSON.parse(c.args[i + 1]), { kv_connector: "NixlConnector", kv_role: "kv_both" });
            assert.deepEqual(c.env.find((e: any) => e.name === "VLLM_NIXL_SIDE_CHANNEL_HOST").valueFrom, { fieldRef: { fieldPath: "status.podIP" } });
            // RDMA on this pool: the device, locked memory and UCX's RC transport for NIXL.
            assert.equal(c.resources.limits["rdma/rdma_shared_device_a"], "1");
            assert.deepEqual(c.extraConfig.securityContext.capabilities.add, ["IPC_LOCK"]);
            assert.match(c.env.find((e: any) => e.name === "UCX_TLS").value, /^rc,/);
            assert.ok(c.ports.some((p: any) => p.name === "nixl" && p.containerPort === 5600));
        }
    });

    it("wide expert parallelism (stacks/examples/llmd-wide-ep.yaml): LWS 2 × 8 ranks, TP1 × DP16 with EP, every rank serving, RDMA capabilities", async () => {
        const { resources, config } = await planExample("stacks/examples/llmd-wide-ep.yaml");
        const ms = valuesOf(resources, "deepseek-r1-ms");
        assert.equal(ms.multinode, true);
        assert.deepEqual(ms.decode.parallelism, { tensor: 1, data: 16, dataLocal: 8, workers: 2 });
        const c = ms.decode.containers[0];
        const cmd: string = c.args[0];
        assert.match(cmd, /^START_RANK=\$\(\( \$\{LWS_WORKER_INDEX:-0\} \* DP_SIZE_LOCAL \)\)\n/);
        for (const flag of [
            "--enable-expert-parallel",
            "--data-parallel-hybrid-lb",
            "--data-parallel-size $DP_SIZE",
            "--data-parallel-size-local $DP_SIZE_LOCAL",
            "--data-parallel-address $LWS_LEADER_ADDRESS",
            "--data-parallel-rpc-port 5555",
            "--data-parallel-start-rank $START_RANK",
        ]) {
            assert.ok(cmd.includes(flag), flag);
        }
        assert.doesNotMatch(cmd, /--headless/, "every LWS pod carries the pool labels, so every pod must serve");
        assert.deepEqual(c.extraConfig.securityContext.capabilities.add, ["IPC_LOCK", "SYS_RAWIO"]);
        assert.equal(c.resources.limits["rdma/rdma_shared_device_a"], "1");
        assertGuideProbes(c, 8000);
        // The planner accepts the guide's layout by sharding the experts over the 16 ranks.
        const plan = planAll(config).models[0];
        assert.deepEqual([plan.tensorParallel, plan.dataParallel, plan.nodesPerReplica, plan.gpusPerPod], [1, 16, 2, 8]);
        assert.match(plan.explanation, /experts sharded over EP16/);
    });
});
