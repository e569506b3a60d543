import { bool } from "../lib/json";
import { extendedResources, pinnedPools } from "../lib/resources";
import { podGpus, workloadsOf, type PodView, type WorkloadView, workloadName } from "../lib/workload";
import { type ResourceRule } from "../lib/rule";
import type { Fleet } from "../lib/config";

/** Extended resources that are RDMA NICs when no fleet says which one (Network Operator naming). */
const GENERIC_RDMA = /^rdma\/|^nvidia\.com\/(.*(rdma|sriov|hostdev|ib).*)$|^openshift\.io\//;

const GROUP_RESTART_OK = new Set(["RecreateGroupOnPodRestart", "RecreateGroupAfterStart"]);

/** GPU pods in one replica; more than one means the replica spans nodes. */
export function gpuPodsPerReplica(w: WorkloadView): number {
    if (w.replicaGpuPods !== undefined) return w.replicaGpuPods;
    const withGpus = w.pods.filter((p) => podGpus(p) > 0);
    const counted = withGpus.reduce((n, p) => n + p.count, 0);
    // NIMService multi-node: one template for a group sized by the operator.
    return withGpus.length > 0 && w.groupSize > counted ? w.groupSize : counted;
}

/** Rule 4: multi-node replicas use RDMA (or host networking) and restart as a group. */
export const multiNodeNetworking: ResourceRule = {
    scope: "resource",
    name: "multi-node-rdma-and-group-restart",
    description: "Replicas that span nodes request the fleet's RDMA NIC resource (or use host networking), and LeaderWorkerSets restart the whole group when a pod restarts (RecreateGroupOnPodRestart).",
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: "Request the pool's RDMA resource (e.g. rdma/rdma_shared_device_a: 1) in every GPU container of a multi-node group, or set hostNetwork: true; set leaderWorkerTemplate.restartPolicy to RecreateGroupOnPodRestart.",
    fleet: "partly",
    check(subject, ctx) {
        const violations: string[] = [];
        let generic = false;
        const notes: string[] = [];
        for (const w of workloadsOf(subject)) {
            if (w.groupUncertain && w.pods.some((p) => podGpus(p) > 0)) {
                notes.push(`${workloadName(w)}: ${w.groupUncertain}, so RDMA for a multi-node group was not checked`);
                continue;
            }
            if (gpuPodsPerReplica(w) <= 1) continue;
            const name = workloadName(w);
            if (w.lwsRestartPolicy !== undefined && !GROUP_RESTART_OK.has(w.lwsRestartPolicy)) {
                violations.push(`${name}: ${w.groupRestartPath} is ${w.lwsRestartPolicy}; when one pod of a multi-node group restarts the others keep a broken NCCL/Ray group and hang: set it to RecreateGroupOnPodRestart.`);
            }
            for (const p of w.pods) {
                if (podGpus(p) === 0 || bool(p.spec, "hostNetwork") === true) continue;
                const r = rdmaProblem(p, ctx.fleet);
                if (r.generic) generic = true;
                if (r.problem) violations.push(`${name}: ${p.role} pod (${p.path}) is part of a ${gpuPodsPerReplica(w)}-pod GPU group but ${r.problem}`);
            }
        }
        if (generic) notes.unshift('no fleet in this policy\'s config, so any RDMA-like resource (rdma/*, nvidia.com/*rdma*|sriov*|hostdev*) was accepted instead of the pool\'s own: set "fleet" to check the exact resource');
        return { violations, skipped: notes.length > 0 ? notes.join("; ") : undefined };
    },
};

function rdmaProblem(p: PodView, fleet: Fleet | undefined): { problem?: string; generic?: boolean } {
    const requested = new Set(p.containers.flatMap((c) => Object.keys(extendedResources(c.container))));
    const pools = fleet ? pinnedPools(p.spec, fleet.pools) : [];
    if (pools.length === 0) {
        const fleetNames = new Set((fleet?.pools ?? []).flatMap((x) => (x.rdma ? [x.rdma.resourceName] : [])));
        if ([...requested].some((r) => GENERIC_RDMA.test(r) || fleetNames.has(r))) return { generic: !fleet };
        return { problem: `requests no RDMA NIC resource and does not use hostNetwork; inter-node tensor/pipeline traffic then goes over the pod network: request the pool's RDMA resource (e.g. "rdma/rdma_shared_device_a": 1) in its GPU container, or set hostNetwork: true.`, generic: !fleet };
    }
    for (const pool of pools) {
        if (!pool.rdma) {
            return { problem: `its pool "${pool.name}" has no RDMA NICs in the fleet config and the pod does not use hostNetwork: set hostNetwork: true, or add the pool's rdma NICs to the fleet and request them.` };
        }
        if (!requested.has(pool.rdma.resourceName)) {
            return { problem: `does not request "${pool.rdma.resourceName}" (the RDMA NICs of pool "${pool.name}") and does not use hostNetwork: add resources.limits["${pool.rdma.resourceName}"]: 1 to its GPU container.` };
        }
    }
    return {};
}
