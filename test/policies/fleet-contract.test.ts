/**
 * One fleet contract and one packing: the pack's fleet schema (policies/lib/config.ts) is the
 * stack's (stacks/config/schema.ts `fleetSchema`), and the capacity rule packs whole pods onto nodes
 * exactly as the planner (components/physical/fleet.ts `packPods`). The pack keeps its own copies
 * (it is published alone and imports nothing outside policies/); these tests keep them equal.
 */
import { strict as assert } from "node:assert";
import Ajv from "ajv";
import { z } from "zod";
import { fleetSchema as stackFleet } from "../../stacks/config/schema";
import { packPods as plannerPack } from "../../components/physical/fleet";
import { fleetConfigSchema, fleetSchema as packFleet } from "../../policies/lib/config";
import * as packNames from "../../policies/lib/k8s-names";
import * as stackNames from "../../components/common/k8s-validation";
import { packOnPools, packPods } from "../../policies/lib/packing";
import { validateStack, type Props } from "./harness";
import { container, fleet, pool, statefulSet, STS } from "./builders";

type Json = Record<string, unknown>;

/** Property names and required lists of a JSON schema, recursively (what both schemas must agree on). */
function shape(s: unknown): unknown {
    if (typeof s !== "object" || s === null) return s;
    const o = s as Json;
    const out: Json = {};
    if (o.properties) out.properties = Object.fromEntries(Object.entries(o.properties as Json).map(([k, v]) => [k, shape(v)]));
    if (o.items) out.items = shape(o.items);
    if (o.required) out.required = [...(o.required as string[])].sort();
    for (const k of ["type", "enum", "default", "minItems"]) if (k in o) out[k] = o[k];
    if (o.additionalProperties !== undefined) out.additionalProperties = typeof o.additionalProperties === "object" ? shape({ type: (o.additionalProperties as Json).type }) : o.additionalProperties;
    return out;
}

const p = (over: Json = {}): Json => ({ name: "h100", accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 8 }, ...over });
/** [what, fleet, "zod-only" when the published JSON Schema cannot express the rule (left to the zod check every policy runs)]. */
const samples: [string, unknown, string?][] = [
    ["minimal", { pools: [p()] }],
    ["full", { pools: [p({ nodes: 4, nvlinkDomain: 72, rdma: { nicsPerNode: 8, resourceName: "rdma/rdma_shared_device_a" }, labels: { a: "b" }, taints: [{ key: "k", value: "v", effect: "NoExecute" }] })] }],
    ["name of 50", { pools: [p({ name: "a".repeat(50) })] }],
    ["name of 51", { pools: [p({ name: "a".repeat(51) })] }],
    ["upper-case name", { pools: [p({ name: "H100" })] }],
    ["no pools", { pools: [] }],
    ["unknown vendor", { pools: [p({ accelerator: { vendor: "tpu", product: "v5", memoryGiB: 16, perNode: 4 } })] }],
    ["zero nodes", { pools: [p({ nodes: 0 })] }],
    ["fractional perNode", { pools: [p({ accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 1.5 } })] }],
    ["zero memory", { pools: [p({ accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 0, perNode: 8 } })] }],
    ["empty product", { pools: [p({ accelerator: { vendor: "nvidia", product: "", memoryGiB: 80, perNode: 8 } })] }],
    ["extra pool key", { pools: [p({ zone: "a" })] }],
    ["extra fleet key", { pools: [p()], region: "x" }],
    ["bad rdma name", { pools: [p({ rdma: { nicsPerNode: 1, resourceName: "rdma" } })] }],
    ["bad taint effect", { pools: [p({ taints: [{ key: "k", effect: "Never" }] })] }],
    ["taint without key", { pools: [p({ taints: [{ effect: "NoSchedule" }] })] }],
    ["prefixed label key", { pools: [p({ labels: { "cloud.google.com/gke-accelerator": "nvidia-l4", NodeGroupType: "g5-gpu-karpenter" } })] }],
    ["bad label key", { pools: [p({ labels: { "a/b/c": "x" } })] }],
    ["bad label key prefix", { pools: [p({ labels: { "Cloud.Google.com/x": "y" } })] }],
    ["bad label value", { pools: [p({ labels: { pool: "has space" } })] }],
    ["empty label value", { pools: [p({ labels: { pool: "" } })] }],
    ["64-char label value", { pools: [p({ labels: { pool: "a".repeat(64) } })] }],
    ["bad taint key", { pools: [p({ taints: [{ key: "-bad", effect: "NoSchedule" }] })] }],
    ["bad taint value", { pools: [p({ taints: [{ key: "k", value: "a b" }] })] }],
    ["rdma in kubernetes.io", { pools: [p({ rdma: { nicsPerNode: 1, resourceName: "kubernetes.io/rdma" } })] }, "zod-only"],
    ["rdma with dotted domain", { pools: [p({ rdma: { nicsPerNode: 1, resourceName: "vpc.amazonaws.com/efa" } })] }],
    ["rdma with a bad name part", { pools: [p({ rdma: { nicsPerNode: 1, resourceName: "rdma/-x" } })] }],
];

describe("policies: one fleet contract with the stack schema", () => {
    it("the pack's zod fleet schema is the stack's (same JSON Schema of its input)", () => {
        assert.deepEqual(z.toJSONSchema(packFleet, { io: "input" }), z.toJSONSchema(stackFleet, { io: "input" }));
    });

    it("parses every sample fleet to the same result or fails at the same paths", () => {
        for (const [what, raw] of samples) {
            const a = stackFleet.safeParse(raw);
            const b = packFleet.safeParse(raw);
            assert.equal(b.success, a.success, what);
            if (a.success && b.success) assert.deepEqual(b.data, a.data, what);
            else assert.deepEqual(b.error?.issues.map((i) => i.path.join(".")), a.error?.issues.map((i) => i.path.join(".")), what);
        }
    });

    it("the CrossGuard configSchema has the stack schema's fields, bounds and defaults, and accepts exactly what it accepts", () => {
        const published = (fleetConfigSchema.properties as Json).fleet;
        assert.deepEqual(shape(published), shape(z.toJSONSchema(stackFleet, { io: "input" })));
        const validate = new Ajv({ strict: false }).compile(published as object);
        for (const [what, raw, only] of samples) if (only !== "zod-only") assert.equal(validate(raw), stackFleet.safeParse(raw).success, what);
    });
});

describe("policies: the pack's name rules are the stack's", () => {
    const strings = [
        "", "a", "A", "a-b", "-a", "a-", "a_b", "a.b", "a/b", "a/b/c", "/b", "a/", "cloud.google.com/gke-accelerator", "Cloud.google.com/x",
        "nvidia.com/gpu", "kubernetes.io/x", "node.kubernetes.io/instance-type", "x.kubernetes.io/y", "rdma/rdma_shared_device_a", "vpc.amazonaws.com/efa",
        "a".repeat(63), "a".repeat(64), `${"a".repeat(254)}/x`, "has space", "ünicode", "a..b/c", "a/-b", "a/b-",
    ];
    for (const fn of ["dns1123Subdomain", "qualifiedName", "labelValue", "extendedResourceName"] as const) {
        it(`${fn} gives components/common/k8s-validation.ts's answer on every sample`, () => {
            for (const x of strings) assert.equal(packNames[fn](x), stackNames[fn](x), `${fn}(${JSON.stringify(x)})`);
        });
    }
});

describe("policies: capacity packs whole pods like the planner", () => {
    const cases: [pods: number[], perNode: number, nodes: number][] = [
        [[5, 5, 5], 8, 2],
        [[5, 5], 8, 2],
        [[4, 4, 4, 4], 8, 2],
        [[6, 2, 6, 2], 8, 2],
        [[3, 3, 3, 3, 3, 3], 8, 2],
        [[8], 4, 4],
        [[1, 1, 1, 7], 8, 1],
        [[2, 2, 2, 2, 2], 4, 2],
        [[0, 0, 4], 4, 1],
        [[], 8, 1],
    ];
    // Deterministic pseudo-random cases on top of the named ones.
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let i = 0; i < 200; i++) cases.push([Array.from({ length: 1 + rnd(8) }, () => 1 + rnd(8)), [4, 8][rnd(2)], 1 + rnd(4)]);

    it("agrees with components/physical/fleet.ts packPods on every case (one pool and the multi-pool form)", () => {
        for (const [pods, perNode, nodes] of cases) {
            const planner = plannerPack(pods, perNode, nodes);
            assert.equal(packPods(pods, perNode, nodes), planner, JSON.stringify([pods, perNode, nodes]));
            const multi = packOnPools(pods.map((g) => ({ gpus: g, pools: ["a"] })), [{ name: "a", nodes, perNode }]);
            assert.equal(multi, planner !== undefined, JSON.stringify([pods, perNode, nodes]));
        }
    });

    it("three 5-GPU pods on two 8-GPU nodes fail the capacity rule (15 of 16 GPUs, but whole pods do not pack)", async () => {
        const f = fleet([pool("h100", { nodes: 2 })]);
        const sts = (replicas: number): Props => statefulSet({ replicas, containers: [container({ gpus: "5" })] });
        const bad = await validateStack("fleet-capacity-at-min-replicas", [{ type: STS, name: "s", props: sts(3) }], f);
        assert.match(bad.violations.map((v) => v.message).join("\n"), /pool "h100" needs 15 of its 16 GPUs at minimum replicas, but whole pods \(3 × 5-GPU\) do not pack onto its nodes/);
        const good = await validateStack("fleet-capacity-at-min-replicas", [{ type: STS, name: "s", props: sts(2) }], f);
        assert.deepEqual(good.violations, []);
    });

    it("unpinned pods pack onto any pool of their vendor, pinned ones only onto theirs", () => {
        const pools = [{ name: "a", nodes: 1, perNode: 8 }, { name: "b", nodes: 1, perNode: 4 }];
        assert.equal(packOnPools([{ gpus: 8, pools: ["a", "b"] }, { gpus: 4, pools: ["a", "b"] }], pools), true);
        assert.equal(packOnPools([{ gpus: 8, pools: ["a"] }, { gpus: 4, pools: ["a"] }], pools), false);
    });
});
