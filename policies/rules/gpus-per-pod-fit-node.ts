import { gpuRequests, pinnedPools } from "../lib/resources";
import { describe, podGpus, workloadsOf, type PodView } from "../lib/workload";
import { noFleet, type ResourceRule } from "../lib/rule";
import type { Vendor } from "../lib/config";

/** Vendors of the device-plugin accelerators a pod asks for (explicit and chart-computed). */
export function podVendors(p: PodView, declared?: Vendor): Set<Vendor> {
    const out = new Set<Vendor>();
    for (const c of p.containers) for (const g of gpuRequests(c.container)) out.add(g.vendor);
    if (p.implicitGpus && declared) out.add(declared);
    return out;
}

/** Rule 2: a pod never asks for more GPUs than one node of its pool has. */
export const gpusPerPodFitNode: ResourceRule = {
    scope: "resource",
    name: "gpus-per-pod-fit-node",
    description: "GPUs per pod are at most the GPUs per node of the pool the pod is pinned to (or of some pool of its vendor when unpinned).",
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps: "Lower the pod's GPU count (tensor parallel) to at most the pool's accelerator.perNode, split the model across nodes (LeaderWorkerSet with pipeline parallel), or pin it to a pool with more GPUs per node.",
    fleet: "required",
    check(subject, ctx) {
        const violations: string[] = [];
        let needsFleet = false;
        for (const w of workloadsOf(subject)) {
            for (const p of w.pods) {
                const gpus = podGpus(p);
                if (gpus === 0) continue;
                if (!ctx.fleet) {
                    needsFleet = true;
                    continue;
                }
                const at = `${describe(w.ref)}: ${p.role} pod (${p.path})`;
                const pinned = pinnedPools(p.spec, ctx.fleet.pools);
                if (pinned.length > 0) {
                    for (const pool of pinned.filter((x) => x.accelerator.perNode < gpus)) {
                        violations.push(`${at} asks for ${gpus} GPUs but nodes of pool "${pool.name}" have ${pool.accelerator.perNode} (accelerator.perNode); the pod can never schedule: use at most ${pool.accelerator.perNode} GPUs per pod (spread the rest with pipeline parallel across a LeaderWorkerSet group) or pin it to a larger pool.`);
                    }
                    continue;
                }
                const vendors = podVendors(p, w.declaredVendor?.vendor);
                const candidates = ctx.fleet.pools.filter((x) => vendors.has(x.accelerator.vendor));
                const largest = Math.max(0, ...candidates.map((x) => x.accelerator.perNode));
                if (largest < gpus) {
                    const v = [...vendors].join("/");
                    violations.push(
                        candidates.length === 0
                            ? `${at} asks for ${gpus} ${v} GPUs but the fleet has no ${v} pool; pin it to a pool of its vendor or add one to the fleet.`
                            : `${at} asks for ${gpus} GPUs but the largest ${v} node in the fleet has ${largest} (pools: ${candidates.map((x) => `${x.name}=${x.accelerator.perNode}`).join(", ")}); use at most ${largest} GPUs per pod or go multi-node.`,
                    );
                }
            }
        }
        return { violations, skipped: needsFleet ? noFleet("GPUs per pod against GPUs per node") : undefined };
    },
};
