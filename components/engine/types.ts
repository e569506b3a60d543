/** Shared shapes for the engine layer: what every engine server takes. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ModelSpec, NodePool, Placement } from "../types";
import type { Resolved } from "../resolve";

export { resolveArgs, type Resolved } from "../resolve";

export type { Placement } from "../types";

/** Arguments every engine server component takes. */
export interface EngineServerArgs {
    /** Namespace for the workload, its Service and monitors. */
    namespace: pulumi.Input<string>;
    /** The model: only `model` (the Hugging Face id) is required; every other field documents its default. */
    model: ModelSpec;
    /** The node pool the model is placed on. */
    pool: NodePool;
    /** Parallelism and sizes. Defaults to the planner's answer for `model` on `pool` (components/physical/planner.ts). */
    placement?: Placement;
    /** Name of a Secret holding `HF_TOKEN`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** Create a PodMonitor for the engine's metrics (needs the prometheus-operator CRDs). Defaults to false. */
    podMonitor?: boolean;
    /** The resource that installs the PodMonitor CRD; the monitor depends on it. Required when `podMonitor` is true. */
    monitoringCrds?: k8s.helm.v3.Release;
    /**
     * DRA device class for `model.dra` (the accelerators come from a ResourceClaimTemplate instead
     * of the device plugin). Defaults to the vendor's class: `gpu.nvidia.com` for NVIDIA.
     */
    draDeviceClass?: string;
    /** The resource that installs the DRA driver (publishes the DeviceClass); DRA claims depend on it. Defaults to none. */
    draDriver?: k8s.helm.v3.Release;
    /** Skip provider readiness waits (no kubelets, e2e). Defaults to false. */
    skipAwait?: boolean;
}

/** Arguments of the multi-node engines (`RayVllmServer`; `LwsServer` adds {@link LwsServerArgs.lwsCrds}). */
export interface MultiNodeServerArgs extends EngineServerArgs {
    /**
     * The pool's ComputeDomain (rack-scale NVLink, e.g. GB200 NVL72): every pod of the group claims
     * its channel so IMEX connects the GPUs across nodes. Omit on pools whose NVLink domain is one node.
     */
    computeDomain?: ComputeDomainRef;
}

/** Arguments of `LwsServer`: a multi-node engine as one LeaderWorkerSet. */
export interface LwsServerArgs extends MultiNodeServerArgs {
    /** The release that installs the LeaderWorkerSet CRD (`leaderworkerset.x-k8s.io`); the LeaderWorkerSet depends on it. Required. */
    lwsCrds?: k8s.helm.v3.Release;
}

/** A ComputeDomain's channel, as the multi-node engines claim it. */
export interface ComputeDomainRef {
    /**
     * Name of the ResourceClaimTemplate for the domain's IMEX channel (`<domain>-channel`, NvidiaDraDriver
     * `computeDomainChannels`). Pass an Output that resolves once the ComputeDomain exists (e.g. derived from
     * the NvidiaDraDriver component) and the group waits for it; a plain string adds no ordering.
     */
    channelTemplate: pulumi.Input<string>;
}

/** An engine server's args with model, pool and placement resolved. */
export type ResolvedEngineArgs = Resolved<EngineServerArgs>;
/** A multi-node engine's args with model, pool and placement resolved. */
export type ResolvedMultiNodeArgs = Resolved<MultiNodeServerArgs>;
