/** Small builders for policy test inputs: a GPU StatefulSet and friends, as Pulumi props. */
import type { Props } from "./harness";

export const STS = "kubernetes:apps/v1:StatefulSet";
export const DEPLOY = "kubernetes:apps/v1:Deployment";
export const POD = "kubernetes:core/v1:Pod";
export const CR = "kubernetes:apiextensions.k8s.io:CustomResource";
export const RELEASE = "kubernetes:helm.sh/v3:Release";

export interface ContainerOpts {
    name?: string;
    image?: string;
    gpus?: unknown;
    gpuResource?: string;
    requests?: Record<string, unknown>;
    extraLimits?: Record<string, unknown>;
    args?: string[];
    command?: string[];
    env?: unknown[];
    claims?: string[];
    shm?: boolean;
}

export function container(o: ContainerOpts = {}): Props {
    const limits: Record<string, unknown> = { ...(o.extraLimits ?? {}) };
    if (o.gpus !== undefined) limits[o.gpuResource ?? "nvidia.com/gpu"] = o.gpus;
    const resources: Props = {};
    if (Object.keys(limits).length > 0) resources.limits = limits;
    if (o.requests) resources.requests = o.requests;
    if (o.claims) resources.claims = o.claims.map((name) => ({ name }));
    return {
        name: o.name ?? "vllm",
        image: o.image ?? "vllm/vllm-openai:v0.11.0",
        ...(o.command ? { command: o.command } : {}),
        args: o.args ?? ["--model", "Qwen/Qwen3-8B", "--tensor-parallel-size", String(typeof o.gpus === "number" || typeof o.gpus === "string" ? o.gpus : 1)],
        ...(o.env ? { env: o.env } : {}),
        resources,
        ...(o.shm === false ? {} : { volumeMounts: [{ name: "dshm", mountPath: "/dev/shm" }] }),
    };
}

export interface PodOpts {
    containers?: Props[];
    nodeSelector?: Record<string, string> | null;
    tolerations?: unknown[];
    labels?: Record<string, string>;
    hostNetwork?: boolean;
    affinity?: Props;
    resourceClaims?: unknown[];
}

export function podSpec(o: PodOpts = {}): Props {
    return {
        ...(o.nodeSelector === null ? {} : { nodeSelector: o.nodeSelector ?? { "inference-platform/pool": "h100" } }),
        tolerations: o.tolerations ?? [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
        ...(o.hostNetwork ? { hostNetwork: true } : {}),
        ...(o.affinity ? { affinity: o.affinity } : {}),
        ...(o.resourceClaims ? { resourceClaims: o.resourceClaims } : {}),
        containers: o.containers ?? [container({ gpus: "4" })],
        volumes: [{ name: "dshm", emptyDir: { medium: "Memory" } }],
    };
}

export function statefulSet(o: PodOpts & { replicas?: number; name?: string } = {}): Props {
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: o.name ?? "llm", namespace: "inference" },
        spec: { replicas: o.replicas ?? 1, selector: { matchLabels: { app: o.name ?? "llm" } }, template: { metadata: { labels: o.labels ?? { app: o.name ?? "llm" } }, spec: podSpec(o) } },
    };
}

export function lws(o: { size?: number; restartPolicy?: string; leader?: PodOpts; worker?: PodOpts; name?: string } = {}): Props {
    const rdma = { "rdma/rdma_shared_device_a": "1" };
    const leader = o.leader ?? { containers: [container({ gpus: "4", extraLimits: rdma, args: ["vllm serve m --tensor-parallel-size 4 --pipeline-parallel-size 2"], command: ["sh", "-c"] })] };
    const worker = o.worker ?? { containers: [container({ gpus: "4", extraLimits: rdma, args: ["ray start --address=$(LWS_LEADER_ADDRESS) --block"], command: ["sh", "-c"] })] };
    return {
        apiVersion: "leaderworkerset.x-k8s.io/v1",
        kind: "LeaderWorkerSet",
        metadata: { name: o.name ?? "big", namespace: "inference" },
        spec: {
            replicas: 1,
            leaderWorkerTemplate: {
                size: o.size ?? 2,
                ...(o.restartPolicy ? { restartPolicy: o.restartPolicy } : {}),
                leaderTemplate: { metadata: { labels: { role: "leader" } }, spec: podSpec(leader) },
                workerTemplate: { spec: podSpec(worker) },
            },
        },
    };
}

export function fleet(pools: Props[]): { fleet: { pools: Props[] } } {
    return { fleet: { pools } };
}

export function pool(name: string, extra: Props = {}): Props {
    return { name, nodes: 2, accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 }, ...extra };
}
