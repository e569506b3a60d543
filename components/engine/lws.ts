/**
 * LwsServer: one model whose replica spans several nodes, as a LeaderWorkerSet
 * (`leaderworkerset.x-k8s.io/v1`): each replica is a group of `size` = nodes-per-replica pods, one
 * leader and size−1 workers, recreated together when any of them restarts
 * (`RecreateGroupOnPodRestart`: a half-dead NCCL/Ray world never recovers on its own).
 *
 * - vLLM: the leader starts a Ray head and waits for `$(LWS_GROUP_SIZE)` nodes, then runs
 *   `vllm serve … --tensor-parallel-size T --pipeline-parallel-size P --distributed-executor-backend ray`;
 *   workers join `$(LWS_LEADER_ADDRESS)` (vLLM's multi-node-serving.sh, as in the LWS vLLM guide).
 * - SGLang: every pod runs `sglang.launch_server … --dist-init-addr $(LWS_LEADER_ADDRESS):20000
 *   --nnodes $(LWS_GROUP_SIZE) --node-rank $(LWS_WORKER_INDEX)`; rank 0 (the leader) serves HTTP.
 *
 * Every pod requests its share of GPUs and, when the pool has RDMA NICs, the RDMA resource. A
 * Service exposes the leaders (OpenAI API); a PodMonitor scrapes the leaders' /metrics.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awaitAnnotations, componentOpts, componentType } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";
import { resolveArgs, LwsServerArgs, ResolvedMultiNodeArgs, type Resolved } from "./types";
import { HF_CACHE_PATH, VLLM_PORT, vllmImage, vllmProbes, vllmServeArgs } from "./vllm";
import { SGLANG_DIST_PORT, SGLANG_PORT, sglangArgs, sglangImage, sglangProbes } from "./sglang";
import { groupPodSpec, shellWord, validateMultiNode, VLLM_MULTI_NODE_SCRIPT } from "./multinode";
import { draClaim, engineLabels, podMonitor, serviceUrl } from "./workload";

type Container = k8s.types.input.core.v1.Container;

/** Label LWS puts on every pod of a set. */
export const LWS_NAME_LABEL = "leaderworkerset.sigs.k8s.io/name";
/** Our role label on leader and worker templates (the leader Service and PodMonitor select it). */
export const ROLE_LABEL = "inference-platform/role";

/** Leader and worker containers for vLLM on LWS. Pure. */
export function vllmLwsContainers(args: Pick<ResolvedMultiNodeArgs, "model" | "placement" | "pool">): { leader: Container; worker: Container } {
    const image = vllmImage(args);
    const serve = ["vllm", "serve", ...vllmServeArgs(args, { ray: true })].map(shellWord).join(" ");
    return {
        leader: {
            name: "vllm-leader",
            image,
            command: ["/bin/sh", "-c", `bash ${VLLM_MULTI_NODE_SCRIPT} leader --ray_cluster_size=$(LWS_GROUP_SIZE); exec ${serve}`],
            ports: [{ name: "http", containerPort: VLLM_PORT }],
            ...vllmProbes(),
        },
        worker: {
            name: "vllm-worker",
            image,
            command: ["/bin/sh", "-c", `bash ${VLLM_MULTI_NODE_SCRIPT} worker --ray_address=$(LWS_LEADER_ADDRESS)`],
        },
    };
}

/** Leader and worker containers for SGLang on LWS (the same command, rank from LWS). Pure. */
export function sglangLwsContainers(args: Pick<ResolvedMultiNodeArgs, "model" | "placement" | "pool">): { leader: Container; worker: Container } {
    const image = sglangImage(args);
    const a = sglangArgs(args, {
        distInitAddr: `$(LWS_LEADER_ADDRESS):${SGLANG_DIST_PORT}`,
        nnodes: "$(LWS_GROUP_SIZE)",
        nodeRank: "$(LWS_WORKER_INDEX)",
    });
    const base = { image, command: ["python3", "-m", "sglang.launch_server"], args: a };
    return {
        leader: { name: "sglang-leader", ...base, ports: [{ name: "http", containerPort: SGLANG_PORT }, { name: "dist", containerPort: SGLANG_DIST_PORT }], ...sglangProbes() },
        worker: { name: "sglang-worker", ...base },
    };
}

export class LwsServer extends pulumi.ComponentResource {
    /** In-cluster OpenAI-compatible base URL of the leaders. */
    public readonly url: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    /** Labels of the leader pods (the Service and PodMonitor select these). */
    public readonly podLabels: { [key: string]: string };

    constructor(name: string, args: LwsServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("LwsServer"), name, args, componentOpts("engine", "LwsServer", opts));
        const resolved = resolveArgs(args);
        validate(name, resolved, this);
        const { model, placement } = resolved;
        const component = model.engine;
        const labels = engineLabels(component, model.name);
        const leaderLabels = { ...labels, [ROLE_LABEL]: "leader" };
        const workerLabels = { ...labels, [ROLE_LABEL]: "worker" };
        const port = model.engine === "sglang" ? SGLANG_PORT : VLLM_PORT;
        const containers = model.engine === "sglang" ? sglangLwsContainers(resolved) : vllmLwsContainers(resolved);
        const claim = draClaim(this, name, resolved, placement.gpusPerPod);
        const cacheMount = model.cacheSize ? { name: "model-cache", mountPath: HF_CACHE_PATH } : undefined;
        const podOpts = { claim, cacheMount };

        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "leaderworkerset.x-k8s.io/v1",
                kind: "LeaderWorkerSet",
                metadata: { name: model.name, namespace: resolved.namespace, labels, annotations: awaitAnnotations(resolved.skipAwait ?? false) },
                spec: {
                    replicas: placement.replicas,
                    // Workers start once the leader pod exists: they need its address, not its readiness.
                    startupPolicy: "LeaderCreated",
                    leaderWorkerTemplate: {
                        size: placement.nodesPerReplica,
                        restartPolicy: "RecreateGroupOnPodRestart",
                        leaderTemplate: { metadata: { labels: leaderLabels }, spec: groupPodSpec(resolved, containers.leader, podOpts) },
                        workerTemplate: { metadata: { labels: workerLabels }, spec: groupPodSpec(resolved, containers.worker, podOpts) },
                        ...(model.cacheSize
                            ? {
                                  volumeClaimTemplates: [
                                      {
                                          metadata: { name: "model-cache", labels },
                                          spec: {
                                              accessModes: ["ReadWriteOnce"],
                                              ...(model.storageClass ? { storageClassName: model.storageClass } : {}),
                                              resources: { requests: { storage: model.cacheSize } },
                                          },
                                      },
                                  ],
                                  // Weights are expensive to download again: keep every pod's cache.
                                  persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                              }
                            : {}),
                    },
                },
            },
            // The LeaderWorkerSet kind exists only once the LWS controller installed its CRD.
            {
                parent: this,
                // (The ComputeDomain channel, on rack-scale pools, orders through computeDomain.channelTemplate.)
                dependsOn: dependsOnAll(resolved.lwsCrds),
                // With autoscaling, KEDA's HPA owns args.replicas after creation.
                ...(model.autoscaling ? { ignoreChanges: ["args.replicas"] } : {}),
            },
        );

        const selector = { [LWS_NAME_LABEL]: model.name, [ROLE_LABEL]: "leader" };
        const service = new k8s.core.v1.Service(
            name,
            {
                metadata: { name: model.name, namespace: resolved.namespace, labels, annotations: awaitAnnotations(resolved.skipAwait ?? false) },
                spec: { selector, ports: [{ name: "http", port, targetPort: port }] },
            },
            { parent: this },
        );
        // Only the leader runs the API server (and its /metrics).
        podMonitor(this, name, resolved, labels, selector, { port: "http", path: "/metrics" });

        this.podLabels = leaderLabels;
        this.serviceName = service.metadata.name;
        this.url = serviceUrl(service, port, "/v1");
        this.registerOutputs({ url: this.url, serviceName: this.serviceName });
    }
}

function validate(name: string, args: Resolved<LwsServerArgs>, parent: pulumi.Resource): void {
    if (args.model.engine !== "vllm" && args.model.engine !== "sglang") {
        throw new pulumi.ResourceError(`LwsServer ${name}: engine "${args.model.engine}" has no multi-node mode here; use vllm or sglang.`, parent);
    }
    if (!args.lwsCrds) {
        throw new pulumi.ResourceError(
            `LwsServer ${name}: lwsCrds is required (the resource installing leaderworkerset.x-k8s.io); enable platform.lws.`,
            parent,
        );
    }
    validateMultiNode("LwsServer", name, args, parent);
}
