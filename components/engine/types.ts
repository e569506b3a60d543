/** Shared shapes for the engine layer: what every engine server takes. */
import * as pulumi from "@pulumi/pulumi";
import type { ModelConfig, PoolConfig } from "../../stacks/schema";

/** Where and how big one model replica is, as decided by the planner (or given explicitly). */
export interface Placement {
    /** Tensor-parallel degree (GPUs per pipeline stage). */
    tensor: number;
    /** Pipeline-parallel degree (stages; one per node when multi-node). */
    pipeline: number;
    /** Data-parallel degree inside one replica (engine-level DP). Defaults to 1. */
    data: number;
    /** GPUs each pod requests. */
    gpusPerPod: number;
    /** Pods (nodes) per replica: 1 for single-node. */
    nodesPerReplica: number;
    /** Replicas (model copies). */
    replicas: number;
}

/** Arguments every engine server component takes. */
export interface EngineServerArgs {
    /** Namespace for the workload, its Service and monitors. */
    namespace: pulumi.Input<string>;
    /** The model entry from stack config (parsed, with defaults). */
    model: ModelConfig;
    /** The node pool the model is placed on. */
    pool: PoolConfig;
    /** Parallelism and sizes from the planner. */
    placement: Placement;
    /** Name of a Secret holding `HF_TOKEN`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** Create a PodMonitor for the engine's metrics (needs the prometheus-operator CRDs). Defaults to false. */
    podMonitor?: boolean;
    /** The resource that installs the PodMonitor CRD; the monitor depends on it. Required when `podMonitor` is true. */
    monitoringCrds?: pulumi.Resource;
    /**
     * DRA device class for `model.dra` (the accelerators come from a ResourceClaimTemplate instead
     * of the device plugin). Defaults to the vendor's class: `gpu.nvidia.com` for NVIDIA.
     */
    draDeviceClass?: string;
    /** The resource that installs the DRA driver (publishes the DeviceClass); DRA claims depend on it. Defaults to none. */
    draDriver?: pulumi.Resource;
    /** Skip provider readiness waits (no kubelets, e2e). Defaults to false. */
    skipAwait?: boolean;
}

/** Arguments of the multi-node engines (LeaderWorkerSet, Ray StatefulSets). */
export interface MultiNodeServerArgs extends EngineServerArgs {
    /**
     * The resource that installs the LeaderWorkerSet CRD (`leaderworkerset.x-k8s.io`); the
     * LeaderWorkerSet depends on it. Required by `LwsServer`, ignored by `RayVllmServer`.
     */
    lwsCrds?: pulumi.Resource;
    /**
     * The pool's ComputeDomain (rack-scale NVLink, e.g. GB200 NVL72): every pod of the group claims
     * its channel so IMEX connects the GPUs across nodes. Omit on pools whose NVLink domain is one node.
     */
    computeDomain?: { channelTemplate: string; resource?: pulumi.Resource };
}
