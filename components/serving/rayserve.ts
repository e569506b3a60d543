/**
 * RayServeLlm: one model on Ray Serve LLM through a KubeRay RayService (`ray.io/v1`). The Serve
 * application is `ray.serve.llm:build_openai_app` with one LLM config (vLLM engine kwargs from the
 * placement); the Ray cluster has a CPU-only head and a GPU worker group sized from the placement
 * (one Ray worker pod per node of every replica). With `autoscaling`, Serve scales the model
 * replicas on ongoing requests and the KubeRay autoscaler adds worker pods.
 *
 * Metrics: every Ray node exports Prometheus metrics (Ray core, Serve and the vLLM engine's
 * `ray_vllm:*`) on `metrics-export-port`; KubeRay 1.7.0 sets it to 8080 and adds a container port
 * named `metrics` unless one exists (ray-project/kuberay@v1.7.0 ray-operator/controllers/ray/
 * common/pod.go, utils/constant.go DefaultMetricsPort). The spec states both, labels the head and
 * worker pods with the model, and a PodMonitor scrapes `metrics` on all of them (KubeRay's own
 * example monitors head and workers alike: config/prometheus/podMonitor.yaml).
 *
 * Model cache (`cacheSize`): one PVC `<name>-model-cache` shared by the GPU workers at
 * /model-cache, with HF_HOME below it, so a new worker loads the weights from the cache instead of
 * downloading them again. ReadWriteMany when more than one worker pod can exist; kept on delete.
 * The Ray images run as uid 1000, gid 100 (ray-project/ray docker/base-deps/Dockerfile): the pod's
 * fsGroup 100 makes the volume writable for them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";
import { acceleratorResources, extraEnv, hfTokenEnv, poolPlacement, shmMount, shmVolume } from "../engine/pod";
import type { Placement } from "../engine/types";
import { images } from "../versions";
import type { Model, Pool, ModelSpec, NodePool } from "../types";
import { resolveArgs, type Resolved } from "../resolve";
import { hostResources } from "./common";

/** Ray Serve's HTTP port (the RayService `<name>-serve-svc` Service). */
export const RAY_SERVE_PORT = 8000;
/** Ray's Prometheus export port on every node (KubeRay's default, stated explicitly). */
export const RAY_METRICS_PORT = 8080;
/** Where the model cache PVC mounts on the workers. */
export const RAY_CACHE_PATH = "/model-cache";
/** Group of the `ray` user in the Ray images. */
const RAY_GID = 100;

export interface RayServeLlmArgs {
    namespace: pulumi.Input<string>;
    model: ModelSpec;
    pool: NodePool;
    placement?: Placement;
    /** Name of the Secret with `HF_TOKEN`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** The resource installing the KubeRay CRDs (`ray.io`). */
    rayCrds?: k8s.helm.v3.Release;
    /** Create a PodMonitor for the Ray head and workers (needs the prometheus-operator CRDs). Defaults to false. */
    podMonitor?: boolean;
    /** The resource installing the PodMonitor CRD. */
    monitoringCrds?: k8s.helm.v3.Release;
}

/** Worker pods one RayService can have at most (replicas × nodes per replica). Pure. */
export function maxWorkerPods(model: Model, placement: Placement): number {
    return (model.autoscaling ? model.autoscaling.max : placement.replicas) * placement.nodesPerReplica;
}

/** The model cache PVC name (when `cacheSize` is set). */
export function rayCacheClaimName(modelName: string): string {
    return `${modelName}-model-cache`;
}

/** Validate; returns the problem or undefined. Pure. */
export function rayServeProblem(model: Model, pool: Pool, placement: Placement): string | undefined {
    if (placement.data > 1) return `parallelism.data ${placement.data}: Ray Serve scales by model replicas; set parallelism.data 1 and use replicas (or autoscaling)`;
    if (!model.image && pool.accelerator.vendor !== "nvidia") {
        return `the pinned Ray LLM image is CUDA-only; pool "${pool.name}" is ${pool.accelerator.vendor}: set models[].image to a Ray image with vLLM for that vendor`;
    }
    if (model.engine !== "vllm") return `engine "${model.engine}": Ray Serve LLM runs vLLM; use engine "vllm"`;
    return undefined;
}

/** The Serve config (serveConfigV2). JSON is YAML, and needs no YAML library at runtime. Pure. */
export function serveConfig(model: Model, placement: Placement): string {
    const a = model.autoscaling;
    const llmConfig = {
        model_loading_config: { model_id: model.model, model_source: model.model },
        engine_kwargs: {
            tensor_parallel_size: placement.tensor,
            pipeline_parallel_size: placement.pipeline,
            max_model_len: model.maxModelLen,
            gpu_memory_utilization: model.gpuMemoryUtilization,
            ...(model.kvCacheDtype !== "auto" ? { kv_cache_dtype: model.kvCacheDtype } : {}),
        },
        deployment_config: a
            ? { autoscaling_config: { min_replicas: a.min, max_replicas: a.max, target_ongoing_requests: a.target } }
            : { num_replicas: placement.replicas },
    };
    return JSON.stringify(
        { applications: [{ name: "llm", route_prefix: "/", import_path: "ray.serve.llm:build_openai_app", args: { llm_configs: [llmConfig] } }] },
        null,
        2,
    );
}

/** The RayService spec. Pure; validated against the upstream CRD in tests. */
export function rayServiceSpec(args: Omit<Resolved<RayServeLlmArgs>, "rayCrds" | "monitoringCrds">): Record<string, unknown> {
    const { model, pool, placement } = args;
    const image = model.image ?? images.rayLlm;
    const env = [...hfTokenEnv(args.hfTokenSecretName), ...extraEnv(model.env)];
    const cache = model.cacheSize !== undefined;
    const workerEnv = cache ? [...env, { name: "HF_HOME", value: `${RAY_CACHE_PATH}/huggingface` }] : env;
    const podLabels = rayPodLabels(model.name);
    const metricsPort = { containerPort: RAY_METRICS_PORT, name: "metrics" };
    const metricsParam = { "metrics-export-port": String(RAY_METRICS_PORT) };
    const gpus = placement.gpusPerPod;
    const host = hostResources(gpus);
    const workerLimits = {
        ...acceleratorResources(pool, gpus, { rdma: placement.nodesPerReplica > 1 }),
        cpu: host.cpu,
        memory: host.memory,
    };
    const head = { cpu: model.rayserve.headCpu, memory: model.rayserve.headMemory };
    const a = model.autoscaling;
    const perReplica = placement.nodesPerReplica;
    const { nodeSelector, tolerations } = poolPlacement(pool);
    return {
        serveConfigV2: serveConfig(model, placement),
        rayClusterConfig: {
            rayVersion: images.rayVersion,
            enableInTreeAutoscaling: a !== undefined,
            headGroupSpec: {
                // The head schedules but serves no model: no GPUs for Ray on it.
                rayStartParams: { "dashboard-host": "0.0.0.0", "num-gpus": "0", ...metricsParam },
                template: {
                    metadata: { labels: podLabels },
                    spec: {
                        containers: [
                            {
                                name: "ray-head",
                                image,
                                env,
                                ports: [
                                    { containerPort: 6379, name: "gcs-server" },
                                    { containerPort: 8265, name: "dashboard" },
                                    { containerPort: 10001, name: "client" },
                                    { containerPort: RAY_SERVE_PORT, name: "serve" },
                                    metricsPort,
                                ],
                                resources: { limits: head, requests: head },
                            },
                        ],
                    },
                },
            },
            workerGroupSpecs: [
                {
                    groupName: "gpu",
                    replicas: (a ? Math.max(a.min, 1) : placement.replicas) * perReplica,
                    minReplicas: (a ? a.min : placement.replicas) * perReplica,
                    maxReplicas: (a ? a.max : placement.replicas) * perReplica,
                    rayStartParams: { ...metricsParam },
                    template: {
                        metadata: { labels: podLabels },
                        spec: {
                            nodeSelector,
                            tolerations,
                            ...(cache ? { securityContext: { fsGroup: RAY_GID } } : {}),
                            containers: [
                                {
                                    name: "ray-worker",
                                    image,
                                    env: workerEnv,
                                    ports: [metricsPort],
                                    resources: { limits: workerLimits, requests: workerLimits },
                                    volumeMounts: [shmMount(), ...(cache ? [{ name: "model-cache", mountPath: RAY_CACHE_PATH }] : [])],
                                },
                            ],
                            volumes: [shmVolume(), ...(cache ? [{ name: "model-cache", persistentVolumeClaim: { claimName: rayCacheClaimName(model.name) } }] : [])],
                        },
                    },
                },
            ],
        },
    };
}

/** Labels of the RayService's head and worker pods (what the PodMonitor selects). */
export function rayPodLabels(modelName: string): Record<string, string> {
    return standardLabels("rayserve", modelName, { "inference-platform/model": modelName });
}

export class RayServeLlm extends pulumi.ComponentResource {
    /** In-cluster OpenAI base URL (the RayService's serve Service). */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: RayServeLlmArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("RayServeLlm"), name, args, componentOpts("serving", "RayServeLlm", opts));
        const resolved = resolveArgs(args);
        const problem = rayServeProblem(resolved.model, resolved.pool, resolved.placement);
        if (problem) throw new pulumi.ResourceError(`RayServeLlm ${name}: ${problem}`, this);
        const { model, placement } = resolved;
        const labels = rayPodLabels(model.name);
        const cacheDeps: pulumi.Resource[] = [];
        if (model.cacheSize !== undefined) {
            cacheDeps.push(
                new k8s.core.v1.PersistentVolumeClaim(
                    `${name}-model-cache`,
                    {
                        metadata: { name: rayCacheClaimName(model.name), namespace: resolved.namespace, labels },
                        spec: {
                            // Workers on several nodes mount it at once: that needs ReadWriteMany.
                            accessModes: [maxWorkerPods(model, placement) > 1 ? "ReadWriteMany" : "ReadWriteOnce"],
                            storageClassName: model.storageClass,
                            resources: { requests: { storage: model.cacheSize } },
                        },
                    },
                    // Weights are expensive to download again: keep the cache when the stack goes away.
                    { parent: this, retainOnDelete: true },
                ),
            );
        }
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "ray.io/v1",
                kind: "RayService",
                metadata: { name: model.name, namespace: resolved.namespace, labels },
                spec: rayServiceSpec(resolved),
            },
            // The RayService kind exists once the KubeRay operator installed its CRDs.
            { parent: this, dependsOn: dependsOnAll(resolved.rayCrds, cacheDeps) },
        );
        if (resolved.podMonitor) {
            new k8s.apiextensions.CustomResource(
                `${name}-metrics`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: `${model.name}-ray-metrics`, namespace: resolved.namespace, labels },
                    spec: {
                        // Head and workers: Serve's and the engine's metrics come from every node.
                        selector: { matchLabels: { "inference-platform/model": model.name, "app.kubernetes.io/name": "rayserve" } },
                        podMetricsEndpoints: [{ port: "metrics", path: "/metrics", interval: "15s" }],
                        podTargetLabels: ["inference-platform/model"],
                    },
                },
                // The PodMonitor kind exists once kube-prometheus-stack installed its CRDs.
                { parent: this, dependsOn: dependsOnAll(resolved.monitoringCrds) },
            );
        }
        this.url = pulumi.interpolate`http://${model.name}-serve-svc.${resolved.namespace}.svc.cluster.local:${RAY_SERVE_PORT}/v1`;
        this.registerOutputs({ url: this.url });
    }
}
