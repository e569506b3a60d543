/**
 * What the multi-node engines (LeaderWorkerSet, Ray StatefulSets) share: validation, and the pod
 * spec every pod of a group gets — the replica's share of GPUs (device plugin or DRA claim), the
 * pool's RDMA resource on every pod, IPC_LOCK for RDMA, NCCL/Gloo env, /dev/shm, pool placement.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gpuResources, PodGpuClaim, hfTokenEnv, multiNodeEnv, poolPlacement, shmMount, shmVolume } from "./pod";
import type { ResolvedMultiNodeArgs } from "./types";
import { validateCommon } from "./workload";

type Container = k8s.types.input.core.v1.Container;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type Volume = k8s.types.input.core.v1.Volume;

/** Where the vLLM image keeps the multi-node Ray bootstrap script (vLLM's examples, as in the LWS guide). */
export const VLLM_MULTI_NODE_SCRIPT = "/vllm-workspace/examples/online_serving/multi-node-serving.sh";

export function validateMultiNode(type: string, name: string, args: ResolvedMultiNodeArgs, parent: pulumi.Resource): void {
    const { placement, pool } = args;
    if (placement.nodesPerReplica < 2) {
        throw new pulumi.ResourceError(
            `${type} ${name}: the placement fits one node (nodesPerReplica ${placement.nodesPerReplica}); use the single-node engine server.`,
            parent,
        );
    }
    if (pool.accelerator.vendor !== "nvidia") {
        throw new pulumi.ResourceError(
            `${type} ${name}: multi-node serving is supported on NVIDIA pools only; pool "${pool.name}" is ${pool.accelerator.vendor}. Use a pool with more accelerators per node.`,
            parent,
        );
    }
    validateCommon(type, name, args, parent);
}

/**
 * The pod spec of one member of a multi-node group. `container` carries the engine part (name,
 * image, command, ports, probes); resources, env, mounts and security context are added here.
 */
export function groupPodSpec(
    args: ResolvedMultiNodeArgs,
    container: Container,
    opts: { claim?: PodGpuClaim; cacheMount?: VolumeMount; volumes?: Volume[] },
): PodSpec {
    const { pool, placement, model } = args;
    const gpu = gpuResources(pool, { gpus: placement.gpusPerPod, claim: opts.claim, rdma: true });
    // Rack-scale NVLink: each pod claims the ComputeDomain's IMEX channel next to its GPUs.
    const channel = args.computeDomain;
    const resources = channel
        ? { ...gpu.resources, claims: [...((gpu.resources.claims as { name: string }[] | undefined) ?? []), { name: COMPUTE_DOMAIN_CLAIM }] }
        : gpu.resources;
    const podClaims = [
        ...((gpu.podClaims as pulumi.Input<k8s.types.input.core.v1.PodResourceClaim>[] | undefined) ?? []),
        ...(channel ? [{ name: COMPUTE_DOMAIN_CLAIM, resourceClaimTemplateName: channel.channelTemplate }] : []),
    ];
    return {
        ...poolPlacement(pool),
        containers: [
            {
                ...container,
                env: [...hfTokenEnv(args.hfTokenSecretName), ...multiNodeEnv(pool, model.env), ...((container.env as k8s.types.input.core.v1.EnvVar[]) ?? [])],
                resources,
                ...(gpu.securityContext ? { securityContext: gpu.securityContext } : {}),
                volumeMounts: [shmMount(), ...(opts.cacheMount ? [opts.cacheMount] : [])],
            },
        ],
        volumes: [shmVolume(), ...(opts.volumes ?? [])],
        ...(podClaims.length > 0 ? { resourceClaims: podClaims } : {}),
    };
}

/** Pod-level name of the ComputeDomain channel claim. */
export const COMPUTE_DOMAIN_CLAIM = "compute-domain-channel";

/**
 * Quote a word for `sh -c` unless plainly safe. `$(LWS_…)` references stay unquoted: the kubelet
 * expands them (from the env LWS injects) before the shell runs; anything else with `$` is quoted.
 */
export function shellWord(s: string): string {
    const safe = s.replace(/\$\(LWS_[A-Z_]+\)/g, "");
    return /^[\w@%+=:,./-]*$/.test(safe) && s.length > 0 ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}
