/**
 * plan.svg: the four layers as clusters — physical (the fleet: one GPU map per node pool),
 * platform, engine, serving — each component, Helm release and ConfigGroup as a node, and the
 * dependency arrows between them (from the component graph, graph.ts). Built as DOT text and laid
 * out by Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz); no SVG is written by hand.
 */
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { PlanResult } from "./plan";
import type { PlannedModel, PoolMap } from "./fleet-plan";
import { componentGraph, graphDepth, LAYERS, type ComponentGraph, type GraphNode } from "./graph";

/** ColorBrewer Set3 + Pastel1: distinguishable fills for model replicas, cycled by model index. */
export const PALETTE = [
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
    "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f", "#fbb4ae", "#b3cde3", "#decbe4", "#fed9a6",
];
const FREE = "#f0f0f0";
const KIND_FILL: Record<GraphNode["kind"], string> = { component: "#ffffff", helm: "#e8f0fe", config: "#fff4e0", object: "#f3f3f3" };
const LAYER_TITLE: Record<(typeof LAYERS)[number] | "physical", string> = {
    physical: "Physical — fleet and GPU map",
    platform: "Platform — operators, CRDs, cluster services",
    engine: "Engine — model servers",
    serving: "Serving — routes, pools, autoscaling",
};

export function modelColor(modelIndex: number): string {
    return PALETTE[modelIndex % PALETTE.length];
}

/** Escape text for a Graphviz HTML-like label. */
export function html(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Escape text for a double-quoted DOT string. */
export function quoted(s: string): string {
    return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function shortType(type: string): string {
    return type.split(":").pop() ?? type;
}

function nodeLabel(n: GraphNode): string {
    const small = (t: string) => `<FONT POINT-SIZE="8" COLOR="#555555">${html(t)}</FONT>`;
    if (n.kind === "helm") {
        const chart = n.chart ? `${n.chart.name.split("/").pop()}${n.chart.version ? ` ${n.chart.version}` : ""}` : n.name;
        return `<<B>helm</B> ${html(chart)}<BR/>${html(n.name)}>`;
    }
    if (n.kind === "config") return `<<B>${html(shortType(n.type))}</B><BR/>${html(n.name)}<BR/>${small("CRDs / manifests")}>`;
    if (n.kind === "object") return `<<B>${html(shortType(n.type))}</B><BR/>${html(n.name)}>`;
    return `<<B>${html(shortType(n.type))}</B><BR/>${html(n.name)}<BR/>${small(`${n.resources} registration${n.resources === 1 ? "" : "s"}`)}>`;
}

/** One pool's GPU map as an HTML-like table: a row per node, a cell per GPU. */
export function poolTable(map: PoolMap): string {
    const p = map.pool;
    const a = p.accelerator;
    const cols = a.perNode + 1;
    const rdma = p.rdma ? ` · RDMA ${p.rdma.nicsPerNode} × ${p.rdma.resourceName}` : "";
    const rows: string[] = [];
    rows.push(
        `<TR><TD COLSPAN="${cols}" BGCOLOR="#dddddd"><B>pool ${html(p.name)}</B>: ${p.nodes} × ${a.perNode} ${html(a.vendor)} ${html(a.product)} (${a.memoryGiB} GiB) · NVLink domain ${p.nvlinkDomain}${html(rdma)}</TD></TR>`,
    );
    map.grid.forEach((row, n) => {
        const domain = map.nodesPerDomain > 1 ? ` · d${Math.floor(n / map.nodesPerDomain)}` : "";
        const cells = row.map((c, g) => {
            if (!c) return `<TD BGCOLOR="${FREE}" TITLE="node ${n} gpu ${g}: free"><FONT COLOR="#999999">free</FONT></TD>`;
            const pod = c.pod > 0 ? `.${c.pod}` : "";
            return `<TD BGCOLOR="${modelColor(c.modelIndex)}" TITLE="${html(`node ${n} gpu ${g}: ${c.model} ${c.role === "prefill" ? "prefill " : ""}replica ${c.replica}${c.pod ? ` pod ${c.pod}` : ""}`)}">${html(c.model.slice(0, 10))}<BR/>${c.role === "prefill" ? "p" : "r"}${c.replica}${pod}</TD>`;
        });
        rows.push(`<TR><TD ALIGN="LEFT"><B>node ${n}</B>${domain}</TD>${cells.join("")}</TR>`);
    });
    if (map.unplaced.length) {
        const list = map.unplaced.map((u) => `${u.model} ${u.role === "prefill" ? "p" : "r"}${u.replica}`).join(", ");
        rows.push(`<TR><TD COLSPAN="${cols}" BGCOLOR="#fdd0d0" ALIGN="LEFT"><B>does not fit:</B> ${html(list)}</TD></TR>`);
    }
    return `<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="1" CELLPADDING="3">${rows.join("")}</TABLE>>`;
}

function legendTable(planned: readonly PlannedModel[]): string {
    const rows = [`<TR><TD COLSPAN="3" BGCOLOR="#dddddd"><B>models</B> (replicas packed onto nodes in order)</TD></TR>`];
    for (const p of planned) {
        const plan = p.plan;
        const layout = plan
            ? `TP${plan.tensorParallel}×PP${plan.pipelineParallel}${plan.dataParallel > 1 ? `×DP${plan.dataParallel}` : ""} · ${plan.gpusPerReplica} GPU × ${plan.replicas.min}${plan.replicas.max !== plan.replicas.min ? `..${plan.replicas.max}` : ""}`
            : "not planned";
        const fits = plan?.fits ? "fits" : "DOES NOT FIT";
        rows.push(
            `<TR><TD BGCOLOR="${modelColor(p.index)}">  </TD><TD ALIGN="LEFT">${html(p.config.name)} (${html(p.config.engine)}, ${html(p.config.serving)})</TD><TD ALIGN="LEFT">${html(layout)} · ${fits}</TD></TR>`,
        );
    }
    return `<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="1" CELLPADDING="3">${rows.join("")}</TABLE>>`;
}

export interface DiagramInput {
    result: Pick<PlanResult, "stack" | "resources">;
    planned: readonly PlannedModel[];
    maps: readonly PoolMap[];
    graph?: ComponentGraph;
}

/** The DOT text of plan.svg. */
export function planDot(input: DiagramInput): string {
    const graph = input.graph ?? componentGraph(input.result.resources);
    const depth = graphDepth(graph.nodes.map((n) => n.id), graph.edges);
    const out: string[] = [];
    const title = `inference-platform · stack ${input.result.stack.name} · ${input.result.resources.length} registrations · ${graph.nodes.length} components · dependency depth ${depth}`;
    out.push("digraph plan {");
    out.push(`  graph [fontname="Helvetica" fontsize=12 rankdir=TB newrank=true compound=true nodesep=0.25 ranksep=0.5 labelloc=t label=${quoted(title)}];`);
    out.push(`  node [fontname="Helvetica" fontsize=10 shape=box style="rounded,filled" fillcolor="#ffffff" color="#666666"];`);
    out.push(`  edge [color="#4a4a4a" arrowsize=0.7];`);

    // Physical layer: legend + one GPU map per pool.
    out.push(`  subgraph cluster_physical {`);
    out.push(`    label=${quoted(LAYER_TITLE.physical)}; style="rounded,filled"; fillcolor="#fafafa"; color="#999999";`);
    out.push(`    anchor_physical [shape=point style=invis width=0 height=0 label=""];`);
    input.maps.forEach((m, i) => out.push(`    pool_${i} [shape=plain style="" label=${poolTable(m)}];`));
    if (input.planned.length) out.push(`    legend [shape=plain style="" label=${legendTable(input.planned)}];`);
    out.push("  }");

    // Component layers, with components that contain releases drawn as nested clusters.
    const children = new Map<string, GraphNode[]>();
    for (const n of graph.nodes) if (n.parentId) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n]);
    // An engine component named after a model takes the model's colour from the GPU map.
    const modelIndex = new Map(input.planned.map((p) => [p.config.name, p.index]));
    const fill = (n: GraphNode) => {
        const mi = n.kind === "component" && n.layer === "engine" ? modelIndex.get(n.name) : undefined;
        return mi !== undefined ? modelColor(mi) : KIND_FILL[n.kind];
    };
    const emit = (n: GraphNode, indent: string) => {
        const attrs = `label=${nodeLabel(n)} fillcolor="${fill(n)}"${n.kind === "component" ? "" : ` shape=box`} tooltip=${quoted(n.urn)}`;
        const kids = children.get(n.id);
        if (!kids) {
            out.push(`${indent}${n.id} [${attrs}];`);
            return;
        }
        out.push(`${indent}subgraph cluster_${n.id} {`);
        out.push(`${indent}  label=""; style="rounded,dashed"; color="#888888";`);
        out.push(`${indent}  ${n.id} [${attrs}];`);
        for (const k of kids) emit(k, indent + "  ");
        out.push(`${indent}}`);
    };
    for (const layer of LAYERS) {
        out.push(`  subgraph cluster_${layer} {`);
        out.push(`    label=${quoted(LAYER_TITLE[layer])}; style="rounded,filled"; fillcolor="#fafafa"; color="#999999";`);
        out.push(`    anchor_${layer} [shape=point style=invis width=0 height=0 label=""];`);
        const top = graph.nodes.filter((n) => n.layer === layer && !n.parentId);
        if (top.length === 0) out.push(`    empty_${layer} [label="(nothing in this stack)" style="dashed" fontcolor="#888888"];`);
        for (const n of top) emit(n, "    ");
        out.push("  }");
    }
    for (const n of graph.nodes.filter((x) => x.layer === "stack" && !x.parentId)) emit(n, "  ");

    // Keep the layers stacked top to bottom: every node of a layer sits below the layer's anchor
    // and above the next layer's anchor (invisible edges, only for the layout).
    const order = ["physical", ...LAYERS] as const;
    const inLayer = (l: (typeof order)[number]): string[] =>
        l === "physical"
            ? [...input.maps.map((_, i) => `pool_${i}`), ...(input.planned.length ? ["legend"] : [])]
            : graph.nodes.filter((n) => n.layer === l).map((n) => n.id).concat(graph.nodes.some((n) => n.layer === l) ? [] : [`empty_${l}`]);
    order.forEach((l, k) => {
        const ids = inLayer(l);
        if (ids.length) out.push(`  anchor_${l} -> { ${ids.join(" ")} } [style=invis];`);
        const next = order[k + 1];
        if (next) out.push(ids.length ? `  { ${ids.join(" ")} } -> anchor_${next} [style=invis];` : `  anchor_${l} -> anchor_${next} [style=invis];`);
    });
    // Dependencies: prerequisite → dependent.
    for (const e of graph.edges) out.push(`  ${e.from} -> ${e.to};`);
    out.push("}");
    return out.join("\n") + "\n";
}

/**
 * Graphviz runs in a worker thread, loaded once per process. Loading it decodes and compiles
 * ~1.5 MB of WebAssembly (~150 ms of synchronous JavaScript, then the compile) and the first layout
 * compiles the functions it uses (~50 ms, done here on an empty graph). In a worker that overlaps
 * with the main thread's work: the plan command calls startGraphviz() before it runs the program,
 * and lays out plan.svg while it runs the guardrails, so plan.svg costs the main thread nothing.
 * The worker keeps the process alive only while a layout is pending.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const ready = import(workerData).then((m) => m.Graphviz.load());
ready.then((g) => g.dot("digraph {}", "svg")).catch(() => undefined);
parentPort.on("message", async ({ id, dot }) => {
    try {
        parentPort.postMessage({ id, svg: (await ready).dot(dot, "svg") });
    } catch (e) {
        parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
    }
});
`;

interface Pending {
    resolve(svg: string): void;
    reject(e: Error): void;
}
let graphviz: { worker: Worker; pending: Map<number, Pending>; next: number } | undefined;

/** Start loading Graphviz in its worker thread (idempotent; renderSvg calls it too). */
export function startGraphviz(): void {
    if (graphviz) return;
    const worker = new Worker(WORKER, { eval: true, workerData: pathToFileURL(require.resolve("@hpcc-js/wasm-graphviz")).href });
    const gv = { worker, pending: new Map<number, Pending>(), next: 0 };
    const fail = (e: Error) => {
        if (graphviz === gv) graphviz = undefined;
        for (const p of gv.pending.values()) p.reject(e);
        gv.pending.clear();
    };
    worker.on("message", (m: { id: number; svg?: string; error?: string }) => {
        const p = gv.pending.get(m.id);
        gv.pending.delete(m.id);
        if (gv.pending.size === 0) worker.unref();
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.svg!);
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`Graphviz worker exited (code ${code})`)));
    worker.unref();
    graphviz = gv;
}

/** Lay out DOT with Graphviz (WebAssembly, in a worker thread) and return the SVG. */
export function renderSvg(dot: string): Promise<string> {
    startGraphviz();
    const gv = graphviz!;
    const id = gv.next++;
    return new Promise<string>((resolve, reject) => {
        gv.pending.set(id, { resolve, reject });
        gv.worker.ref();
        gv.worker.postMessage({ id, dot });
    });
}
