/**
 * The offline plan's extra outputs: the component graph (lifting, dedupe, depth), the GPU map
 * (replicas packed onto nodes in order), plan.json, the DOT/SVG diagram rendered by Graphviz
 * WASM, the terminal table, policy-config.json, and the plan command writing all of them.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseStackConfig } from "../../stacks/config/load";
import type { RecordedResource } from "../../stacks/plan/mock-engine";
import { componentGraph, graphDepth, longestChain } from "../../stacks/plan/graph";
import { gpuMaps, planJson, planModels } from "../../stacks/plan/fleet-plan";
import { planDot, renderSvg } from "../../stacks/plan/diagram";
import { renderTable } from "../../stacks/plan/table";
import { planExtras, policyPackConfig } from "../../stacks/plan/extras";
import { parsePackConfig } from "../../policies/lib/config";
import { ruleNames } from "../../policies/rules";
import { planExample, ROOT } from "../helpers";

const U = (type: string, name: string) => `urn:pulumi:t::p::${type}::${name}`;
function res(type: string, name: string, parent = "", dependsOn: string[] = [], custom = true, inputs: Record<string, unknown> = {}): RecordedResource {
    return { urn: U(type, name), type, name, parent, dependsOn, inputs, custom };
}

/** stack → platform layer (a CRD component with a ConfigGroup, an operator with a release) → engine layer (a server). */
function syntheticResources(): RecordedResource[] {
    const stack = res("inference-platform:stack:InferenceStack", "s", "", [], false);
    const plat = res("inference-platform:stack:PlatformLayer", "s-platform", stack.urn, [], false);
    const eng = res("inference-platform:stack:EngineLayer", "s-engine", stack.urn, [], false);
    const crds = res("inference-platform:platform:LwsCrds", "lws", plat.urn, [], false);
    const cg = res("kubernetes:yaml/v2:ConfigGroup", "lws-crds", crds.urn);
    const op = res("inference-platform:platform:Operator", "op", plat.urn, [], false);
    const rel = res("kubernetes:helm.sh/v3:Release", "op", op.urn, [cg.urn], true, { chart: "oci://example.io/charts/op", version: "1.2.3" });
    const ns = res("kubernetes:core/v1:Namespace", "ns", plat.urn);
    const srv = res("inference-platform:index:LwsServer", "m", eng.urn, [], false);
    // Two resources of the server depend on the ConfigGroup and one on the namespace: one edge each after lifting.
    const lws = res("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "m", srv.urn, [cg.urn, ns.urn]);
    const svc = res("kubernetes:core/v1:Service", "m", srv.urn, [cg.urn, lws.urn]);
    return [stack, plat, eng, crds, cg, op, rel, ns, srv, lws, svc];
}

describe("ops: component graph", () => {
    const rs = syntheticResources();
    const g = componentGraph(rs);
    const id = (name: string, type: RegExp) => g.nodes.find((n) => n.name === name && type.test(n.type))!.id;

    it("has a node per component, release, ConfigGroup and bare layer object, with its layer and container", () => {
        assert.deepEqual(
            g.nodes.map((n) => `${n.kind}:${n.name}:${n.layer}`),
            ["component:lws:platform", "config:lws-crds:platform", "component:op:platform", "helm:op:platform", "object:ns:platform", "component:m:engine"],
        );
        assert.equal(g.nodes.find((n) => n.kind === "config")!.parentId, id("lws", /LwsCrds/));
        assert.deepEqual(g.nodes.find((n) => n.kind === "helm")!.chart, { name: "oci://example.io/charts/op", version: "1.2.3" });
        assert.equal(g.nodes.find((n) => n.name === "m")!.resources, 3);
    });

    it("lifts dependencies to component level, deduplicated, without edges inside a component", () => {
        const edges = g.edges.map((e) => `${g.nodes.find((n) => n.id === e.from)!.name}->${g.nodes.find((n) => n.id === e.to)!.name}`).sort();
        assert.deepEqual(edges, ["lws-crds->m", "lws-crds->op", "ns->m"]);
    });

    it("measures depth as nodes on the longest chain", () => {
        assert.equal(graphDepth(g.nodes.map((n) => n.id), g.edges), 2);
        assert.equal(graphDepth(["a", "b", "c", "d"], [{ from: "a", to: "b" }, { from: "b", to: "c" }, { from: "a", to: "c" }]), 3);
        assert.deepEqual(longestChain(["a", "b", "c"], [{ from: "a", to: "b" }, { from: "b", to: "c" }]), ["a", "b", "c"]);
        assert.equal(graphDepth([], []), 0);
    });
});

describe("ops: GPU map and plan.json", () => {
    const config = parseStackConfig({
        fleet: {
            pools: [
                { name: "h100", nodes: 3, accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 8 } },
                { name: "nvl", nodes: 4, nvlinkDomain: 8, accelerator: { vendor: "nvidia", product: "GB200", memoryGiB: 186, perNode: 4 } },
            ],
        },
        models: [
            { name: "small", model: "Qwen/Qwen3-0.6B", pool: "h100", parallelism: { tensor: 2 }, replicas: 3 },
            { name: "wide", model: "meta-llama/Llama-3.3-70B-Instruct", pool: "h100", parallelism: { tensor: 8, pipeline: 2 } },
            { name: "rack", model: "meta-llama/Llama-3.3-70B-Instruct", pool: "nvl", parallelism: { tensor: 8 }, replicas: 2 },
        ],
    });
    const planned = planModels(config);
    const maps = gpuMaps(config, planned);

    it("packs replicas onto nodes in config order and reports what does not fit", () => {
        const h100 = maps[0];
        const cell = (n: number, g: number) => (h100.grid[n][g] ? `${h100.grid[n][g]!.model}/${h100.grid[n][g]!.replica}.${h100.grid[n][g]!.pod}` : "-");
        assert.deepEqual(h100.grid[0].map((_, g) => cell(0, g)), ["small/0.0", "small/0.0", "small/1.0", "small/1.0", "small/2.0", "small/2.0", "-", "-"]);
        // The 16-GPU replica needs two whole free nodes: nodes 1 and 2.
        assert.deepEqual(h100.grid[1].map((_, g) => cell(1, g)), Array(8).fill("wide/0.0"));
        assert.deepEqual(h100.grid[2].map((_, g) => cell(2, g)), Array(8).fill("wide/0.1"));
        assert.deepEqual(h100.unplaced, []);
    });

    it("keeps a tensor-parallel group that spans nodes inside one NVLink domain", () => {
        const nvl = maps[1];
        assert.equal(nvl.nodesPerDomain, 2);
        // TP8 over 4-GPU trays: replica 0 on trays 0-1 (domain 0), replica 1 on trays 2-3 (domain 1).
        assert.deepEqual(nvl.grid.map((row) => row.map((c) => (c ? `${c.replica}.${c.pod}` : "-")).join(" ")), ["0.0 0.0 0.0 0.0", "0.1 0.1 0.1 0.1", "1.0 1.0 1.0 1.0", "1.1 1.1 1.1 1.1"]);
    });

    it("lists replicas beyond the pool as unplaced", () => {
        const more = parseStackConfig({ fleet: { pools: [{ name: "one", nodes: 1, accelerator: { vendor: "nvidia", product: "L4", memoryGiB: 24, perNode: 2 } }] }, models: [{ name: "q", model: "Qwen/Qwen3-0.6B", replicas: 3 }] });
        const p = planModels(more);
        assert.equal(p[0].plan?.fits, false, "the planner refuses 3 replicas on 2 GPUs");
        const m = gpuMaps(more, p)[0];
        assert.deepEqual(m.unplaced.map((u) => u.replica), [2]);
    });

    it("plan.json has the planner's numbers per model and the pool usage", () => {
        const j = planJson("t", config, planned, maps);
        const wide = j.models.find((m) => m.name === "wide")!;
        assert.deepEqual(
            { tp: wide.tensorParallel, pp: wide.pipelineParallel, dp: wide.dataParallel, gpus: wide.gpusPerReplica, nodes: wide.nodesPerReplica, replicas: wide.replicas, fits: wide.fits, engine: wide.engine, pool: wide.pool },
            { tp: 8, pp: 2, dp: 1, gpus: 16, nodes: 2, replicas: { min: 1, max: 1 }, fits: true, engine: "vllm", pool: "h100" },
        );
        assert.ok(wide.weightsGiB! > 120 && wide.weightsGiB! < 140, `70B bf16 weights: ${wide.weightsGiB}`);
        assert.ok(wide.kvCacheGiB! > 0);
        assert.deepEqual(j.pools.map((p) => [p.name, p.gpusUsed, p.gpusFree]), [["h100", 22, 2], ["nvl", 16, 0]]);
    });

    it("renders the terminal table with one aligned row per model", () => {
        const t = renderTable(planned).split("\n");
        assert.match(t[0], /^model\s+engine\s+serving\s+pool\s+TP×PP\s+GPUs\s+nodes\s+fits$/);
        assert.match(t[2], /^small\s+vllm\s+engine\s+h100\s+2×1\s+2 × 3\s+1\/replica\s+yes$/);
        assert.match(t[3], /^wide\s+vllm\s+engine\s+h100\s+8×2\s+16 × 1\s+2\/replica\s+yes$/);
        assert.equal(t.length, 5);
        const refused = renderTable(planModels(parseStackConfig({ fleet: { pools: [{ name: "one", accelerator: { vendor: "nvidia", product: "L4", memoryGiB: 24, perNode: 1 } }] }, models: [{ name: "big", model: "meta-llama/Llama-3.3-70B-Instruct" }] }))).split("\n");
        assert.match(refused[2], /^big\s.*\sNO$/);
        assert.match(refused[3], /^! big: .*models\[0\]/);
    });
});

describe("ops: plan diagram (DOT → Graphviz WASM → SVG)", function () {
    this.timeout(60_000);

    it("draws the four layers, a node per component, the lifted edges and the GPU map", async () => {
        const config = parseStackConfig({
            fleet: { pools: [{ name: "h100", nodes: 1, accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 2 } }] },
            models: [{ name: "m", model: "Qwen/Qwen3-0.6B" }],
        });
        const planned = planModels(config);
        const maps = gpuMaps(config, planned);
        const resources = syntheticResources();
        const dot = planDot({ result: { stack: { name: "t", file: "t.yaml", config: {}, environments: [] }, resources }, planned, maps });
        for (const c of ["cluster_physical", "cluster_platform", "cluster_engine", "cluster_serving"]) assert.match(dot, new RegExp(`subgraph ${c} \\{`));
        assert.match(dot, /empty_serving \[label="\(nothing in this stack\)"/);
        const svg = await renderSvg(dot);
        assert.match(svg, /^<\?xml|^<svg|<svg /);
        const titles = [...svg.matchAll(/<g id="[^"]+" class="(node|edge|cluster)">\s*<title>([^<]*)<\/title>/g)].map((m) => `${m[1]}:${m[2].replace(/&#45;&gt;/g, "->")}`);
        const g = componentGraph(resources);
        for (const n of g.nodes) assert.ok(titles.includes(`node:${n.id}`), `node ${n.name} drawn`);
        for (const e of g.edges) assert.ok(titles.includes(`edge:${e.from}->${e.to}`), `edge ${e.from}->${e.to} drawn`);
        for (const c of ["cluster_physical", "cluster_platform", "cluster_engine", "cluster_serving"]) assert.ok(titles.includes(`cluster:${c}`), c);
        // The GPU map: one cell per GPU, the model's replica in the first, the second free.
        assert.match(svg, /<title>node 0 gpu 0: m replica 0<\/title>|node 0 gpu 0: m replica 0/);
        assert.match(svg, /node 0 gpu 1: free/);
    });

    it("lays out in a worker thread: Graphviz's errors come back, it keeps working, and it does not hold the process open", async () => {
        await assert.rejects(renderSvg("digraph { a -> "), /syntax error in line 1/);
        const svgs = await Promise.all(["x", "y", "z"].map((n) => renderSvg(`digraph { ${n} }`)));
        assert.deepEqual(svgs.map((svg) => /<title>(\w)<\/title>/.exec(svg)?.[1]), ["x", "y", "z"]);
        // A process that only renders exits on its own once the layout is back (the worker is unref'd when idle).
        const script = `require(${JSON.stringify(path.join(ROOT, "stacks", "plan", "diagram.ts"))}).renderSvg("digraph { a -> b }").then((svg) => console.log(svg.includes("<title>a&#45;&gt;b</title>")))`;
        const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
        assert.equal(r.signal, null, "exited by itself");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "true\n");
    });

    it("covers a real plan: every component of the NVL72 example is in the SVG", async () => {
        const plan = await planExample("stacks/examples/prod-nvl72.yaml");
        const extras = await planExtras(plan);
        const svg = extras.files["plan.svg"];
        assert.ok(extras.graph.nodes.some((n) => n.type === "inference-platform:index:LwsServer" && n.name === "deepseek-r1"));
        for (const n of extras.graph.nodes) assert.ok(svg.includes(`<title>${n.id}</title>`), `${n.type} ${n.name}`);
        const json = JSON.parse(extras.files["plan.json"]) as { models: { name: string; tensorParallel: number; nodesPerReplica: number; fits: boolean }[] };
        const ds = json.models.find((m) => m.name === "deepseek-r1")!;
        assert.equal(ds.fits, true);
        assert.ok(ds.nodesPerReplica > 1 && ds.tensorParallel > 4, "DeepSeek-R1 spans trays with TP inside the NVLink domain");
    });
});

describe("ops: policy-config.json", () => {
    it("gives every fleet-aware policy the stack's fleet, in a shape the pack accepts", async () => {
        const plan = await planExample("Pulumi.staging.yaml");
        const cfg = policyPackConfig(plan.config.fleet);
        assert.ok(Object.keys(cfg).length > 0);
        const parsed = parsePackConfig(JSON.parse(JSON.stringify(cfg)), ruleNames);
        for (const [name, p] of Object.entries(parsed.policies)) assert.equal(p.fleet?.pools[0].name, "hgx-h100", name);
    });
});

describe("ops: npm run plan writes plan.json, plan.svg and policy-config.json and prints the table", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-extras-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("dev stack", () => {
        const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "compiled.js"), "plan", "--stack", "dev", "--out", tmp], { cwd: ROOT, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^model\s+engine\s+serving\s+pool\s+TP×PP\s+GPUs\s+nodes\s+fits$/m);
        assert.match(r.stdout, /^qwen3-0-6b\s+vllm\s+engine\s+l4\s+1×1\s+1 × 1\s+1\/replica\s+yes$/m);
        const json = JSON.parse(fs.readFileSync(path.join(tmp, "plan.json"), "utf8")) as { stack: string; models: Record<string, unknown>[] };
        assert.equal(json.stack, "dev");
        for (const k of ["name", "tensorParallel", "pipelineParallel", "dataParallel", "gpusPerReplica", "nodesPerReplica", "replicas", "weightsGiB", "kvCacheGiB", "fits"]) {
            assert.ok(k in json.models[0], `plan.json models[0].${k}`);
        }
        assert.match(fs.readFileSync(path.join(tmp, "plan.svg"), "utf8"), /<svg[\s\S]*Physical — fleet and GPU map[\s\S]*<\/svg>\s*$/);
        assert.ok(fs.existsSync(path.join(tmp, "policy-config.json")));
    });
});
