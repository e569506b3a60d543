/**
 * RayServeLlm: one model on Ray Serve LLM through a KubeRay RayService (`ray.io/v1`). The Serve
 * application is `ray.serve.llm:build_openai_app` with one LLM config (vLLM engine kwargs from the
 * placement); the Ray cluster has a CPU-only head and a GPU worker group sized from the placement
 * (one Ray worker pod per node of every replica). With `autoscaling`, Serve scales the model
 * replicas on ongoing requests and the KubeRay autoscaler adds worker pods.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE, standardLabels } from "../common/k8s";
import { acceleratorResources, extraEnv, hfTokenEnv, poolPlacement, shmMount, shmVolume } from "../engine/pod";
import type { Placement } from "../engine/types";
import { images } from "../versions";
import type { ModelConfig, PoolConfig } from "../../stacks/schema";
import { hostResources } from "./common";

/** Ray Serve's HTTP port (the RayService `<name>-serve-svc` Service). */
export const RAY_SERVE_PORT = 8000;

export interface RayServeLlmArgs {
    namespace: pulumi.Input<string>;
    model: ModelConfig;
    pool: PoolConfig;
    placement: Placement;
    /** Name of the Secret with `HF_TOKEN`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** The resource installing the KubeRay CRDs (`ray.io`). */
    rayCrds?: pulumi.Resource;
}

/** Validate; returns the problem or undefined. Pure. */
export function rayServeProblem(model: ModelConfig, pool: PoolConfig, placement: Placement): string | undefined {
    if (placement.data > 1) return `parallelism.data ${placement.data}: Ray Serve scales by model replicas; set parallelism.data 1 and use replicas (or autoscaling)`;
    if (!model.image && pool.accelerator.vendor !== "nvidia") {
        return `the pinned Ray LLM image is CUDA-only; pool "${pool.name}" is ${pool.accelerator.vendor}: set models[].image to a Ray image with vLLM for that vendor`;
    }
    if (model.engine !== "vllm") return `engine "${model.engine}": Ray Serve LLM runs vLLM; use engine "vllm"`;
    return undefined;
}

/** The Serve config (serveConfigV2). JSON is YAML, and needs no YAML library at runtime. Pure. */
export function serveConfig(model: ModelConfig, placement: Placement): string {
    const a = model.autoscaling;
    const llmConfig = {
        model_loading_config: { model_id: model.model, model_source: model.model },
        engine_kwargs: {
            tensor_parallel_size: placement.tensor,
            pipeline_parallel_size: placement.pipeline,
            max_model_len: model.maxModelLen,
            gpu_memory_utilization: model.gpuMemoryUtilization,
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
export function rayServiceSpec(args: Omit<RayServeLlmArgs, "rayCrds">): Record<string, unknown> {
    const { model, pool, placement } = args;
    const image = model.image ?? images.rayLlm;
    const env = [...hfTokenEnv(args.hfTokenSecretName), ...extraEnv(model.env)];
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
                rayStartParams: { "dashboard-host": "0.0.0.0", "num-gpus": "0" },
                template: {
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
                    rayStartParams: {},
                    template: {
                        spec: {
                            nodeSelector,
                            tolerations,
                            containers: [
                                {
                                    name: "ray-worker",
                                    image,
                                    env,
                                    resources: { limits: workerLimits, requests: workerLimits },
                                    volumeMounts: [shmMount()],
                                },
                            ],
                            volumes: [shmVolume()],
                        },
                    },
                },
            ],
        },
    };
}

export class RayServeLlm extends pulumi.ComponentResource {
    /** In-cluster OpenAI base URL (the RayService's serve Service). */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: RayServeLlmArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:serving:RayServeLlm`, name, {}, opts);
        const problem = rayServeProblem(args.model, args.pool, args.placement);
        if (problem) throw new pulumi.ResourceError(`RayServeLlm ${name}: ${problem}`, this);
        const { model } = args;
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "ray.io/v1",
                kind: "RayService",
                metadata: { name: model.name, namespace: args.namespace, labels: standardLabels("rayserve", model.name, { "inference-platform/model": model.name }) },
                spec: rayServiceSpec(args),
            },
            // The RayService kind exists once the KubeRay operator installed its CRDs.
            { parent: this, dependsOn: args.rayCrds ? [args.rayCrds] : [] },
        );
        this.url = pulumi.interpolate`http://${model.name}-serve-svc.${args.namespace}.svc.cluster.local:${RAY_SERVE_PORT}/v1`;
        this.registerOutputs({ url: this.url });
    }
}
