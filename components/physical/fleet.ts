/**
 * Fleet helpers: the physical layer as data. Vendor → Kubernetes resource names, pool lookup,
 * fleet totals and pod packing onto nodes. Pure functions, no Pulumi imports.
 */
import type { Pool, Vendor } from "../types";
import { PlanError } from "./catalog";

/** Extended resource the vendor's device plugin advertises (what pods put in `resources.limits`). */
export const DEVICE_PLUGIN_RESOURCE: Readonly<Record<Vendor, string>> = {
    nvidia: "nvidia.com/gpu",
    amd: "amd.com/gpu",
    intel: "habana.ai/gaudi",
};

/** DeviceClass the vendor's DRA driver publishes (what a ResourceClaim's `deviceClassName` names). */
export const DRA_DEVICE_CLASS: Readonly<Record<Vendor, string>> = {
    nvidia: "gpu.nvidia.com",
    amd: "gpu.amd.com",
    intel: "gaudi.intel.com",
};

/** Device-plugin resource name for a vendor, e.g. "nvidia.com/gpu". */
export function deviceResourceName(vendor: Vendor): string {
    return DEVICE_PLUGIN_RESOURCE[vendor];
}

/** DRA device class for a vendor, e.g. "gpu.nvidia.com". */
export function draDeviceClass(vendor: Vendor): string {
    return DRA_DEVICE_CLASS[vendor];
}

/** Accelerators in a pool (nodes × per node). */
export function poolGpus(pool: Pool): number {
    return pool.nodes * pool.accelerator.perNode;
}

/** True when the pool's NVLink domain spans more than one node (GB200 NVL72-style racks). */
export function nvlinkSpansNodes(pool: Pool): boolean {
    return pool.nvlinkDomain > pool.accelerator.perNode;
}

/**
 * The pool `models[i].pool` names, with its index in `fleet.pools`. With no name and exactly one
 * pool, that pool. Errors name `path` (e.g. `models[2].pool`) and the pools that exist.
 */
export function resolvePool(
    pools: readonly Pool[],
    name: string | undefined,
    path = "models[?].pool",
): { pool: Pool; index: number } {
    const names = pools.map((p) => p.name);
    if (pools.length === 0) throw new PlanError("fleet.pools", "needs at least one node pool");
    if (name === undefined) {
        if (pools.length === 1) return { pool: pools[0], index: 0 };
        throw new PlanError(path, `required when the fleet has ${pools.length} pools; set one of: ${names.join(", ")}`);
    }
    const index = pools.findIndex((p) => p.name === name);
    if (index < 0) throw new PlanError(path, `no node pool named "${name}"; pools: ${names.join(", ")}`);
    return { pool: pools[index], index };
}

/** Totals over a fleet. */
export interface FleetTotals {
    pools: number;
    nodes: number;
    gpus: number;
    /** Sum of accelerator memory in GiB. */
    gpuMemoryGiB: number;
    /** Accelerators per vendor. */
    gpusByVendor: Record<Vendor, number>;
}

/** Nodes, accelerators and accelerator memory over all pools. */
export function fleetTotals(pools: readonly Pool[]): FleetTotals {
    const t: FleetTotals = { pools: pools.length, nodes: 0, gpus: 0, gpuMemoryGiB: 0, gpusByVendor: { nvidia: 0, amd: 0, intel: 0 } };
    for (const p of pools) {
        const g = poolGpus(p);
        t.nodes += p.nodes;
        t.gpus += g;
        t.gpuMemoryGiB += g * p.accelerator.memoryGiB;
        t.gpusByVendor[p.accelerator.vendor] += g;
    }
    return t;
}

/**
 * Pack pods (each asking for `gpus` accelerators on one node) onto `nodes` nodes with
 * `perNode` accelerators each, first-fit decreasing. Returns the nodes used, or undefined when
 * the pods do not fit. Whole-GPU requests only (what the device plugin hands out).
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
