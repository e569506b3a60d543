/**
 * What the single-node engine servers (vLLM, SGLang, Triton) share: validation of the placement,
 * the pod spec around the engine container (accelerators or DRA claim, /dev/shm, pool placement,
 * model cache), the StatefulSet/Deployment, the Service and the PodMonitor. Each server supplies
 * only its container (image, command, ports, probes) and its metrics endpoint.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awaitAnnotations, standardLabels } from "../common/k8s";
import { GpuClaim } from "../platform/gpu-claim";
import { draDeviceClass } from "../physical/fleet";
import { gpuResources, PodGpuClaim, poolPlacement, shmMount, shmVolume } from "./pod";
import type { ResolvedEngineArgs } from "./types";
import type { Pool } from "../types";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type ServicePort = k8s.types.input.core.v1.ServicePort;
type PodSpec = k8s.types.input.core.v1.PodSpec;

/** The engine-specific part of a single-node server. */
export interface EngineSpec {
    /** `app.kubernetes.io/name` of the objects, e.g. "vllm". */
    component: string;
    /** The engine container without resources and the shared volume mounts (added here). */
    container: Container;
    servicePorts: ServicePort[];
    /** Container port name and path Prometheus scrapes. */
    metrics: { port: string; path: string };
    /** Where the model cache (`model.cacheSize`) mounts, e.g. the Hugging Face cache. Omit when the engine handles its own storage. */
    cacheMountPath?: string;
    /** Extra pod volumes and container mounts (e.g. a model repository PVC). */
    volumes?: Volume[];
    volumeMounts?: VolumeMount[];
}

/**
 * The DRA DeviceClass for a pool when none is given: the vendor's (NVIDIA DRA driver
 * `gpu.nvidia.com`, AMD's `gpu.amd.com`); undefined for Intel Gaudi, which has no DRA driver here.
 */
export function defaultDeviceClass(pool: Pool): string | undefined {
    return pool.accelerator.vendor === "intel" ? undefined : draDeviceClass(pool.accelerator.vendor);
}

/** Labels on every object of a model's engine; `inference-platform/model` is what Services and monitors select. */
export function engineLabels(component: string, modelName: string, extra: Record<string, string> = {}): Record<string, string> {
    return standardLabels(component, modelName, { "inference-platform/model": modelName, ...extra });
}

/** The selector for a model's pods (stable across engine changes: only instance + model). */
export function modelSelector(modelName: string): Record<string, string> {
    return { "app.kubernetes.io/instance": modelName, "inference-platform/model": modelName };
}

/** Validate what every engine server needs, before any child is registered. */
export function validateCommon(type: string, name: string, args: ResolvedEngineArgs, parent: pulumi.Resource): void {
    const { placement, pool, model } = args;
    if (placement.gpusPerPod > pool.accelerator.perNode) {
        throw new pulumi.ResourceError(
            `${type} ${name}: ${placement.gpusPerPod} GPUs per pod exceed the ${pool.accelerator.perNode} GPUs per node of pool "${pool.name}".`,
            parent,
        );
    }
    const gpusPerReplica = placement.tensor * placement.pipeline * placement.data;
    if (gpusPerReplica !== placement.gpusPerPod * placement.nodesPerReplica) {
        throw new pulumi.ResourceError(
            `${type} ${name}: tensor ${placement.tensor} × pipeline ${placement.pipeline} × data ${placement.data} = ${gpusPerReplica} GPUs, ` +
                `but the placement requests ${placement.nodesPerReplica} pod(s) × ${placement.gpusPerPod} GPUs = ${placement.gpusPerPod * placement.nodesPerReplica}.`,
            parent,
        );
    }
    if (args.podMonitor && !args.monitoringCrds) {
        throw new pulumi.ResourceError(
            `${type} ${name}: podMonitor needs monitoringCrds (the resource that installs monitoring.coreos.com); the PodMonitor must depend on it.`,
            parent,
        );
    }
    if (model.dra && !(args.draDeviceClass ?? defaultDeviceClass(pool))) {
        throw new pulumi.ResourceError(
            `${type} ${name}: models[].dra is set but pool "${pool.name}" (vendor ${pool.accelerator.vendor}) has no DRA driver here; DRA is supported for nvidia and amd pools, or pass draDeviceClass.`,
            parent,
        );
    }
}

/**
 * The DRA claim for a model's pods when `model.dra` is set (a per-pod ResourceClaimTemplate from
 * the platform's GpuClaim, asking for exactly the pod's GPUs), or undefined.
 */
export function draClaim(parent: pulumi.Resource, name: string, args: ResolvedEngineArgs, gpus: number): PodGpuClaim | undefined {
    if (!args.model.dra) return undefined;
    const claim = new GpuClaim(
        `${name}-gpus`,
        {
            namespace: args.namespace,
            claimName: `${args.model.name}-gpus`,
            vendor: args.pool.accelerator.vendor,
            deviceClassName: args.draDeviceClass ?? defaultDeviceClass(args.pool),
            count: gpus,
            // The DeviceClass comes from the DRA driver release.
            driver: args.draDriver,
        },
        { parent },
    );
    return { podClaim: claim.podResourceClaim, containerClaimName: claim.containerClaim.name };
}

/** A PodMonitor scraping `metrics` on the pods `selector` matches; depends on the CRD installer. */
export function podMonitor(
    parent: pulumi.Resource,
    name: string,
    args: ResolvedEngineArgs,
    labels: Record<string, string>,
    selector: Record<string, string>,
    metrics: { port: string; path: string },
): k8s.apiextensions.CustomResource | undefined {
    if (!args.podMonitor || !args.monitoringCrds) return undefined;
    return new k8s.apiextensions.CustomResource(
        `${name}-metrics`,
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: { name: `${args.model.name}-metrics`, namespace: args.namespace, labels },
            spec: {
                selector: { matchLabels: selector },
                podMetricsEndpoints: [{ port: metrics.port, path: metrics.path, interval: "15s" }],
                // Series carry `inference_platform_model`: queries can select one model's pods.
                podTargetLabels: ["inference-platform/model"],
            },
        },
        // The PodMonitor kind exists only once kube-prometheus-stack installed its CRDs.
        { parent, dependsOn: [args.monitoringCrds] },
    );
}

export interface SingleNodeResult {
    service: k8s.core.v1.Service;
    workload: k8s.apps.v1.StatefulSet | k8s.apps.v1.Deployment;
    podLabels: Record<string, string>;
}

/**
 * The StatefulSet (default) or Deployment, its Service and PodMonitor, the DRA claim template and
 * the model cache for one single-node engine. Caches are kept when the stack goes away: StatefulSet
 * PVCs through `persistentVolumeClaimRetentionPolicy: Retain`, a Deployment's PVC through
 * `retainOnDelete`.
 */
export function singleNodeServer(parent: pulumi.Resource, name: string, args: ResolvedEngineArgs, spec: EngineSpec): SingleNodeResult {
    const { model, pool, placement } = args;
    const labels = engineLabels(spec.component, model.name);
    const selector = modelSelector(model.name);
    const claim = draClaim(parent, name, args, placement.gpusPerPod);
    const gpu = gpuResources(pool, { gpus: placement.gpusPerPod, claim });
    const cache = model.cacheSize !== undefined && spec.cacheMountPath !== undefined;
    const cacheMounts: VolumeMount[] = cache ? [{ name: "model-cache", mountPath: spec.cacheMountPath as string }] : [];
    const container: Container = {
        ...spec.container,
        resources: gpu.resources,
        ...(gpu.securityContext ? { securityContext: gpu.securityContext } : {}),
        volumeMounts: [shmMount(), ...cacheMounts, ...(spec.volumeMounts ?? [])],
    };
    const volumes: Volume[] = [shmVolume(), ...(spec.volumes ?? [])];
    const podSpec: PodSpec = {
        ...poolPlacement(pool),
        containers: [container],
        volumes,
        ...(gpu.podClaims ? { resourceClaims: gpu.podClaims } : {}),
    };
    const metadata = { name: model.name, namespace: args.namespace, labels, annotations: awaitAnnotations(args.skipAwait ?? false) };
    const template = { metadata: { labels }, spec: podSpec };
    const cacheSpec = {
        // Several Deployment replicas share one claim: that needs a ReadWriteMany storage class.
        accessModes: [model.workload === "Deployment" && placement.replicas > 1 ? "ReadWriteMany" : "ReadWriteOnce"],
        storageClassName: model.storageClass,
        resources: { requests: { storage: model.cacheSize as string } },
    };

    const service = new k8s.core.v1.Service(
        name,
        { metadata: { name: model.name, namespace: args.namespace, labels, annotations: metadata.annotations }, spec: { selector, ports: spec.servicePorts } },
        { parent },
    );

    // With autoscaling, KEDA's HPA owns spec.replicas after creation: do not fight it on every update.
    const workloadOpts: pulumi.CustomResourceOptions = { parent, ...(model.autoscaling ? { ignoreChanges: ["spec.replicas"] } : {}) };
    let workload: k8s.apps.v1.StatefulSet | k8s.apps.v1.Deployment;
    if (model.workload === "Deployment") {
        if (cache) {
            volumes.push({ name: "model-cache", persistentVolumeClaim: { claimName: `${model.name}-model-cache` } });
            new k8s.core.v1.PersistentVolumeClaim(
                `${name}-model-cache`,
                { metadata: { name: `${model.name}-model-cache`, namespace: args.namespace, labels, annotations: metadata.annotations }, spec: cacheSpec },
                // Weights are expensive to download again: keep the cache when the stack goes away.
                { parent, retainOnDelete: true },
            );
        }
        workload = new k8s.apps.v1.Deployment(
            name,
            // Recreate: a rolling update would need a second set of GPUs while the old pods still hold theirs.
            { metadata, spec: { replicas: placement.replicas, selector: { matchLabels: selector }, template, strategy: { type: "Recreate" } } },
            workloadOpts,
        );
    } else {
        workload = new k8s.apps.v1.StatefulSet(
            name,
            {
                metadata,
                spec: {
                    replicas: placement.replicas,
                    serviceName: model.name,
                    selector: { matchLabels: selector },
                    template,
                    volumeClaimTemplates: cache ? [{ metadata: { name: "model-cache", labels }, spec: cacheSpec }] : undefined,
                    // Weights are expensive to download again: keep cache PVCs when the set is deleted or scaled in.
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                },
            },
            workloadOpts,
        );
    }
    podMonitor(parent, name, args, labels, selector, spec.metrics);
    return { service, workload, podLabels: labels };
}

/** `http://<service>.<namespace>.svc.cluster.local:<port><suffix>`. */
export function serviceUrl(service: k8s.core.v1.Service, port: number, suffix = ""): pulumi.Output<string> {
    return pulumi.interpolate`http://${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${port}${suffix}`;
}
