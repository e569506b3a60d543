/**
 * NimService: one model as an NVIDIA NIM — a NIMCache (the model profile pulled into a PVC by the
 * operator's caching job) and a NIMService (`apps.nvidia.com/v1alpha1`) serving from that cache.
 * NGC credentials come from the workload namespace's Secrets (`ngc-api` with NGC_API_KEY for the
 * model pull, `ngc-secret` for nvcr.io image pulls), created from the `ngcApiKey` Pulumi secret.
 * A replica spanning nodes uses the NIMService's LeaderWorkerSet multi-node mode.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";
import { acceleratorResources, extraEnv, poolPlacement } from "../engine/pod";
import type { Placement } from "../engine/types";
import type { Model, Pool, ModelSpec, NodePool } from "../types";
import { resolveArgs, type Resolved } from "../resolve";

/** The NIM OpenAI API port. */
export const NIM_PORT = 8000;
/** NIMCache PVC size when neither `nim.cacheSize` nor `cacheSize` is set. */
export const NIM_DEFAULT_CACHE = "100Gi";

export interface NimServiceArgs {
    namespace: pulumi.Input<string>;
    model: ModelSpec;
    pool: NodePool;
    placement?: Placement;
    /** Secret holding NGC_API_KEY (NIMCache authSecret, NIMService authSecret). */
    ngcApiSecretName: pulumi.Input<string>;
    /** dockerconfigjson Secret for nvcr.io (model puller and NIM image pulls). */
    ngcPullSecretName: pulumi.Input<string>;
    /** The NIM operator release (installs the apps.nvidia.com CRDs); omit when the operator is managed outside this stack. */
    operator?: k8s.helm.v3.Release;
    /** The resource installing the LeaderWorkerSet CRD (multi-node NIMs). */
    lwsCrds?: k8s.helm.v3.Release;
    /** NIMService metrics + ServiceMonitor (needs the prometheus-operator CRDs). Defaults to false. */
    serviceMonitor?: boolean;
    /** The resource installing the monitoring CRDs. */
    monitoringCrds?: k8s.helm.v3.Release;
}

/** Validate; returns the problems (config paths relative to the model). Pure. */
export function nimProblems(model: Model, pool: Pool): string[] {
    const p: string[] = [];
    if (!model.nim.image) p.push(`nim.image: required for serving "nim" (e.g. "nvcr.io/nim/meta/llama-3.1-8b-instruct")`);
    if (!model.nim.tag) p.push(`nim.tag: required for serving "nim" (a pinned NIM release, e.g. "1.13.1")`);
    if (model.nim.tag === "latest") p.push(`nim.tag: got "latest"; pin a NIM release`);
    if (pool.accelerator.vendor !== "nvidia") p.push(`pool: NIM needs NVIDIA GPUs; pool "${pool.name}" is ${pool.accelerator.vendor}`);
    return p;
}

export function nimCacheSpec(args: Pick<Resolved<NimServiceArgs>, "model" | "placement" | "ngcApiSecretName" | "ngcPullSecretName">): Record<string, unknown> {
    const { model, placement } = args;
    return {
        source: {
            ngc: {
                modelPuller: `${model.nim.image}:${model.nim.tag}`,
                pullSecret: args.ngcPullSecretName,
                authSecret: args.ngcApiSecretName,
                // Cache only the profiles matching the planned tensor parallelism.
                model: { tensorParallelism: String(placement.tensor) },
            },
        },
        storage: {
            pvc: {
                create: true,
                size: model.nim.cacheSize ?? model.cacheSize ?? NIM_DEFAULT_CACHE,
                volumeAccessMode: "ReadWriteOnce",
                ...(model.storageClass ? { storageClass: model.storageClass } : {}),
            },
        },
    };
}

export function nimServiceSpec(args: Omit<Resolved<NimServiceArgs>, "operator" | "lwsCrds" | "monitoringCrds">, cacheName: string): Record<string, unknown> {
    const { model, pool, placement } = args;
    const gpus = acceleratorResources(pool, placement.gpusPerPod, { rdma: placement.nodesPerReplica > 1 });
    const { nodeSelector, tolerations } = poolPlacement(pool);
    return {
        image: { repository: model.nim.image, tag: model.nim.tag, pullPolicy: "IfNotPresent", pullSecrets: [args.ngcPullSecretName] },
        authSecret: args.ngcApiSecretName,
        storage: { nimCache: { name: cacheName } },
        replicas: placement.replicas,
        resources: { limits: gpus, requests: gpus },
        env: extraEnv(model.env),
        nodeSelector,
        tolerations,
        expose: { service: { type: "ClusterIP", port: NIM_PORT } },
        ...(args.serviceMonitor ? { metrics: { enabled: true, serviceMonitor: { interval: "30s" } } } : {}),
        ...(placement.nodesPerReplica > 1
            ? { multiNode: { backendType: "lws", parallelism: { tensor: placement.tensor, pipeline: placement.pipeline } } }
            : {}),
    };
}

export class NimService extends pulumi.ComponentResource {
    /** In-cluster OpenAI base URL of the NIM. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: NimServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("NimService"), name, args, componentOpts("serving", "NimService", opts));
        const resolved = resolveArgs(args);
        const problems = nimProblems(resolved.model, resolved.pool);
        if (problems.length) throw new pulumi.ResourceError(`NimService ${name}: ${problems.join("; ")}`, this);
        const multiNode = resolved.placement.nodesPerReplica > 1;
        if (multiNode && !resolved.lwsCrds) {
            throw new pulumi.ResourceError(`NimService ${name}: a multi-node replica needs LeaderWorkerSet; enable platform.lws`, this);
        }
        const { model } = resolved;
        const labels = standardLabels("nim", model.name, { "inference-platform/model": model.name });
        const cacheName = `${model.name}-cache`;
        const cache = new k8s.apiextensions.CustomResource(
            `${name}-cache`,
            {
                apiVersion: "apps.nvidia.com/v1alpha1",
                kind: "NIMCache",
                metadata: { name: cacheName, namespace: resolved.namespace, labels },
                spec: nimCacheSpec(resolved),
            },
            // NIMCache is an operator kind; the cached weights are expensive to pull again.
            { parent: this, dependsOn: dependsOnAll(resolved.operator), retainOnDelete: true },
        );
        const monitoring = (resolved.serviceMonitor ?? false) && resolved.monitoringCrds !== undefined;
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "apps.nvidia.com/v1alpha1",
                kind: "NIMService",
                metadata: { name: model.name, namespace: resolved.namespace, labels },
                spec: nimServiceSpec({ ...resolved, serviceMonitor: monitoring }, cacheName),
            },
            // Serves from the NIMCache; the operator creates a ServiceMonitor and, multi-node, a LeaderWorkerSet.
            {
                parent: this,
                dependsOn: dependsOnAll(resolved.operator, cache, monitoring ? resolved.monitoringCrds : undefined, multiNode ? resolved.lwsCrds : undefined),
            },
        );
        this.url = pulumi.interpolate`http://${model.name}.${resolved.namespace}.svc.cluster.local:${NIM_PORT}/v1`;
        this.registerOutputs({ url: this.url });
    }
}
