/**
 * VllmServer: one model on vLLM, single node (tensor parallel inside the node).
 * StatefulSet (default, as in the seed deck) or Deployment, a Service with the OpenAI API on 8000,
 * in-memory /dev/shm, accelerator limits for the pool's vendor, readiness on /health, a startup
 * probe long enough for model download + load, and a PodMonitor on /metrics.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { images } from "../versions";
import { awaitAnnotations, PACKAGE, standardLabels } from "../common/k8s";
import { EngineServerArgs } from "./types";
import { acceleratorResources, extraEnv, hfTokenEnv, poolPlacement, shmMount, shmVolume } from "./pod";

export const VLLM_PORT = 8000;

/** The vLLM image for the pool's vendor (ROCm build for AMD). Overridden by `model.image`. */
export function vllmImage(args: Pick<EngineServerArgs, "model" | "pool">): string {
    if (args.model.image) return args.model.image;
    switch (args.pool.accelerator.vendor) {
        case "amd":
            return images.vllmRocm;
        case "intel":
            return images.vllmGaudi;
        default:
            return images.vllm;
    }
}

/** `vllm serve` arguments for a placement. Pure; tests and the multi-node engines reuse it. */
export function vllmServeArgs(args: Pick<EngineServerArgs, "model" | "placement">): string[] {
    const { model, placement } = args;
    const a = [
        "serve",
        model.model,
        "--served-model-name",
        model.model,
        "--port",
        String(VLLM_PORT),
        "--tensor-parallel-size",
        String(placement.tensor),
    ];
    if (placement.pipeline > 1) a.push("--pipeline-parallel-size", String(placement.pipeline));
    if (placement.data > 1) a.push("--data-parallel-size", String(placement.data));
    a.push("--max-model-len", String(model.maxModelLen), "--gpu-memory-utilization", String(model.gpuMemoryUtilization));
    return [...a, ...model.extraArgs];
}

export class VllmServer extends pulumi.ComponentResource {
    /** In-cluster OpenAI-compatible base URL, e.g. http://qwen3.inference.svc.cluster.local:8000/v1. */
    public readonly url: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    /** The pod labels; monitors and routes select on these. */
    public readonly podLabels: Record<string, string>;

    constructor(name: string, args: EngineServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:engine:VllmServer`, name, {}, opts);
        validate(name, args, this);
        const { model, pool, placement } = args;
        const labels = standardLabels("vllm", model.name, { "inference-platform/model": model.name });
        this.podLabels = labels;
        const cacheMount = model.cacheSize ? [{ name: "model-cache", mountPath: "/root/.cache/huggingface" }] : [];
        const gpus = placement.gpusPerPod;
        const container: k8s.types.input.core.v1.Container = {
            name: "vllm",
            image: vllmImage(args),
            command: ["vllm"],
            args: vllmServeArgs(args),
            ports: [{ name: "http", containerPort: VLLM_PORT }],
            env: [...hfTokenEnv(args.hfTokenSecretName), ...extraEnv(model.env)],
            resources: { limits: acceleratorResources(pool, gpus), requests: acceleratorResources(pool, gpus) },
            volumeMounts: [shmMount(), ...cacheMount],
            readinessProbe: { httpGet: { path: "/health", port: VLLM_PORT }, periodSeconds: 10, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: "/health", port: VLLM_PORT }, periodSeconds: 30, failureThreshold: 5 },
            // Downloading and loading weights can take many minutes: allow up to 60 minutes.
            startupProbe: { httpGet: { path: "/health", port: VLLM_PORT }, periodSeconds: 10, failureThreshold: 360 },
        };
        const podSpec: k8s.types.input.core.v1.PodSpec = {
            ...poolPlacement(pool),
            containers: [container],
            volumes: [shmVolume()],
        };
        const metadata = { name: model.name, namespace: args.namespace, labels, annotations: awaitAnnotations(args.skipAwait ?? false) };
        const template = { metadata: { labels }, spec: podSpec };
        const selector = { matchLabels: { "app.kubernetes.io/instance": model.name, "inference-platform/model": model.name } };

        const service = new k8s.core.v1.Service(
            name,
            {
                metadata: { name: model.name, namespace: args.namespace, labels },
                spec: { selector: selector.matchLabels, ports: [{ name: "http", port: VLLM_PORT, targetPort: VLLM_PORT }] },
            },
            { parent: this },
        );

        if (model.workload === "Deployment") {
            if (model.cacheSize) {
                podSpec.volumes = [
                    shmVolume(),
                    { name: "model-cache", persistentVolumeClaim: { claimName: `${model.name}-model-cache` } },
                ];
                new k8s.core.v1.PersistentVolumeClaim(
                    `${name}-model-cache`,
                    {
                        metadata: { name: `${model.name}-model-cache`, namespace: args.namespace, labels },
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: model.storageClass,
                            resources: { requests: { storage: model.cacheSize } },
                        },
                    },
                    // Weights are expensive to download again: keep the cache when the stack goes away.
                    { parent: this, retainOnDelete: true },
                );
            }
            new k8s.apps.v1.Deployment(
                name,
                { metadata, spec: { replicas: placement.replicas, selector, template, strategy: { type: "Recreate" } } },
                { parent: this },
            );
        } else {
            new k8s.apps.v1.StatefulSet(
                name,
                {
                    metadata,
                    spec: {
                        replicas: placement.replicas,
                        serviceName: model.name,
                        selector,
                        template,
                        volumeClaimTemplates: model.cacheSize
                            ? [
                                  {
                                      metadata: { name: "model-cache", labels },
                                      spec: {
                                          accessModes: ["ReadWriteOnce"],
                                          storageClassName: model.storageClass,
                                          resources: { requests: { storage: model.cacheSize } },
                                      },
                                  },
                              ]
                            : undefined,
                        // Weights are expensive to download again: keep cache PVCs when the set is deleted.
                        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    },
                },
                { parent: this },
            );
        }

        if (args.podMonitor) {
            new k8s.apiextensions.CustomResource(
                `${name}-metrics`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: `${model.name}-metrics`, namespace: args.namespace, labels },
                    spec: {
                        selector,
                        podMetricsEndpoints: [{ port: "http", path: "/metrics", interval: "15s" }],
                    },
                },
                // The PodMonitor kind exists only once kube-prometheus-stack installed its CRDs.
                { parent: this, dependsOn: args.monitoringCrds ? [args.monitoringCrds] : [] },
            );
        }

        this.serviceName = service.metadata.name;
        this.url = pulumi.interpolate`http://${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${VLLM_PORT}/v1`;
        this.registerOutputs({ url: this.url, serviceName: this.serviceName });
    }
}

function validate(name: string, args: EngineServerArgs, parent: pulumi.Resource): void {
    const { placement, pool } = args;
    if (placement.nodesPerReplica !== 1) {
        throw new pulumi.ResourceError(
            `VllmServer ${name}: one replica spans ${placement.nodesPerReplica} nodes; VllmServer is single-node. Use the multi-node engine (models[].multiNode: lws | ray).`,
            parent,
        );
    }
    if (placement.gpusPerPod > pool.accelerator.perNode) {
        throw new pulumi.ResourceError(
            `VllmServer ${name}: ${placement.gpusPerPod} GPUs per pod exceed the ${pool.accelerator.perNode} GPUs per node of pool "${pool.name}".`,
            parent,
        );
    }
}
