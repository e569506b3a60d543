import * as assert from "node:assert/strict";
import { poolSchema } from "../../stacks/config/schema";
import {
    PlanError,
    deviceResourceName,
    draDeviceClass,
    fleetTotals,
    nvlinkSpansNodes,
    packPods,
    poolGpus,
    resolvePool,
} from "../../components/physical";

const pool = (name: string, vendor: "nvidia" | "amd" | "intel", nodes: number, perNode: number, memoryGiB = 80, nvlinkDomain?: number) =>
    poolSchema.parse({ name, nodes, nvlinkDomain, accelerator: { vendor, product: `${vendor}-gpu`, memoryGiB, perNode } });

describe("physical/fleet", () => {
    it("maps vendors to device-plugin resources and DRA device classes", () => {
        assert.equal(deviceResourceName("nvidia"), "nvidia.com/gpu");
        assert.equal(deviceResourceName("amd"), "amd.com/gpu");
        assert.equal(deviceResourceName("intel"), "habana.ai/gaudi");
        assert.equal(draDeviceClass("nvidia"), "gpu.nvidia.com");
        assert.equal(draDeviceClass("amd"), "gpu.amd.com");
        assert.equal(draDeviceClass("intel"), "gaudi.intel.com");
    });

    it("resolves a model's pool by name, or the only pool when unnamed", () => {
        const a = pool("a100", "nvidia", 1, 8);
        const b = pool("mi300", "amd", 2, 8, 192);
        assert.equal(resolvePool([a], undefined).pool.name, "a100");
        const r = resolvePool([a, b], "mi300", "models[1].pool");
        assert.equal(r.pool.name, "mi300");
        assert.equal(r.index, 1);
    });

    it("names the path and the pools when the pool is unknown or ambiguous", () => {
        const pools = [pool("a100", "nvidia", 1, 8), pool("mi300", "amd", 2, 8, 192)];
        assert.throws(
            () => resolvePool(pools, "h100", "models[2].pool"),
            (e: unknown) => e instanceof PlanError && e.message === 'models[2].pool: no node pool named "h100"; pools: a100, mi300',
        );
        assert.throws(
            () => resolvePool(pools, undefined, "models[0].pool"),
            (e: unknown) => e instanceof PlanError && e.message === "models[0].pool: required when the fleet has 2 pools; set one of: a100, mi300",
        );
    });

    it("totals nodes, GPUs and memory per vendor", () => {
        const t = fleetTotals([pool("h100", "nvidia", 2, 8), pool("mi300", "amd", 1, 8, 192), pool("gaudi", "intel", 3, 8, 128)]);
        assert.deepEqual(t, {
            pools: 3,
            nodes: 6,
            gpus: 48,
            gpuMemoryGiB: 16 * 80 + 8 * 192 + 24 * 128,
            gpusByVendor: { nvidia: 16, amd: 8, intel: 24 },
        });
        assert.equal(poolGpus(pool("x", "nvidia", 3, 4)), 12);
    });

    it("tells NVL72-style pools (NVLink domain spans nodes) from HGX pools", () => {
        assert.equal(nvlinkSpansNodes(pool("hgx", "nvidia", 2, 8)), false);
        assert.equal(nvlinkSpansNodes(pool("nvl72", "nvidia", 18, 4, 186, 72)), true);
    });

    it("packs whole-GPU pods onto nodes first-fit decreasing", () => {
        assert.equal(packPods([4, 4, 4, 4], 8, 2), 2);
        assert.equal(packPods([5, 5, 5], 8, 2), undefined); // 15 GPUs ≤ 16, but only one 5-GPU pod fits per node
        assert.equal(packPods([6, 2, 6, 2], 8, 2), 2);
        assert.equal(packPods([9], 8, 4), undefined);
        assert.equal(packPods([], 8, 0), 0);
        assert.equal(packPods([0, 0], 8, 0), 0);
    });
});
