/**
 * The component graph of a plan: the registrations of resources.json lifted to component level.
 *
 * Nodes are the project's own components (`inference-platform:<layer>:<Type>`, not the stack and
 * layer wrappers), Helm releases/charts and YAML ConfigGroups/ConfigFiles, plus any Kubernetes
 * object a layer registers outside such a component. Every other registration belongs to its
 * nearest node ancestor. An edge A → B means "B waits for A": some resource owned by B lists a
 * resource owned by A in its dependencies (explicit dependsOn or an input the SDK reports).
 * Edges inside one node, and between a node and a node it contains, are dropped; the rest are
 * deduplicated.
 *
 * Pure data in, data out: used by the diagram (plan.svg), the benchmark (graph depth) and tests.
 */
import type { RecordedResource } from "./mock-engine";

export const LAYERS = ["platform", "engine", "serving"] as const;
export type Layer = (typeof LAYERS)[number];

export type NodeKind = "component" | "helm" | "config" | "object";

export interface GraphNode {
    /** Stable id for DOT (`n0`, `n1`, …, in registration order). */
    id: string;
    urn: string;
    type: string;
    name: string;
    kind: NodeKind;
    /** Layer the node belongs to (from its `inference-platform:stack:<X>Layer` ancestor). */
    layer: Layer | "stack";
    /** Id of the node that contains this one (a component holding a release), if any. */
    parentId?: string;
    /** Registrations owned by this node (itself included, nested nodes excluded). */
    resources: number;
    /** Chart and version for Helm nodes. */
    chart?: { name: string; version?: string };
}

export interface GraphEdge {
    /** The prerequisite. */
    from: string;
    /** The node that waits for it. */
    to: string;
}

export interface ComponentGraph {
    nodes: GraphNode[];
    edges: GraphEdge[];
}

const WRAPPER = /^inference-platform:stack:/;
const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);
const CONFIG_TYPES = new Set(["kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml:ConfigGroup", "kubernetes:yaml:ConfigFile"]);

function nodeKind(r: RecordedResource): NodeKind | undefined {
    if (r.type.startsWith("inference-platform:") && !WRAPPER.test(r.type)) return "component";
    if (HELM_TYPES.has(r.type)) return "helm";
    if (CONFIG_TYPES.has(r.type)) return "config";
    return undefined;
}

/** Layer of a registration: from the nearest `inference-platform:stack:<X>Layer` ancestor. */
export function layerOf(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>): Layer | "stack" {
    for (let cur: RecordedResource | undefined = r; cur; cur = byUrn.get(cur.parent)) {
        const m = /^inference-platform:stack:(\w+)Layer$/.exec(cur.type);
        if (m) {
            const l = m[1].toLowerCase();
            if ((LAYERS as readonly string[]).includes(l)) return l as Layer;
        }
    }
    return "stack";
}

export function componentGraph(resources: readonly RecordedResource[]): ComponentGraph {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const nodeOfUrn = new Map<string, GraphNode>();
    const nodes: GraphNode[] = [];
    const isWrapper = (r: RecordedResource | undefined) => !!r && (WRAPPER.test(r.type) || r.type.startsWith("pulumi:providers:"));

    // Pass 1: nodes. Kubernetes objects directly under a layer (no component around them) are
    // nodes too, so nothing a layer registers is invisible.
    for (const r of resources) {
        let kind = nodeKind(r);
        if (!kind && r.custom && r.type.startsWith("kubernetes:") && isWrapper(byUrn.get(r.parent)) && layerOf(r, byUrn) !== "stack") {
            kind = "object";
        }
        if (!kind) continue;
        const n: GraphNode = { id: `n${nodes.length}`, urn: r.urn, type: r.type, name: r.name, kind, layer: layerOf(r, byUrn), resources: 0 };
        if (kind === "helm") {
            const chart = r.inputs["chart"];
            const version = r.inputs["version"];
            n.chart = { name: typeof chart === "string" ? chart : r.name, ...(typeof version === "string" ? { version } : {}) };
        }
        nodes.push(n);
        nodeOfUrn.set(r.urn, n);
    }

    // Owner of any registration: the nearest node among itself and its ancestors.
    const ownerCache = new Map<string, GraphNode | undefined>();
    const owner = (urn: string): GraphNode | undefined => {
        if (ownerCache.has(urn)) return ownerCache.get(urn);
        let found: GraphNode | undefined;
        for (let cur = byUrn.get(urn); cur; cur = byUrn.get(cur.parent)) {
            found = nodeOfUrn.get(cur.urn);
            if (found) break;
        }
        ownerCache.set(urn, found);
        return found;
    };
    for (const n of nodes) {
        const parent = byUrn.get(n.urn)?.parent;
        const p = parent ? owner(parent) : undefined;
        if (p) n.parentId = p.id;
    }
    for (const r of resources) {
        const o = owner(r.urn);
        if (o) o.resources++;
    }

    // Containment: is `a` an ancestor node of `b` (or the same)?
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const contains = (a: GraphNode, b: GraphNode): boolean => {
        for (let cur: GraphNode | undefined = b; cur; cur = cur.parentId ? byId.get(cur.parentId) : undefined) {
            if (cur.id === a.id) return true;
        }
        return false;
    };

    // Pass 2: edges, lifted and deduplicated.
    const seen = new Set<string>();
    const edges: GraphEdge[] = [];
    for (const r of resources) {
        const to = owner(r.urn);
        if (!to) continue;
        for (const dep of r.dependsOn) {
            const from = owner(dep);
            if (!from || contains(from, to) || contains(to, from)) continue;
            const key = `${from.id}>${to.id}`;
            if (seen.has(key)) continue;
            seen.add(key);
            edges.push({ from: from.id, to: to.id });
        }
    }
    return { nodes, edges };
}

/**
 * Depth of a dependency graph: the number of nodes on its longest chain (0 for no nodes, 1 when
 * nothing depends on anything). Cycles (impossible in a valid Pulumi program) are cut where found.
 */
export function graphDepth(nodeIds: readonly string[], edges: readonly GraphEdge[]): number {
    const preds = new Map<string, string[]>();
    for (const id of nodeIds) preds.set(id, []);
    for (const e of edges) preds.get(e.to)?.push(e.from);
    const memo = new Map<string, number>();
    const visiting = new Set<string>();
    const depth = (id: string): number => {
        const known = memo.get(id);
        if (known !== undefined) return known;
        if (visiting.has(id)) return 0;
        visiting.add(id);
        let d = 1;
        for (const p of preds.get(id) ?? []) d = Math.max(d, depth(p) + 1);
        visiting.delete(id);
        memo.set(id, d);
        return d;
    };
    let max = 0;
    for (const id of nodeIds) max = Math.max(max, depth(id));
    return max;
}

/** The longest chain itself (node ids, prerequisite first). */
export function longestChain(nodeIds: readonly string[], edges: readonly GraphEdge[]): string[] {
    const succ = new Map<string, string[]>();
    for (const id of nodeIds) succ.set(id, []);
    for (const e of edges) succ.get(e.from)?.push(e.to);
    const memo = new Map<string, string[]>();
    const visiting = new Set<string>();
    const chainFrom = (id: string): string[] => {
        const known = memo.get(id);
        if (known) return known;
        if (visiting.has(id)) return [];
        visiting.add(id);
        let best: string[] = [];
        for (const s of succ.get(id) ?? []) {
            const c = chainFrom(s);
            if (c.length > best.length) best = c;
        }
        visiting.delete(id);
        const out = [id, ...best];
        memo.set(id, out);
        return out;
    };
    let best: string[] = [];
    for (const id of nodeIds) {
        const c = chainFrom(id);
        if (c.length > best.length) best = c;
    }
    return best;
}

/** Resource-level dependency depth: over every registration, explicit dependencies only. */
export function resourceDepth(resources: readonly RecordedResource[]): number {
    const urns = new Set(resources.map((r) => r.urn));
    const edges: GraphEdge[] = [];
    for (const r of resources) for (const d of r.dependsOn) if (urns.has(d)) edges.push({ from: d, to: r.urn });
    return graphDepth([...urns], edges);
}
