/**
 * Pod-level building blocks every engine uses: accelerator limits for the pool's vendor,
 * in-memory /dev/shm, node placement for the pool, the HF token from a Secret.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PoolConfig, Vendor } from "../../stacks/schema";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Device-plugin resource name per accelerator vendor. */
export const GPU_RESOURCE: Record<Vendor, string> = {
    nvidia: "nvidia.com/gpu",
    amd: "amd.com/gpu",
    intel: "habana.ai/gaudi",
};

/** Limits (and equal requests) for `gpus` accelerators of the pool's vendor, plus RDMA when the pool has it. */
export function acceleratorResources(pool: PoolConfig, gpus: number, opts: { rdma?: boolean } = {}): Record<string, string> {
    const r: Record<string, string> = { [GPU_RESOURCE[pool.accelerator.vendor]]: String(gpus) };
    if (opts.rdma && pool.rdma) r[pool.rdma.resourceName] = "1";
    return r;
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
export function poolPlacement(pool: PoolConfig): {
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

export type { Container };
