/** Multi-node engines: vLLM and SGLang on a LeaderWorkerSet, vLLM on Ray StatefulSets. */
import { strict as assert } from "node:assert";
import { LwsServer, sglangLwsContainers, vllmLwsContainers } from "../../components/engine/lws";
import { RayVllmServer } from "../../components/engine/ray";
import { checkObject } from "../conformance/upstream";
import { one, promiseOf, registered, RELEASE, resetRecords } from "../helpers";
import { config, containerOf, installer, manifestOf, podSpecOf, serverArgs, spec } from "./fixtures";

const LWS = "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet";
const STS = "kubernetes:apps/v1:StatefulSet";
const SVC = "kubernetes:core/v1:Service";
const PODMONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";

const LLAMA_70B = "meta-llama/Llama-3.3-70B-Instruct";

describe("LwsServer", () => {
    beforeEach(resetRecords);

    it("vLLM: one group of nodes-per-replica pods, group restart, Ray bootstrap on the leader, workers join the leader", async () => {
        const cfg = config([{ name: "l70", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 }, replicas: 2, cacheSize: "300Gi" }]);
        const lwsCrds = installer("m1-lws-crds");
        const monitoring = installer("m1-mon");
        const s = new LwsServer("m1-l70", { ...serverArgs(cfg, 0, { podMonitor: true, monitoringCrds: monitoring }), lwsCrds });
        const lws = await one(LWS, "m1-l70");
        const t = spec(lws).leaderWorkerTemplate;
        assert.equal(spec(lws).replicas, 2);
        assert.equal(t.size, 2);
        assert.equal(t.restartPolicy, "RecreateGroupOnPodRestart");
        assert.ok(lws.dependsOn.includes((await one(RELEASE, "m1-lws-crds")).urn), "the LeaderWorkerSet depends on the LWS CRD installer");

        const leader = t.leaderTemplate.spec.containers[0];
        const worker = t.workerTemplate.spec.containers[0];
        const leaderCmd: string = leader.command.join(" ");
        assert.match(leaderCmd, /multi-node-serving\.sh leader --ray_cluster_size=\$\(LWS_GROUP_SIZE\); exec vllm serve meta-llama\/Llama-3\.3-70B-Instruct /);
        assert.match(leaderCmd, /--tensor-parallel-size 8 --pipeline-parallel-size 2 --distributed-executor-backend ray/);
        assert.match(worker.command.join(" "), /multi-node-serving\.sh worker --ray_address=\$\(LWS_LEADER_ADDRESS\)$/);
        assert.equal(leader.readinessProbe.httpGet.path, "/health");
        assert.equal(worker.readinessProbe, undefined, "workers serve no HTTP");

        for (const [role, c, pod] of [["leader", leader, t.leaderTemplate.spec], ["worker", worker, t.workerTemplate.spec]] as const) {
            assert.deepEqual(c.resources.limits, { "nvidia.com/gpu": "8", "rdma/rdma_shared_device_a": "1" }, `${role}: GPUs + RDMA`);
            assert.deepEqual(c.securityContext, { capabilities: { add: ["IPC_LOCK"] } }, `${role}: IPC_LOCK for RDMA`);
            assert.equal(pod.volumes[0].emptyDir.medium, "Memory", `${role}: in-memory /dev/shm`);
            assert.deepEqual(pod.nodeSelector, { "inference-platform/pool": "h100" });
            const env = Object.fromEntries(c.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
            assert.equal(env["NCCL_SOCKET_IFNAME"], "eth0");
            assert.equal(env["NCCL_IB_DISABLE"], undefined, "IB stays on when the pool has RDMA");
        }
        assert.deepEqual(t.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        assert.equal(t.volumeClaimTemplates[0].spec.resources.requests.storage, "300Gi");

        const svc = await one(SVC, "m1-l70");
        assert.deepEqual(spec(svc).selector, { "leaderworkerset.sigs.k8s.io/name": "l70", "inference-platform/role": "leader" });
        assert.deepEqual(t.leaderTemplate.metadata.labels["inference-platform/role"], "leader");
        const pm = await one(PODMONITOR, "m1-l70-metrics");
        assert.deepEqual(spec(pm).selector.matchLabels, spec(svc).selector, "only leaders are scraped");
        assert.ok(pm.dependsOn.includes((await one(RELEASE, "m1-mon")).urn));
        assert.equal(await promiseOf(s.url), "http://l70.inference.svc.cluster.local:8000/v1");

        const check = checkObject(manifestOf(lws));
        assert.equal(check.status, "valid", JSON.stringify(check));
    });

    it("TP4 × PP2 with 4 GPUs per pod on 4-GPU nodes (slide 35), no RDMA: IB off", async () => {
        const pool = { name: "h4", nodes: 2, accelerator: { vendor: "nvidia" as const, product: "H100-PCIe-80GB", memoryGiB: 80, perNode: 4 } };
        const cfg = config([{ name: "s35", model: LLAMA_70B, parallelism: { tensor: 4, pipeline: 2 } }], [pool]);
        new LwsServer("m2-s35", { ...serverArgs(cfg), lwsCrds: installer("m2-lws") });
        const t = spec(await one(LWS, "m2-s35")).leaderWorkerTemplate;
        assert.equal(t.size, 2);
        const leader = t.leaderTemplate.spec.containers[0];
        assert.deepEqual(leader.resources.limits, { "nvidia.com/gpu": "4" }, "no RDMA resource on a pool without RDMA");
        assert.equal(leader.securityContext, undefined);
        assert.match(leader.command.join(" "), /--tensor-parallel-size 4 --pipeline-parallel-size 2/);
        assert.ok(leader.env.some((e: { name: string; value?: string }) => e.name === "NCCL_IB_DISABLE" && e.value === "1"));
    });

    it("SGLang: every pod runs launch_server with --dist-init-addr/--nnodes/--node-rank from LWS", async () => {
        const cfg = config([{ name: "sg", model: LLAMA_70B, engine: "sglang", parallelism: { tensor: 8, pipeline: 2 } }]);
        new LwsServer("m3-sg", { ...serverArgs(cfg), lwsCrds: installer("m3-lws") });
        const lws = await one(LWS, "m3-sg");
        const t = spec(lws).leaderWorkerTemplate;
        for (const c of [t.leaderTemplate.spec.containers[0], t.workerTemplate.spec.containers[0]]) {
            assert.deepEqual(c.command, ["python3", "-m", "sglang.launch_server"]);
            const a: string[] = c.args;
            assert.equal(a[a.indexOf("--dist-init-addr") + 1], "$(LWS_LEADER_ADDRESS):20000");
            assert.equal(a[a.indexOf("--nnodes") + 1], "$(LWS_GROUP_SIZE)");
            assert.equal(a[a.indexOf("--node-rank") + 1], "$(LWS_WORKER_INDEX)");
            assert.equal(a[a.indexOf("--tp-size") + 1], "8");
            assert.equal(a[a.indexOf("--pp-size") + 1], "2");
            assert.deepEqual(c.resources.limits, { "nvidia.com/gpu": "8", "rdma/rdma_shared_device_a": "1" });
        }
        assert.equal(t.leaderTemplate.spec.containers[0].readinessProbe.httpGet.port, 30000);
        assert.equal(spec(await one(SVC, "m3-sg")).ports[0].port, 30000);
        assert.equal(checkObject(manifestOf(lws)).status, "valid");
    });

    it("with dra, every pod of the group gets its own claim and no device-plugin GPUs", async () => {
        const cfg = config([{ name: "dr", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 }, dra: true }]);
        new LwsServer("m4-dr", { ...serverArgs(cfg), lwsCrds: installer("m4-lws") });
        const t = spec(await one(LWS, "m4-dr")).leaderWorkerTemplate;
        for (const pod of [t.leaderTemplate.spec, t.workerTemplate.spec]) {
            assert.deepEqual(pod.resourceClaims, [{ name: "gpu", resourceClaimTemplateName: "dr-gpus" }]);
            assert.deepEqual(pod.containers[0].resources.limits, { "rdma/rdma_shared_device_a": "1" }, "RDMA only; GPUs come from the claim");
        }
        const tpl = await one("kubernetes:resource.k8s.io/v1:ResourceClaimTemplate", "m4-dr-gpus");
        assert.equal((tpl.inputs as any).spec.spec.devices.requests[0].exactly.count, 8);
    });

    it("refuses to build without the LWS CRD installer or for a single-node placement", () => {
        const cfg = config([{ name: "x", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 } }]);
        assert.throws(() => new LwsServer("m5-x", serverArgs(cfg)), /lwsCrds is required/);
        const one_ = config([{ name: "y", model: "Qwen/Qwen3-0.6B" }]);
        assert.throws(() => new LwsServer("m5-y", { ...serverArgs(one_), lwsCrds: installer("m5-lws") }), /fits one node/);
    });

    it("quotes user extra args for the shell but leaves LWS references to the kubelet", () => {
        const cfg = config([{ name: "q", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 }, extraArgs: ["--chat-template", "a b; $(x)"] }]);
        const { leader } = vllmLwsContainers(serverArgs(cfg));
        const line = (leader.command as string[])[2];
        assert.ok(line.endsWith(" --chat-template 'a b; $(x)'"), line);
        assert.match(line, /--ray_cluster_size=\$\(LWS_GROUP_SIZE\);/);
        const sg = sglangLwsContainers(serverArgs(config([{ name: "q2", model: LLAMA_70B, engine: "sglang", parallelism: { tensor: 8, pipeline: 2 }, extraArgs: ["a b"] }])));
        assert.equal((sg.leader.args as string[]).at(-1), "a b", "SGLang args are an argv array, not a shell line");
    });
});

describe("RayVllmServer", () => {
    beforeEach(resetRecords);

    it("head and worker StatefulSets; the head waits for every node, then runs vllm serve with the Ray backend", async () => {
        const cfg = config([{ name: "r70", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 }, multiNode: "ray" }]);
        const s = new RayVllmServer("r1-r70", serverArgs(cfg, 0, { podMonitor: true, monitoringCrds: installer("r1-mon") }));
        const head = await one(STS, "r1-r70-ray-head");
        const worker = await one(STS, "r1-r70-ray-worker");
        assert.equal(spec(head).replicas, 1);
        assert.equal(spec(worker).replicas, 1, "nodes per replica − 1 workers");
        const headScript: string = containerOf(head).command[2];
        assert.match(headScript, /ray start --head --port=6379 .*--num-gpus=8/);
        assert.match(headScript, /-ge 2 \]/, "waits for 2 Ray nodes");
        assert.match(headScript, /exec vllm serve meta-llama\/Llama-3\.3-70B-Instruct .*--tensor-parallel-size 8 --pipeline-parallel-size 2 --distributed-executor-backend ray/);
        assert.match(containerOf(worker).command[2], /ray start --address=r70-ray-head-0\.r70-ray:6379 --num-gpus=8 --block/);
        for (const sts of [head, worker]) {
            assert.deepEqual(containerOf(sts).resources.limits, { "nvidia.com/gpu": "8", "rdma/rdma_shared_device_a": "1" });
            assert.equal(podSpecOf(sts).volumes[0].emptyDir.medium, "Memory");
            assert.equal(spec(sts).serviceName, "r70-ray");
        }
        const headless = await one(SVC, "r1-r70-ray");
        assert.equal(spec(headless).clusterIP, "None");
        assert.equal(spec(headless).publishNotReadyAddresses, true, "workers resolve the head before it is Ready");
        const api = await one(SVC, "r1-r70");
        assert.deepEqual(spec(api).selector, { "inference-platform/model": "r70", "inference-platform/role": "head" });
        assert.deepEqual(spec(await one(PODMONITOR, "r1-r70-metrics")).selector.matchLabels, spec(api).selector);
        assert.equal(await promiseOf(s.url), "http://r70.inference.svc.cluster.local:8000/v1");
        assert.equal((await registered(LWS)).length, 0);
    });

    it("refuses more than one replica and non-vLLM engines", () => {
        const cfg = config([{ name: "r2", model: LLAMA_70B, parallelism: { tensor: 8, pipeline: 2 }, multiNode: "ray" }]);
        const args = serverArgs(cfg);
        assert.throws(() => new RayVllmServer("r2-a", { ...args, placement: { ...args.placement, replicas: 2 } }), /one Ray cluster is one replica/);
        assert.throws(() => new RayVllmServer("r2-b", { ...args, model: { ...args.model, engine: "sglang" } }), /vLLM only/);
    });
});

