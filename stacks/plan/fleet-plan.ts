/**
 * The physical side of an offline plan: every model sized by the planner
 * (components/physical/planner.ts), the rows of plan.json, and a GPU map per node pool — which
 * model replica holds which GPUs when the replicas are packed onto the nodes in order.
 *
 * The map is an illustration the plan computes, not what the Kubernetes scheduler will do; it
 * answers "does it fit, and how full is each node" at a glance. Pure functions.
 */
import { planJsonEntry, planModel, type ModelPlan, type PlanJsonEntry } from "../../components/physical/planner";
import { resolvePool } from "../../components/physical/fleet";
import type { ModelConfig, ParsedStackConfig, PoolConfig } from "../config/schema";
import type { PlacedModel } from "../stack/placement";

/** One model as the plan sees it: the planner's answer, or why it could not answer. */
export interface PlannedModel {
    index: number;
    config: ModelConfig;
    /** Pool name (when it resolved). */
    pool?: string;
    plan?: ModelPlan;
    /** Planner refusal or lookup error, when there is no plan or it does not fit. */
    error?: string;
}

/**
 * Plan every model without throwing (`strict: false`): a plan renders even what does not fit.
 * With `placed` (the validation gate's models, each already looked up and sized), a model's plan
 * is taken from there instead of sizing it again.
 */
export function planModels(config: Pick<ParsedStackConfig, "fleet" | "models">, placed?: readonly (PlacedModel | undefined)[]): PlannedModel[] {
    return config.models.map((m, index) => {
        const done = placed?.[index];
        if (done?.plan) return { index, config: m, pool: done.pool.name, plan: done.plan, ...(done.plan.error ? { error: done.plan.error } : {}) };
        try {
            const { pool, index: poolIndex } = resolvePool(config.fleet.pools, m.pool, `models[${index}].pool`);
            const plan = planModel(m, pool, { index, poolIndex, strict: false });
            return { index, config: m, pool: pool.name, plan, ...(plan.error ? { error: plan.error } : {}) };
        } catch (e) {
            return { index, config: m, ...(m.pool ? { pool: m.pool } : {}), error: e instanceof Error ? e.message : String(e) };
        }
    });
}

/** A plan.json row: the planner's entry plus how the model is run. */
export interface PlanJsonModel extends Partial<PlanJsonEntry> {
    name: string;
    model: string;
    engine: string;
    serving: string;
    pool?: string;
    gpusPerPod?: number;
    fits: boolean;
    error?: string;
}

export interface PlanJson {
    stack: string;
    models: PlanJsonModel[];
    pools: { name: string; nodes: number; gpusPerNode: number; product: string; gpusUsed: number; gpusFree: number; unplaced: string[] }[];
}

export function planJson(stack: string, config: ParsedStackConfig, planned: PlannedModel[], maps: PoolMap[]): PlanJson {
    return {
        stack,
        models: planned.map((p) => ({
            ...(p.plan ? planJsonEntry(p.plan) : {}),
            name: p.config.name,
            model: p.config.model,
            engine: p.config.engine,
            serving: p.config.serving,
            ...(p.pool ? { pool: p.pool } : {}),
            ...(p.plan ? { gpusPerPod: p.plan.gpusPerPod } : {}),
            fits: p.plan?.fits ?? false,
            ...(p.error ? { error: p.error } : {}),
        })),
        pools: maps.map((m) => {
            const used = m.grid.reduce((s, row) => s + row.filter((c) => c !== null).length, 0);
            return {
                name: m.pool.name,
                nodes: m.pool.nodes,
                gpusPerNode: m.pool.accelerator.perNode,
                product: m.pool.accelerator.product,
                gpusUsed: used,
                gpusFree: m.pool.nodes * m.pool.accelerator.perNode - used,
                unplaced: m.unplaced.map((u) => `${u.model}${u.role ? `/${u.role}` : ""}#${u.replica}`),
            };
        }),
    };
}

// ── plan.md: sizing ────────────────────────────────────────────────────────────────

const GiB1 = (x: number): string => x.toFixed(1);

/**
 * The "model sizing" section of plan.md: per model, the layout and why it was chosen (the
 * planner's reasoning), the weights' format, the per-GPU budget (weights, overhead, KV room) and
 * the KV capacity of one replica in tokens and in sequences of maxModelLen.
 */
export function sizingMarkdown(config: Pick<ParsedStackConfig, "fleet" | "models">, planned: PlannedModel[] = planModels(config)): string[] {
    const lines = ["## Physical layer: model sizing", ""];
    if (planned.length === 0) return [...lines, "(no models in this stack)"];
    lines.push(
        "| model | weights | layout | GPUs/replica | per GPU: weights + overhead | KV room per GPU | KV capacity per replica |",
        "|---|---|---|---|---|---|---|",
    );
    for (const p of planned) {
        const c = p.config;
        const plan = p.plan;
        if (!plan) {
            lines.push(`| ${c.name} (\`${c.model}\`) | — | — | — | — | — | not sized: ${(p.error ?? "").replace(/\|/g, "\\|")} |`);
            continue;
        }
        const a = plan.architecture;
        const layout = `TP${plan.tensorParallel}${plan.pipelineParallel > 1 ? ` × PP${plan.pipelineParallel}` : ""}${plan.dataParallel > 1 ? ` × DP${plan.dataParallel}` : ""}`;
        const o = plan.overhead;
        const overhead = o.activationGiB + o.cudaGraphsGiB + o.runtimeGiB;
        const capacity = a.encoderOnly
            ? "no KV cache (encoder-only)"
            : `${plan.kvCapacityTokens.toLocaleString("en-US")} tokens = ${plan.maxSequencesAtMaxLen} × ${c.maxModelLen}${plan.kvBytes === 1 ? " (fp8 KV)" : ""}`;
        lines.push(
            `| ${c.name} (\`${c.model}\`) | ${GiB1(plan.weightsGiB)} GiB ${a.dtype} | ${layout}${plan.fits ? "" : " (does not fit)"} | ${plan.gpusPerReplica} on ${plan.nodesPerReplica} node${plan.nodesPerReplica > 1 ? "s" : ""} | ` +
                `${GiB1(plan.weightsPerGpuGiB)} + ${GiB1(overhead)} GiB | ${GiB1(plan.kvRoomPerGpuGiB)} GiB (${Math.round(plan.kvFraction * 100)}% of the GPU) | ${capacity} |`,
        );
    }
    lines.push("", "Why each layout:", "");
    for (const p of planned) {
        if (p.plan) lines.push(`- **${p.config.name}**: ${p.plan.auto ? "" : "explicit parallelism — "}${p.plan.why}. ${p.plan.error ? `Refused: ${p.plan.error}` : ""}`.trimEnd());
    }
    lines.push(
        "",
        "Overhead per GPU = activation peak for the engine's max batched tokens + CUDA graphs + CUDA context/NCCL; " +
            "architecture, quantisation and sources per model are in plan.json and docs/physical.md.",
    );
    return lines;
}

// ── GPU map ────────────────────────────────────────────────────────────────────────────

/** Who holds one GPU. */
export interface GpuCell {
    model: string;
    /** Index of the model in `models[]` (stable colour). */
    modelIndex: number;
    replica: number;
    /** Pod of the replica (0 for single-node replicas; the LWS/Ray rank of multi-node ones). */
    pod: number;
    /** "prefill" for a prefill replica of a disaggregated model (decode/aggregated replicas: absent). */
    role?: "prefill";
}

export interface PoolMap {
    pool: PoolConfig;
    /** grid[node][gpu]: the cell, or null when free. */
    grid: (GpuCell | null)[][];
    /** Nodes per NVLink domain (1 unless the domain spans nodes). */
    nodesPerDomain: number;
    /** Replicas that did not fit, in order. */
    unplaced: { model: string; modelIndex: number; replica: number; role?: "prefill" }[];
}

/**
 * Pack the models' minimum replicas onto each pool's nodes, in config order: a single-pod
 * replica takes the lowest free GPUs of the first node with room; a multi-node replica takes
 * the first nodes with room for one pod each — inside one NVLink domain when its tensor
 * parallelism spans nodes (NVL72 racks).
 */
export function gpuMaps(config: Pick<ParsedStackConfig, "fleet">, planned: readonly PlannedModel[]): PoolMap[] {
    return config.fleet.pools.map((pool) => {
        const perNode = pool.accelerator.perNode;
        const grid: (GpuCell | null)[][] = Array.from({ length: pool.nodes }, () => Array<GpuCell | null>(perNode).fill(null));
        const nodesPerDomain = pool.nvlinkDomain > perNode ? Math.max(1, Math.floor(pool.nvlinkDomain / perNode)) : 1;
        const unplaced: PoolMap["unplaced"] = [];
        const free = (node: number) => grid[node].filter((c) => c === null).length;
        const take = (node: number, count: number, cell: GpuCell) => {
            let left = count;
            for (let g = 0; g < perNode && left > 0; g++) {
                if (grid[node][g] === null) {
                    grid[node][g] = cell;
                    left--;
                }
            }
        };
        for (const p of planned) {
            if (p.pool !== pool.name || !p.plan) continue;
            const plan = p.plan;
            const groups = [
                { role: undefined, replicas: plan.replicas.min, pods: plan.nodesPerReplica, gpusPerPod: plan.gpusPerPod },
                ...(prefillPods(p.config, plan) ? [{ role: "prefill" as const, ...prefillPods(p.config, plan)! }] : []),
            ];
            for (const { role, replicas, pods, gpusPerPod } of groups) {
                for (let replica = 0; replica < replicas; replica++) {
                    const nodes = pickNodes(pool.nodes, pods, nodesPerDomain, plan.tensorSpansNodes, (n) => free(n) >= gpusPerPod);
                    if (!nodes || gpusPerPod > perNode) {
                        unplaced.push({ model: p.config.name, modelIndex: p.index, replica, ...(role ? { role } : {}) });
                        continue;
                    }
                    nodes.forEach((n, pod) => take(n, gpusPerPod, { model: p.config.name, modelIndex: p.index, replica, pod, ...(role ? { role } : {}) }));
                }
            }
        }
        return { pool, grid, nodesPerDomain, unplaced };
    });
}

/**
 * The prefill side of a prefill/decode-disaggregated model: its pods hold GPUs too (llm-d
 * `llmd.prefillReplicas` × `prefillTensor` GPUs, KServe `llmisvc.prefillReplicas` and Dynamo
 * `VllmPrefillWorker` replicas sized like a decode replica). Undefined when not disaggregated.
 */
export function prefillPods(m: ModelConfig, plan: ModelPlan): { replicas: number; pods: number; gpusPerPod: number } | undefined {
    if (m.serving === "llmd" && m.llmd.prefillReplicas > 0) {
        return { replicas: m.llmd.prefillReplicas, pods: 1, gpusPerPod: m.llmd.prefillTensor ?? plan.gpusPerPod };
    }
    if (m.serving === "llmisvc" && m.llmisvc.prefillReplicas > 0) {
        return { replicas: m.llmisvc.prefillReplicas, pods: plan.nodesPerReplica, gpusPerPod: plan.gpusPerPod };
    }
    if (m.serving === "dynamo" && m.dynamo.disaggregated) {
        return { replicas: m.dynamo.prefillReplicas, pods: plan.nodesPerReplica, gpusPerPod: plan.gpusPerPod };
    }
    return undefined;
}

/** The first `count` nodes (in order) that have room; within one NVLink domain when `sameDomain`. */
function pickNodes(total: number, count: number, nodesPerDomain: number, sameDomain: boolean, room: (n: number) => boolean): number[] | undefined {
    if (count === 1) {
        for (let n = 0; n < total; n++) if (room(n)) return [n];
        return undefined;
    }
    if (sameDomain && nodesPerDomain > 1) {
        for (let start = 0; start < total; start += nodesPerDomain) {
            const inDomain: number[] = [];
            for (let n = start; n < Math.min(total, start + nodesPerDomain); n++) if (room(n)) inDomain.push(n);
            if (inDomain.length >= count) return inDomain.slice(0, count);
        }
        return undefined;
    }
    const out: number[] = [];
    for (let n = 0; n < total && out.length < count; n++) if (room(n)) out.push(n);
    return out.length === count ? out : undefined;
}
