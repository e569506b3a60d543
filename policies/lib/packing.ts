/**
 * Whole pods onto nodes, as the scheduler must place them and as the planner checks them
 * (components/physical/fleet.ts `packPods`: first-fit decreasing; a test runs both on the same
 * cases so they cannot drift). Pure; the pack keeps its own copy to stay self-contained.
 */

/**
 * Pack pods (each asking for `gpus` accelerators on one node) onto `nodes` nodes with `perNode`
 * accelerators each, first-fit decreasing. Returns the nodes used, or undefined when they do not fit.
 */
export function packPods(podGpus: readonly number[], perNode: number, nodes: number): number | undefined {
    const free: number[] = [];
    for (const g of [...podGpus].sort((a, b) => b - a)) {
        if (g === 0) continue;
        if (g > perNode) return undefined;
        const i = free.findIndex((f) => f >= g);
        if (i >= 0) free[i] -= g;
        else if (free.length < nodes) free.push(perNode - g);
        else return undefined;
    }
    return free.length;
}

export interface PoolNodes {
    name: string;
    nodes: number;
    perNode: number;
}

/**
 * The same first-fit decreasing over several pools: each pod may go to the pools listed for it
 * (its pinned pool, or every pool of its vendor). Nodes are tried pool by pool in the given order.
 * Returns true when every pod found a node. With one pool this is `packPods`.
 */
export function packOnPools(pods: readonly { gpus: number; pools: readonly string[] }[], pools: readonly PoolNodes[]): boolean {
    const nodes = pools.flatMap((p) => Array.from({ length: p.nodes }, () => ({ pool: p.name, free: p.perNode })));
    for (const pod of [...pods].sort((a, b) => b.gpus - a.gpus)) {
        if (pod.gpus === 0) continue;
        const n = nodes.find((x) => pod.pools.includes(x.pool) && x.free >= pod.gpus);
        if (!n) return false;
        n.free -= pod.gpus;
    }
    return true;
}
