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
    /** Create a PodMonitor for `/metrics` (needs the prometheus-operator CRDs). Defaults to false. */
    podMonitor?: boolean;
    /** The resource that installs the PodMonitor CRD; the monitor depends on it. */
    monitoringCrds?: pulumi.Resource;
    /** Skip provider readiness waits (no kubelets, e2e). Defaults to false. */
    skipAwait?: boolean;
}
