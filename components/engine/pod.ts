/**
 * Pod-level building blocks every engine uses: accelerators (device-plugin limits or a DRA claim),
 * RDMA for multi-node pods, in-memory /dev/shm, node placement for the pool, the HF token from a
 * Secret, NCCL/Gloo settings for multi-node groups.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Pool, Vendor } from "../types";
import { DEVICE_PLUGIN_RESOURCE } from "../physical/fleet";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type ResourceRequirements = k8s.types.input.core.v1.ResourceRequirements;
type PodResourceClaim = k8s.types.input.core.v1.PodResourceClaim;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;

/** Device-plugin resource name per accelerator vendor (the physical layer's table). */
export const GPU_RESOURCE: Readonly<Record<Vendor, string>> = DEVICE_PLUGIN_RESOURCE;

/** Limits (and equal requests) for `gpus` accelerators of the pool's vendor, plus RDMA when asked and the pool has it. */
export function acceleratorResources(pool: Pool, gpus: number, opts: { rdma?: boolean } = {}): Record<string, string> {
    const r: Record<string, string> = { [GPU_RESOURCE[pool.accelerator.vendor]]: String(gpus) };
    if (opts.rdma && pool.rdma) r[pool.rdma.resourceName] = "1";
    return r;
}

/** A DRA claim as pods use it (from the platform's `GpuClaim`). */
export interface PodGpuClaim {
    /** Entry for the pod's `spec.resourceClaims`. */
    podClaim: pulumi.Input<PodResourceClaim>;
    /** The pod-level claim name containers reference in `resources.claims`. */
    containerClaimName: string;
}

/** How a pod gets its accelerators. */
export interface GpuRequest {
    /** Accelerators per pod. */
    gpus: number;
    /** The accelerators come from this DRA claim instead of the device plugin. */
    claim?: PodGpuClaim;
    /** Also request the pool's RDMA resource (multi-node pods). Defaults to false. */
    rdma?: boolean;
}

/**
 * Container resources and pod resourceClaims for a GPU request. With DRA the accelerators come
 * only from the claim (never also from the device plugin: the two would double-allocate); RDMA
 * stays an extended resource of the Network Operator's device plugin either way.
 */
export function gpuResources(
    pool: Pool,
    req: GpuRequest,
): { resources: ResourceRequirements; podClaims?: pulumi.Input<PodResourceClaim>[]; securityContext?: SecurityContext } {
    const rdma = req.rdma === true && pool.rdma !== undefined;
    // RDMA verbs pin (lock) memory for the NIC: the container needs IPC_LOCK (Network Operator docs).
    const securityContext: SecurityContext | undefined = rdma ? { capabilities: { add: ["IPC_LOCK"] } } : undefined;
    if (req.claim === undefined) {
        const r = acceleratorResources(pool, req.gpus, { rdma });
        return { resources: { limits: r, requests: r }, ...(securityContext ? { securityContext } : {}) };
    }
    const extended: Record<string, string> = rdma && pool.rdma ? { [pool.rdma.resourceName]: "1" } : {};
    return {
        resources: {
            ...(rdma ? { limits: extended, requests: extended } : {}),
            claims: [{ name: req.claim.containerClaimName }],
        },
        podClaims: [req.claim.podClaim],
        ...(securityContext ? { securityContext } : {}),
    };
}

export const SHM_VOLUME = "dshm";

/** In-memory /dev/shm: NCCL and the engines' worker processes exchange tensors through it. */
export function shmVolume(sizeLimit?: string): Volume {
    return { name: SHM_VOLUME, emptyDir: { medium: "Memory", ...(sizeLimit ? { sizeLimit } : {}) } };
}

export function shmMount(): { name: string; mountPath: string } {
    return { name: SHM_VOLUME, mountPath: "/dev/shm" };
}

/** nodeSelector and tolerations that pin pods to the pool. */
export function poolPlacement(pool: Pool): {
    nodeSelector: Record<string, string>;
    tolerations: k8s.types.input.core.v1.Toleration[];
} {
    const gpuTaint: k8s.types.input.core.v1.Toleration[] =
        pool.accelerator.vendor === "nvidia" ? [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }] : [];
    const own = pool.taints.map((t) =>
        t.value === undefined
            ? { key: t.key, operator: "Exists", effect: t.effect }
            : { key: t.key, operator: "Equal", value: t.value, effect: t.effect },
    );
    const seen = new Set<string>();
    const tolerations = [...own, ...gpuTaint].filter((t) => {
        const k = `${t.key}/${t.effect}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
    });
    return { nodeSelector: { ...pool.labels }, tolerations };
}

/** HF_TOKEN from a Secret (never a literal), when a secret name is given. */
export function hfTokenEnv(secretName: pulumi.Input<string> | undefined): EnvVar[] {
    return secretName === undefined
        ? []
        : [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: secretName, key: "HF_TOKEN" } } }];
}

/** User env as EnvVars, sorted for stable diffs. */
export function extraEnv(env: Record<string, string>): EnvVar[] {
    return Object.keys(env)
        .sort()
        .map((name) => ({ name, value: env[name] }));
}

/**
 * Environment for the pods of a multi-node group.
 *
 * NCCL and Gloo open their bootstrap (out-of-band) TCP sockets on the interface named by
 * `*_SOCKET_IFNAME`; left alone they may pick a secondary (Multus/RDMA) interface whose
 * addresses the peers cannot reach through the pod network, while `LWS_LEADER_ADDRESS` and the
 * Ray head address resolve to pod-network IPs. `eth0` is the pod-network interface every common
 * CNI creates. The data path is unaffected: NCCL still uses the RDMA HCAs the device plugin put
 * in the pod (NCCL_IB_HCA is deliberately left unset — the pod only sees its own HCAs, and a
 * wrong HCA list silently falls back to TCP). Any of these can be overridden with `models[].env`.
 */
export function multiNodeEnv(pool: Pool, userEnv: Record<string, string>): EnvVar[] {
    const defaults: Record<string, string> = { NCCL_SOCKET_IFNAME: "eth0", GLOO_SOCKET_IFNAME: "eth0" };
    // Without RDMA NICs NCCL would probe for IB devices and warn; say it outright.
    if (!pool.rdma) defaults["NCCL_IB_DISABLE"] = "1";
    return extraEnv({ ...defaults, ...userEnv });
}

export type { Container };
