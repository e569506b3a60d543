/**
 * RayVllmServer: one vLLM model whose replica spans several nodes, on a plain Ray cluster made of
 * two StatefulSets (as in the seed deck): `<model>-ray-head` (1 pod) and `<model>-ray-worker`
 * (nodes-per-replica − 1 pods). The head starts Ray, waits until every worker has joined, then runs
 * `vllm serve … --tensor-parallel-size T --pipeline-parallel-size P --distributed-executor-backend ray`.
 * Workers join the head through a headless Service that publishes not-ready addresses (the head
 * only turns Ready once vLLM serves, long after workers must join).
 *
 * One Ray cluster is one replica: scale out with several models or use `multiNode: lws`, whose
 * groups are replicas. No KubeRay operator is needed (for Ray Serve on KubeRay see the serving
 * layer's `serving: rayserve`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awaitAnnotations, componentOpts, componentType } from "../common/k8s";
import { resolveArgs, MultiNodeServerArgs, ResolvedMultiNodeArgs } from "./types";
import { HF_CACHE_PATH, VLLM_PORT, vllmImage, vllmProbes, vllmServeArgs } from "./vllm";
import { groupPodSpec, shellWord, validateMultiNode } from "./multinode";
import { draClaim, engineLabels, podMonitor, serviceUrl } from "./workload";

type Container = k8s.types.input.core.v1.Container;

export const RAY_GCS_PORT = 6379;
export const RAY_DASHBOARD_PORT = 8265;
export const ROLE_LABEL = "inference-platform/role";

/** Object names of a model's Ray cluster. */
export function rayNames(modelName: string): { head: string; worker: string; headless: string; headAddress: string } {
    const head = `${modelName}-ray-head`;
    const headless = `${modelName}-ray`;
    // Pod DNS of the head through the governing headless Service (same namespace: search path).
    return { head, worker: `${modelName}-ray-worker`, headless, headAddress: `${head}-0.${headless}:${RAY_GCS_PORT}` };
}

/** Head and worker containers. Pure. */
export function rayContainers(args: Pick<ResolvedMultiNodeArgs, "model" | "placement" | "pool">): { head: Container; worker: Container } {
    const { model, placement } = args;
    const image = vllmImage(args);
    const names = rayNames(model.name);
    const gpus = placement.gpusPerPod;
    const nodes = placement.nodesPerReplica;
    const serve = ["vllm", "serve", ...vllmServeArgs(args, { ray: true })].map(shellWord).join(" ");
    const aliveNodes = `python3 -c "import ray; ray.init(address='auto', logging_level='ERROR'); print(sum(1 for n in ray.nodes() if n['Alive']))"`;
    const headScript = [
        "set -e",
        `ray start --head --port=${RAY_GCS_PORT} --dashboard-host=0.0.0.0 --num-gpus=${gpus}`,
        `until [ "$(${aliveNodes} 2>/dev/null)" -ge ${nodes} ] 2>/dev/null; do echo "waiting for ${nodes} Ray nodes"; sleep 5; done`,
        `exec ${serve}`,
    ].join("\n");
    // `ray start --block` returns only when it cannot join (head not up yet, or gone): retry.
    const workerScript = `until ray start --address=${names.headAddress} --num-gpus=${gpus} --block; do echo "waiting for the Ray head"; sleep 5; done`;
    return {
        head: {
            name: "ray-head",
            image,
            command: ["/bin/bash", "-c", headScript],
            ports: [
                { name: "http", containerPort: VLLM_PORT },
                { name: "gcs", containerPort: RAY_GCS_PORT },
                { name: "dashboard", containerPort: RAY_DASHBOARD_PORT },
            ],
            ...vllmProbes(),
        },
        worker: { name: "ray-worker", image, command: ["/bin/bash", "-c", workerScript] },
    };
}

export class RayVllmServer extends pulumi.ComponentResource {
    /** In-cluster OpenAI-compatible base URL (the head), e.g. http://llama.inference.svc.cluster.local:8000/v1. */
    public readonly url: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    /** Labels of the head pod (the Service and PodMonitor select these). */
    public readonly podLabels: { [key: string]: string };

    constructor(name: string, args: MultiNodeServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("RayVllmServer"), name, args, componentOpts("engine", "RayVllmServer", opts));
        const resolved = resolveArgs(args);
        validate(name, resolved, this);
        const { model, placement } = resolved;
        const names = rayNames(model.name);
        const labels = engineLabels("vllm", model.name, { "inference-platform/ray-cluster": names.headless });
        const headLabels = { ...labels, [ROLE_LABEL]: "head" };
        const workerLabels = { ...labels, [ROLE_LABEL]: "worker" };
        const headSelector = { "inference-platform/model": model.name, [ROLE_LABEL]: "head" };
        const workerSelector = { "inference-platform/model": model.name, [ROLE_LABEL]: "worker" };
        const containers = rayContainers(resolved);
        const claim = draClaim(this, name, resolved, placement.gpusPerPod);
        const cache = model.cacheSize !== undefined;
        const podOpts = { claim, cacheMount: cache ? { name: "model-cache", mountPath: HF_CACHE_PATH } : undefined };
        const cacheTemplates = cache
            ? [
                  {
                      metadata: { name: "model-cache", labels },
                      spec: {
                          accessModes: ["ReadWriteOnce"],
                          storageClassName: model.storageClass,
                          resources: { requests: { storage: model.cacheSize as string } },
                      },
                  },
              ]
            : undefined;
        const annotations = awaitAnnotations(resolved.skipAwait ?? false);

        const headless = new k8s.core.v1.Service(
            `${name}-ray`,
            {
                metadata: { name: names.headless, namespace: resolved.namespace, labels, annotations },
                spec: {
                    clusterIP: "None",
                    // Workers must resolve the head before it is Ready (it turns Ready only once vLLM serves).
                    publishNotReadyAddresses: true,
                    selector: { "inference-platform/model": model.name, "inference-platform/ray-cluster": names.headless },
                    ports: [{ name: "gcs", port: RAY_GCS_PORT, targetPort: RAY_GCS_PORT }],
                },
            },
            { parent: this },
        );
        const set = (resName: string, objName: string, replicas: number, podLabels: Record<string, string>, selector: Record<string, string>, container: Container) =>
            new k8s.apps.v1.StatefulSet(
                resName,
                {
                    metadata: { name: objName, namespace: resolved.namespace, labels: podLabels, annotations },
                    spec: {
                        replicas,
                        serviceName: names.headless,
                        // Start all workers at once; ordering buys nothing in a Ray cluster.
                        podManagementPolicy: "Parallel",
                        selector: { matchLabels: selector },
                        template: { metadata: { labels: podLabels }, spec: groupPodSpec(resolved, container, podOpts) },
                        volumeClaimTemplates: cacheTemplates,
                        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    },
                },
                { parent: this, dependsOn: [headless] },
            );
        set(`${name}-ray-head`, names.head, 1, headLabels, headSelector, containers.head);
        set(`${name}-ray-worker`, names.worker, placement.nodesPerReplica - 1, workerLabels, workerSelector, containers.worker);

        const service = new k8s.core.v1.Service(
            name,
            {
                metadata: { name: model.name, namespace: resolved.namespace, labels, annotations },
                spec: { selector: headSelector, ports: [{ name: "http", port: VLLM_PORT, targetPort: VLLM_PORT }] },
            },
            { parent: this },
        );
        podMonitor(this, name, resolved, labels, headSelector, { port: "http", path: "/metrics" });

        this.podLabels = headLabels;
        this.serviceName = service.metadata.name;
        this.url = serviceUrl(service, VLLM_PORT, "/v1");
        this.registerOutputs({ url: this.url, serviceName: this.serviceName });
    }
}

function validate(name: string, args: ResolvedMultiNodeArgs, parent: pulumi.Resource): void {
    if (args.model.engine !== "vllm") {
        throw new pulumi.ResourceError(`RayVllmServer ${name}: multiNode ray runs vLLM only; engine "${args.model.engine}" needs multiNode: lws.`, parent);
    }
    if (args.placement.replicas !== 1) {
        throw new pulumi.ResourceError(
            `RayVllmServer ${name}: one Ray cluster is one replica; ${args.placement.replicas} replicas need multiNode: lws.`,
            parent,
        );
    }
    validateMultiNode("RayVllmServer", name, args, parent);
}
