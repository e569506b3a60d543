/**
 * DynamoDeployment: one model as an NVIDIA Dynamo DynamoGraphDeployment (`nvidia.com/v1alpha1`):
 * the Dynamo frontend (OpenAI API, router) plus vLLM workers — aggregated, or disaggregated into
 * decode and prefill workers (`dynamo.disaggregated`, NIXL KV transfer).
 *
 * No upstream schema for DynamoGraphDeployment is in ../shared: the shape follows the Dynamo vLLM
 * deploy examples (`spec.services.<Name>.{componentType, replicas, envFromSecret, resources.limits.gpu,
 * extraPodSpec.mainContainer}`) and is pinned in test/serving/dynamo.test.ts.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { extraEnv, poolPlacement } from "../engine/pod";
import type { Placement } from "../engine/types";
import { images } from "../versions";
import type { Model, Pool, ModelSpec, NodePool } from "../types";
import { resolveArgs, type Resolved } from "../resolve";
import { kvCacheDtypeArgs } from "../physical/quant";
import { dependsOnAll } from "../common/dependencies";

/** The Dynamo frontend's HTTP port (Service `<name>-frontend`). */
export const DYNAMO_FRONTEND_PORT = 8000;

export interface DynamoDeploymentArgs {
    namespace: pulumi.Input<string>;
    model: ModelSpec;
    pool: NodePool;
    placement?: Placement;
    /** Secret with `HF_TOKEN`, passed to the workers as `envFromSecret`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** The Dynamo platform release (`DynamoPlatform.release`, installed after its CRDs): the graph deployment waits for it. Defaults to none (Dynamo already installed). */
    platform?: k8s.helm.v3.Release;
}

/** Validate; returns the problem or undefined. Pure. */
export function dynamoProblem(model: Model, pool: Pool, placement: Placement): string | undefined {
    if (placement.nodesPerReplica > 1) return `one replica spans ${placement.nodesPerReplica} nodes; multi-node Dynamo workers are not supported here (use serving "llmd", "llmisvc" or "nim")`;
    if (pool.accelerator.vendor !== "nvidia") return `the pinned Dynamo vLLM runtime is CUDA-only; pool "${pool.name}" is ${pool.accelerator.vendor}`;
    if (model.engine !== "vllm") return `engine "${model.engine}": this Dynamo graph runs the vLLM backend; use engine "vllm"`;
    return undefined;
}

/** The DynamoGraphDeployment spec. Pure; its shape is pinned in tests. */
export function dynamoGraphSpec(args: Omit<Resolved<DynamoDeploymentArgs>, "platform">): Record<string, unknown> {
    const { model, pool, placement } = args;
    const image = model.image ?? images.dynamoVllmRuntime;
    const { nodeSelector, tolerations } = poolPlacement(pool);
    const workerArgs = [
        "--model",
        model.model,
        "--tensor-parallel-size",
        String(placement.tensor),
        "--max-model-len",
        String(model.maxModelLen),
        "--gpu-memory-utilization",
        String(model.gpuMemoryUtilization),
        ...kvCacheDtypeArgs("vllm", model.kvCacheDtype),
        ...model.extraArgs,
    ];
    const worker = (replicas: number, extra: string[]) => ({
        componentType: "worker",
        replicas,
        ...(args.hfTokenSecretName !== undefined ? { envFromSecret: args.hfTokenSecretName } : {}),
        resources: { limits: { gpu: String(placement.gpusPerPod) } },
        extraPodSpec: {
            nodeSelector,
            tolerations,
            mainContainer: {
                image,
                command: ["python3", "-m", "dynamo.vllm"],
                args: [...workerArgs, ...extra],
                env: extraEnv(model.env),
            },
        },
    });
    const services: Record<string, unknown> = {
        Frontend: { componentType: "frontend", replicas: 1, extraPodSpec: { mainContainer: { image } } },
    };
    if (model.dynamo.disaggregated) {
        services["VllmDecodeWorker"] = worker(placement.replicas, []);
        services["VllmPrefillWorker"] = worker(model.dynamo.prefillReplicas, ["--is-prefill-worker"]);
    } else {
        services["VllmDecodeWorker"] = worker(placement.replicas, []);
    }
    return { services };
}

export class DynamoDeployment extends pulumi.ComponentResource {
    /** In-cluster OpenAI base URL of the Dynamo frontend. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: DynamoDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("DynamoDeployment"), name, args, componentOpts("serving", "DynamoDeployment", opts));
        const resolved = resolveArgs(args);
        const problem = dynamoProblem(resolved.model, resolved.pool, resolved.placement);
        if (problem) throw new pulumi.ResourceError(`DynamoDeployment ${name}: ${problem}`, this);
        const { model } = resolved;
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "nvidia.com/v1alpha1",
                kind: "DynamoGraphDeployment",
                metadata: { name: model.name, namespace: resolved.namespace, labels: standardLabels("dynamo", model.name, { "inference-platform/model": model.name }) },
                spec: dynamoGraphSpec(resolved),
            },
            // The kind comes from dynamo-crds; the operator's admission webhook validates it.
            { parent: this, dependsOn: dependsOnAll(resolved.platform) },
        );
        this.url = pulumi.interpolate`http://${model.name}-frontend.${resolved.namespace}.svc.cluster.local:${DYNAMO_FRONTEND_PORT}/v1`;
        this.registerOutputs({ url: this.url });
    }
}
