/**
 * The sizing planner: how many GPUs, in which tensor/pipeline layout, on how many nodes, a model
 * needs in a node pool — or a {@link PlanError} with the numbers when it cannot fit.
 *
 * Pure functions, no Pulumi imports; fast enough to run for every model on every preview.
 *
 * ## Memory model (per GPU)
 * - budget  = memoryGiB × gpuMemoryUtilization: what the engine may use (vLLM
 *   `--gpu-memory-utilization`, SGLang `--mem-fraction-static`).
 * - weights = Σ params × bytes per param as the checkpoint stores them (catalog / config.json /
 *   quantisation: bf16 2 B, fp8 1 B, int4 AWQ/GPTQ 0.52 B, MXFP4 0.53 B, NVFP4 0.56 B, scales
 *   included), split evenly over TP ranks and over pipeline stages by layers (the largest stage,
 *   ⌈layers/PP⌉ layers, is what must fit).
 * - runtime overhead ({@link runtimeOverhead}): the activation peak of one forward pass over the
 *   engine's max batched tokens (vLLM `--max-num-batched-tokens`, default 8192 on ≥ 70 GiB GPUs
 *   and 2048 below; SGLang `--chunked-prefill-size`, 2048–16384 by GPU memory) plus the sampler's
 *   logits; CUDA graphs (~1 GiB; none with `--enforce-eager` / `--disable-cuda-graph`); CUDA
 *   context, cuBLAS workspace and NCCL buffers (0.75 GiB, +0.5 GiB with more than one rank).
 *   vLLM counts activations and non-torch memory inside its budget and captures CUDA graphs
 *   after sizing the KV cache, i.e. outside it; SGLang's static fraction holds weights and KV
 *   only, everything else comes from the rest. Both are modelled: what lies outside the budget
 *   must fit in memoryGiB × (1 − utilisation).
 * - KV cache for maxModelLen × concurrency sequences:
 *   standard/GQA: 2 × layers × kvHeads × headDim × kvBytes per token, sharded over TP by whole
 *   KV heads; when TP > kvHeads every rank keeps one head (vLLM replicates KV heads), so the
 *   per-GPU share is 1/min(TP, kvHeads).
 *   MLA (DeepSeek, Kimi-K2): layers × (kv_lora_rank + qk_rope_head_dim) × kvBytes per token; the
 *   latent has no head dimension, so every TP rank holds all of it (no TP sharding).
 *   Sliding-window layers (gpt-oss, Gemma 2/3, Command R7B/A) hold at most `window` tokens;
 *   encoder-only embedding models hold none. kvBytes is 2, or 1 with `kvCacheDtype: fp8`
 *   (or `--kv-cache-dtype fp8…` in extraArgs).
 * - what is left of the budget after weights and overhead is the KV room: the plan reports it
 *   as tokens and as sequences of maxModelLen per replica (what the engine's KV pool holds).
 *
 * ## Layout rules
 * - TP divides the attention heads, and the KV heads divide TP or TP divides the KV heads
 *   (vLLM's QKVParallelLinear/Attention assert this; SGLang and TensorRT-LLM shard heads the
 *   same way, so the rule is enforced for every engine).
 * - TP ≤ the pool's NVLink domain. Pods are per node, so a replica needing more GPUs than a
 *   node has spans nodes (LWS group / Ray cluster): on HGX-style pools (domain = node) the extra
 *   nodes are pipeline stages; on NVL72-style pools (domain spans nodes) TP may span the nodes
 *   of one replica (whole nodes per pod) because NVLink connects them.
 * - auto: the smallest valid TP (PP = 1) whose replica fits within the NVLink domain and the
 *   pool; if none, TP = the largest valid TP within one node and PP = the smallest number of
 *   stages that fits (PP ≤ layers, nodes ≤ pool nodes). Otherwise a PlanError with the numbers.
 * - explicit: checked against the same rules; each failure is a PlanError naming the path.
 * - dataParallel is the engine's own data parallelism inside one server (vLLM
 *   --data-parallel-size); it multiplies the GPUs per replica and splits the concurrency.
 * - Expert parallelism (vLLM --enable-expert-parallel; `llmd.expertParallel`): the routed experts
 *   of an MoE model are sharded over all TP × DP ranks (EP size = TP × DP) instead of being
 *   replicated per data-parallel rank; attention and dense weights stay TP-sharded per rank. So
 *   weights per GPU = dense / TP + experts / (TP × DP) — what makes DeepSeek-R1 at TP1 × DP16
 *   (the llm-d wide-EP layout) fit. `size` entries (no expert split) keep the dense formula.
 *   TensorRT-LLM (Triton) has world size = TP × PP, so data > 1 is refused there (use replicas).
 * - Replicas (or autoscaling.min) × the replica's pods must pack onto the pool's nodes.
 */
import type { Model, Placement, Pool } from "../types";
import {
    ModelArchitecture,
    knowsArchitecture,
    PlanError,
    expertWeightBytes,
    kvBytesForSequence,
    resolveArchitecture,
    weightBytes,
} from "./catalog";
import { nvlinkSpansNodes, packPods, poolGpus, resolvePool } from "./fleet";

export { PlanError } from "./catalog";

/**
 * CUDA context, cuBLAS/cuDNN workspaces and allocator slack per GPU (vLLM reports it as
 * "non-torch memory": 0.5–1 GiB), and the NCCL buffers added when a replica has more than one rank.
 */
export const RUNTIME_RESERVE_GIB = 0.75;
export const NCCL_RESERVE_GIB = 0.5;
/** CUDA graphs captured for decode batch sizes (vLLM logs 0.3–1.5 GiB; SGLang similar). */
export const CUDA_GRAPH_GIB = 1;
/** Sequences the sampler holds logits for in the profile run (vLLM `--max-num-seqs` default). */
export const SAMPLER_SEQS = 256;

/** Bytes per KV-cache element unless an fp8 KV cache is configured. */
export const DEFAULT_KV_BYTES = 2;

const GiB = 1024 ** 3;

export interface PlanOptions {
    /** Index of the model in `models[]`, for error paths. */
    index?: number;
    /** Index of the pool in `fleet.pools[]`, for error paths. */
    poolIndex?: number;
    /**
     * A fixed per-GPU overhead inside the engine's budget (GiB), replacing the computed
     * {@link runtimeOverhead} (what lies outside the budget is then not checked).
     */
    reserveGiB?: number;
    /** Bytes per KV element; default from `kvCacheDtype` / `--kv-cache-dtype` in extraArgs, else 2. */
    kvBytes?: number;
    /**
     * Throw a PlanError when the model cannot be placed (default true). With false, return the
     * closest layout with `fits: false` and the message in `error` (for rendering plans).
     */
    strict?: boolean;
}

/** The planner's answer for one model. */
export interface ModelPlan {
    /** Workload name (`models[i].name`). */
    name: string;
    /** Model id as configured. */
    model: string;
    engine: Model["engine"];
    /** Pool the model runs on. */
    pool: string;
    tensorParallel: number;
    pipelineParallel: number;
    dataParallel: number;
    /** TP × PP × DP. */
    gpusPerReplica: number;
    /** Nodes (= pods) one replica spans. */
    nodesPerReplica: number;
    /** GPUs each pod requests (gpusPerReplica / nodesPerReplica). */
    gpusPerPod: number;
    /** TP × PP: the distributed world of one engine instance (TensorRT-LLM --world_size). */
    worldSize: number;
    /** Model copies: min/max (equal without autoscaling). */
    replicas: { min: number; max: number };
    /** All weights of one copy, GiB. */
    weightsGiB: number;
    /** KV cache for maxModelLen × concurrency, whole model (not counting TP replication), GiB. */
    kvCacheGiB: number;
    /** Weights on the fullest GPU, GiB. */
    weightsPerGpuGiB: number;
    /** KV cache for maxModelLen × concurrency on the fullest GPU, GiB (includes replication for MLA / TP > kvHeads). */
    kvPerGpuGiB: number;
    /** Runtime overhead per GPU (activation peak, CUDA graphs, CUDA context/NCCL), GiB. */
    overhead: { activationGiB: number; cudaGraphsGiB: number; runtimeGiB: number; maxBatchedTokens: number };
    /** memoryGiB × gpuMemoryUtilization − the overhead counted inside the engine's budget. */
    perGpuUsableGiB: number;
    /** perGpuUsable − weightsPerGpu − kvPerGpu (negative when it does not fit). */
    headroomGiB: number;
    /** KV room per GPU (perGpuUsable − weightsPerGpu), GiB, and as a fraction of the GPU's memory. */
    kvRoomPerGpuGiB: number;
    kvFraction: number;
    /** Tokens the replica's KV pool holds (each data-parallel rank its own), 0 for encoder-only models. */
    kvCapacityTokens: number;
    /** Sequences of maxModelLen the replica's KV pool holds at once. */
    maxSequencesAtMaxLen: number;
    /** Bytes per KV element (2 = bf16/fp16, 1 = fp8). */
    kvBytes: number;
    fits: boolean;
    /** The replica spans more than one node (LWS group or Ray cluster). */
    multiNode: boolean;
    /** Tensor parallelism crosses nodes over a multi-node NVLink domain. */
    tensorSpansNodes: boolean;
    /** The layout was chosen by the planner (`parallelism: auto`). */
    auto: boolean;
    /** One line: what was chosen and why. */
    explanation: string;
    /** Why this TP/PP (one phrase, also inside `explanation`). */
    why: string;
    /** The refusal, when `fits` is false (only with `strict: false`). */
    error?: string;
    /** The architecture facts used. */
    architecture: ModelArchitecture;
}

/** A row of `plan.json`. */
export interface PlanJsonEntry {
    name: string;
    tensorParallel: number;
    pipelineParallel: number;
    dataParallel: number;
    gpusPerReplica: number;
    nodesPerReplica: number;
    replicas: { min: number; max: number };
    weightsGiB: number;
    kvCacheGiB: number;
    /** Weight format, e.g. "bf16", "fp8 + bf16". */
    dtype: string;
    /** KV room per replica in tokens, and in sequences of maxModelLen. */
    kvCapacityTokens: number;
    maxSequencesAtMaxLen: number;
    fits: boolean;
}

const r1 = (x: number): string => x.toFixed(1);
const round2 = (x: number): number => Math.round(x * 100) / 100;

function argValue(args: readonly string[], flag: string): string | undefined {
    let v: string | undefined;
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === flag) v = args[i + 1];
        else if (a.startsWith(`${flag}=`)) v = a.slice(flag.length + 1);
    }
    return v;
}

/** Bytes per KV element from engine args (`--kv-cache-dtype fp8*` → 1), or undefined. */
export function kvBytesFromArgs(args: readonly string[]): number | undefined {
    const v = argValue(args, "--kv-cache-dtype");
    if (v === undefined) return undefined;
    return /^fp8/i.test(v) ? 1 : DEFAULT_KV_BYTES;
}

/** Bytes per KV element of a model: `kvCacheDtype`, then `--kv-cache-dtype` in extraArgs, else 2. */
export function kvBytesOf(model: Pick<Model, "extraArgs"> & { kvCacheDtype?: string }): number {
    if (model.kvCacheDtype && model.kvCacheDtype !== "auto") return 1;
    return kvBytesFromArgs(model.extraArgs) ?? DEFAULT_KV_BYTES;
}

/** Why `tp` is not a valid tensor-parallel size for `arch`, or undefined when it is. */
export function tensorSizeProblem(arch: ModelArchitecture, tp: number): string | undefined {
    if (arch.attentionHeads % tp !== 0) return `it does not divide the ${arch.attentionHeads} attention heads`;
    const kv = arch.kvHeads;
    if (kv >= tp ? kv % tp !== 0 : tp % kv !== 0) {
        return `it and the ${kv} KV heads do not divide one another (KV heads are sharded or replicated whole)`;
    }
    return undefined;
}

/** Valid tensor-parallel sizes up to `max`, ascending. */
export function validTensorSizes(arch: ModelArchitecture, max: number): number[] {
    const out: number[] = [];
    for (let tp = 1; tp <= max; tp++) if (!tensorSizeProblem(arch, tp)) out.push(tp);
    return out;
}

/** Per-GPU memory of one layout, in bytes. */
export interface GpuMemory {
    weightsPerGpu: number;
    kvPerGpu: number;
}

/** True when the engine shards MoE experts over the data-parallel ranks (vLLM --enable-expert-parallel). */
export function expertParallelOf(model: Pick<Model, "extraArgs"> & { llmd?: { expertParallel?: boolean } }): boolean {
    return model.llmd?.expertParallel === true || model.extraArgs.includes("--enable-expert-parallel");
}

/** Weights and KV cache on the fullest GPU of a TP × PP × DP layout (see the file comment). */
export function memoryPerGpu(
    arch: ModelArchitecture,
    layout: { tp: number; pp: number; dp: number; ep?: boolean },
    load: { maxModelLen: number; concurrency: number; kvBytes: number },
): GpuMemory {
    const stageFraction = Math.ceil(arch.layers / layout.pp) / arch.layers;
    const experts = layout.ep ? expertWeightBytes(arch) : 0;
    const weightsPerGpu = ((weightBytes(arch) - experts) / layout.tp + experts / (layout.tp * layout.dp)) * stageFraction;
    const seqs = Math.ceil(load.concurrency / layout.dp);
    const kvPerGpu = kvPerSequencePerGpu(arch, layout, load.maxModelLen, load.kvBytes) * seqs;
    return { weightsPerGpu, kvPerGpu };
}

/** KV bytes of one sequence of `tokens` on the fullest GPU of a layout. */
function kvPerSequencePerGpu(arch: ModelArchitecture, layout: { tp: number; pp: number }, tokens: number, kvBytes: number): number {
    const stageFraction = Math.ceil(arch.layers / layout.pp) / arch.layers;
    const kvShare = arch.mla ? 1 : 1 / Math.min(layout.tp, arch.kvHeads);
    return kvBytesForSequence(arch, tokens, kvBytes) * stageFraction * kvShare;
}

/** Per-GPU runtime overhead of a layout, in bytes: inside and outside the engine's budget. */
export interface RuntimeOverhead {
    activation: number;
    cudaGraphs: number;
    runtime: number;
    maxBatchedTokens: number;
    /** Counted inside memory × utilisation. */
    inside: number;
    /** Must fit in memory × (1 − utilisation). */
    outside: number;
}

/**
 * The engine's token budget per forward pass: `--max-num-batched-tokens` (vLLM, TensorRT-LLM
 * `--max_num_tokens`) or `--chunked-prefill-size` (SGLang) in extraArgs, else the engine default
 * — vLLM 0.11 `EngineArgs._set_default_args` for the OpenAI server: 8192 on GPUs with ≥ 70 GiB,
 * 2048 below; SGLang 0.5 `ServerArgs` chunked prefill: 2048 (< 35 GB), 4096 (< 60 GB), 8192
 * (< 160 GB), 16384 above; TensorRT-LLM's default max_num_tokens 8192. A max-model-len below the
 * budget without chunked prefill is not modelled (both engines chunk prefills by default).
 */
export function maxBatchedTokens(model: Pick<Model, "engine" | "extraArgs">, memoryGiB: number): number {
    const explicit =
        model.engine === "sglang" ? argValue(model.extraArgs, "--chunked-prefill-size") : argValue(model.extraArgs, "--max-num-batched-tokens") ?? argValue(model.extraArgs, "--max_num_tokens");
    const n = explicit !== undefined ? Number(explicit) : NaN;
    if (Number.isFinite(n) && n > 0) return n;
    if (model.engine === "sglang") return memoryGiB < 35 ? 2048 : memoryGiB < 60 ? 4096 : memoryGiB < 160 ? 8192 : 16384;
    if (model.engine === "trtllm") return 8192;
    return memoryGiB >= 70 ? 8192 : 2048;
}

/**
 * Runtime overhead per GPU of a layout:
 * - activation peak of a forward pass over `maxBatchedTokens` tokens on one rank, 16-bit:
 *   tokens × (4 × hidden [residual, norm, attention out, MLP out] + (heads + 2 × kvHeads) ×
 *   headDim / TP [QKV] + 3 × activeFfn / TP [gate+up, activation]) × 2 B, plus the sampler's
 *   fp32 logits for 256 sequences × vocab. For Llama-3.1-8B at 8192 tokens this is 1.1 GiB,
 *   where vLLM 0.11 reports a "PyTorch activation peak" of 1.1–1.2 GiB;
 * - CUDA graphs {@link CUDA_GRAPH_GIB} (0 with `--enforce-eager` / `--disable-cuda-graph`);
 * - CUDA context etc. {@link RUNTIME_RESERVE_GIB}, + {@link NCCL_RESERVE_GIB} with > 1 rank.
 * vLLM/TensorRT-LLM: activation + runtime inside the budget, CUDA graphs outside; SGLang:
 * everything outside (its static fraction holds weights and KV cache only).
 */
export function runtimeOverhead(
    arch: ModelArchitecture,
    model: Pick<Model, "engine" | "extraArgs">,
    memoryGiB: number,
    layout: { tp: number; pp: number; dp: number },
): RuntimeOverhead {
    const tokens = maxBatchedTokens(model, memoryGiB);
    const hidden = arch.hiddenSize ?? arch.attentionHeads * arch.headDim;
    const ffn = arch.activeFfn ?? 4 * hidden;
    const qkv = (arch.attentionHeads + 2 * arch.kvHeads) * arch.headDim;
    const perToken = (4 * hidden + qkv / layout.tp + (3 * ffn) / layout.tp) * 2;
    const logits = arch.encoderOnly ? 0 : Math.min(SAMPLER_SEQS, tokens) * (arch.vocabSize ?? 0) * 4;
    const activation = tokens * perToken + logits;
    const eager = model.extraArgs.includes("--enforce-eager") || model.extraArgs.includes("--disable-cuda-graph");
    const cudaGraphs = eager || arch.encoderOnly ? 0 : CUDA_GRAPH_GIB * GiB;
    const runtime = (RUNTIME_RESERVE_GIB + (layout.tp * layout.pp * layout.dp > 1 ? NCCL_RESERVE_GIB : 0)) * GiB;
    if (model.engine === "sglang") return { activation, cudaGraphs, runtime, maxBatchedTokens: tokens, inside: 0, outside: activation + cudaGraphs + runtime };
    return { activation, cudaGraphs, runtime, maxBatchedTokens: tokens, inside: activation + runtime, outside: cudaGraphs };
}

/**
 * Nodes and GPUs per pod for a layout on a pool: the fewest equal pods (one per node) such that
 * each pod holds whole tensor-parallel groups — or, on a multi-node NVLink domain, each TP group
 * spans whole pods. Callers keep TP ≤ the NVLink domain, so a split always exists (at worst one
 * TP group per pod, or one GPU per pod inside a multi-node domain); the pool's node count is
 * checked by the caller.
 */
export function placeReplica(pool: Pool, layout: { tp: number; pp: number; dp: number }): { nodes: number; gpusPerPod: number } {
    const perNode = pool.accelerator.perNode;
    const g = layout.tp * layout.pp * layout.dp;
    if (g <= perNode) return { nodes: 1, gpusPerPod: g };
    for (let n = Math.ceil(g / perNode); n <= g; n++) {
        if (g % n !== 0) continue;
        const per = g / n;
        if (per > perNode) continue;
        if (layout.tp <= per ? per % layout.tp === 0 : nvlinkSpansNodes(pool) && layout.tp % per === 0) {
            return { nodes: n, gpusPerPod: per };
        }
    }
    throw new Error(`placeReplica: tensor ${layout.tp} exceeds the ${pool.nvlinkDomain}-GPU NVLink domain of pool "${pool.name}"`);
}

interface Candidate {
    tp: number;
    pp: number;
    dp: number;
    nodes: number;
    gpusPerPod: number;
    mem: GpuMemory;
    overhead: RuntimeOverhead;
    /** Budget − overhead inside it, bytes. */
    usable: number;
    /** Overhead outside the budget fits the rest of the GPU. */
    outsideFits: boolean;
    fits: boolean;
}

/** Context shared by the functions that plan one model. */
interface Ctx {
    model: Model;
    pool: Pool;
    arch: ModelArchitecture;
    path: string;
    poolPath: string;
    /** memory × utilisation, bytes. */
    budget: number;
    /** Fixed inside overhead (PlanOptions.reserveGiB), bytes. */
    fixedReserve?: number;
    kvBytes: number;
}

function evaluate(ctx: Ctx, tp: number, pp: number, dp: number): Candidate {
    const placed = placeReplica(ctx.pool, { tp, pp, dp });
    const mem = memoryPerGpu(ctx.arch, { tp, pp, dp, ep: expertParallelOf(ctx.model) }, {
        maxModelLen: ctx.model.maxModelLen,
        concurrency: ctx.model.concurrency,
        kvBytes: ctx.kvBytes,
    });
    const computed = runtimeOverhead(ctx.arch, ctx.model, ctx.pool.accelerator.memoryGiB, { tp, pp, dp });
    const overhead = ctx.fixedReserve !== undefined ? { ...computed, inside: ctx.fixedReserve, outside: 0 } : computed;
    const usable = ctx.budget - overhead.inside;
    const outsideFits = overhead.outside <= ctx.pool.accelerator.memoryGiB * GiB - ctx.budget;
    return { tp, pp, dp, ...placed, mem, overhead, usable, outsideFits, fits: outsideFits && mem.weightsPerGpu + mem.kvPerGpu <= usable };
}

function describeLayout(c: { tp: number; pp: number; dp: number }): string {
    return `TP${c.tp}${c.pp > 1 ? ` × PP${c.pp}` : ""}${c.dp > 1 ? ` × DP${c.dp}` : ""}`;
}

function needs(ctx: Ctx): string {
    const w = weightBytes(ctx.arch) / GiB;
    const kv = (kvBytesForSequence(ctx.arch, ctx.model.maxModelLen, ctx.kvBytes) * ctx.model.concurrency) / GiB;
    return `${r1(w)} GiB weights + ${r1(kv)} GiB KV`;
}

/** The smallest layout (by GPUs) the planner would choose; undefined when none fits. */
function autoSearch(ctx: Ctx): { chosen?: Candidate; largest?: Candidate; why: string } {
    const { pool, arch } = ctx;
    const total = poolGpus(pool);
    const valid = validTensorSizes(arch, Math.min(pool.nvlinkDomain, total));
    const tooSmall: number[] = [];
    let largest: Candidate | undefined;
    // Phase 1: tensor parallel only, inside one NVLink domain.
    for (const tp of valid) {
        const c = evaluate(ctx, tp, 1, 1);
        if (c.nodes > pool.nodes) continue;
        largest = c;
        if (c.fits) {
            const why =
                tooSmall.length === 0
                    ? "smallest valid layout"
                    : `${tooSmall.map((t) => `TP${t}`).join(", ")} too small` +
                      (c.nodes > 1 ? `; TP spans ${c.nodes} nodes inside the ${pool.nvlinkDomain}-GPU NVLink domain` : "");
            return { chosen: c, why };
        }
        tooSmall.push(tp);
    }
    // Phase 2: the largest valid TP within one node, pipeline stages across nodes.
    const inNode = valid.filter((t) => t <= Math.min(pool.accelerator.perNode, pool.nvlinkDomain));
    const tp = inNode[inNode.length - 1];
    if (tp !== undefined) {
        for (let pp = 2; pp <= arch.layers; pp++) {
            const c = evaluate(ctx, tp, pp, 1);
            if (c.nodes > pool.nodes) break;
            largest = c;
            if (c.fits) {
                const where = c.nodes > 1 ? `across ${c.nodes} nodes` : "inside one node";
                return {
                    chosen: c,
                    why: `TP${tooSmall[tooSmall.length - 1] ?? tp} alone (largest tensor size inside one NVLink domain) too small; pipeline ${where}`,
                };
            }
        }
    }
    return { largest, why: "" };
}

/** KV room of a candidate: bytes per GPU, tokens and max-length sequences per replica. */
function kvCapacity(ctx: Ctx, c: Candidate): { room: number; tokens: number; sequences: number } {
    const room = Math.max(0, c.usable - c.mem.weightsPerGpu);
    const perToken = kvPerSequencePerGpu(ctx.arch, c, 1, ctx.kvBytes);
    const perSeq = kvPerSequencePerGpu(ctx.arch, c, ctx.model.maxModelLen, ctx.kvBytes);
    if (perToken === 0) return { room, tokens: 0, sequences: 0 };
    // Sliding-window layers hold at most the window: count tokens at the full-attention rate.
    const sw = ctx.arch.slidingWindow;
    const fullShare = sw && sw.layers < ctx.arch.layers ? (ctx.arch.layers - sw.layers) / ctx.arch.layers : 1;
    const tokens = Math.floor(room / (perToken * fullShare)) * c.dp;
    return { room, tokens, sequences: Math.floor(room / perSeq) * c.dp };
}

function toPlan(ctx: Ctx, c: Candidate, auto: boolean, why: string, error?: string): ModelPlan {
    const { model, pool, arch } = ctx;
    const used = (c.mem.weightsPerGpu + c.mem.kvPerGpu) / GiB;
    const usable = c.usable / GiB;
    const weightsGiB = weightBytes(arch) / GiB;
    const kvCacheGiB = (kvBytesForSequence(arch, model.maxModelLen, ctx.kvBytes) * model.concurrency) / GiB;
    const replicas = model.autoscaling
        ? { min: model.autoscaling.min, max: model.autoscaling.max }
        : { min: model.replicas, max: model.replicas };
    const gpus = c.tp * c.pp * c.dp;
    const tensorSpansNodes = c.tp > c.gpusPerPod;
    const placement =
        c.nodes === 1
            ? `${gpus} × ${pool.accelerator.product} on 1 node`
            : `${c.nodes} nodes × ${c.gpusPerPod} ${pool.accelerator.product}` + (tensorSpansNodes ? " (TP over multi-node NVLink)" : "");
    const cap = kvCapacity(ctx, c);
    const o = c.overhead;
    const overheadText = `${r1(o.activation / GiB)} GiB activations (${o.maxBatchedTokens} batched tokens) + ${r1(o.cudaGraphs / GiB)} GiB CUDA graphs + ${r1(o.runtime / GiB)} GiB runtime`;
    const capText = arch.encoderOnly
        ? "encoder-only: no KV cache"
        : `KV room ${r1(cap.room / GiB)} GiB/GPU = ${cap.tokens.toLocaleString("en-US")} tokens, ${cap.sequences} × ${model.maxModelLen}-token sequences per replica${ctx.kvBytes === 1 ? " (fp8 KV)" : ""}`;
    const explanation =
        `${model.model}: ${r1(weightsGiB)} GiB weights (${arch.dtype}) + ${r1(kvCacheGiB)} GiB KV ` +
        `(${model.maxModelLen} tok × ${model.concurrency}${arch.mla ? ", MLA latent on every TP rank" : ""}${ctx.kvBytes === 1 ? ", fp8" : ""}) → ` +
        `${describeLayout(c)}${expertParallelOf(model) && expertWeightBytes(arch) > 0 && c.tp * c.dp > 1 ? ` (experts sharded over EP${c.tp * c.dp})` : ""} on ${placement} in pool ${pool.name}: ${r1(used)} of ${r1(usable)} GiB usable per GPU ` +
        `(${r1(usable - used)} GiB headroom; overhead ${overheadText}); ${why}; ${capText}`;
    return {
        name: model.name,
        model: model.model,
        engine: model.engine,
        pool: pool.name,
        tensorParallel: c.tp,
        pipelineParallel: c.pp,
        dataParallel: c.dp,
        gpusPerReplica: gpus,
        nodesPerReplica: c.nodes,
        gpusPerPod: c.gpusPerPod,
        worldSize: c.tp * c.pp,
        replicas,
        weightsGiB: round2(weightsGiB),
        kvCacheGiB: round2(kvCacheGiB),
        weightsPerGpuGiB: round2(c.mem.weightsPerGpu / GiB),
        kvPerGpuGiB: round2(c.mem.kvPerGpu / GiB),
        overhead: { activationGiB: round2(o.activation / GiB), cudaGraphsGiB: round2(o.cudaGraphs / GiB), runtimeGiB: round2(o.runtime / GiB), maxBatchedTokens: o.maxBatchedTokens },
        perGpuUsableGiB: round2(usable),
        headroomGiB: round2(usable - used),
        kvRoomPerGpuGiB: round2(cap.room / GiB),
        kvFraction: round2(cap.room / (pool.accelerator.memoryGiB * GiB)),
        kvCapacityTokens: cap.tokens,
        maxSequencesAtMaxLen: cap.sequences,
        kvBytes: ctx.kvBytes,
        fits: c.fits && error === undefined,
        multiNode: c.nodes > 1,
        tensorSpansNodes,
        auto,
        explanation,
        why,
        ...(error !== undefined ? { error } : {}),
        architecture: arch,
    };
}

function gpuDesc(ctx: Ctx, c: Candidate, gpus: number): string {
    return `${gpus} × ${ctx.pool.accelerator.product} (${r1(c.usable / GiB)} GiB usable${gpus > 1 ? " each" : ""})`;
}

/** The overhead that does not fit outside the budget, as an error, or undefined. */
function outsideProblem(ctx: Ctx, c: Candidate): PlanError | undefined {
    if (c.outsideFits) return undefined;
    const rest = ctx.pool.accelerator.memoryGiB * (1 - ctx.model.gpuMemoryUtilization);
    return new PlanError(
        `${ctx.path}.gpuMemoryUtilization`,
        `${ctx.model.gpuMemoryUtilization} leaves ${r1(rest)} GiB of each ${ctx.pool.accelerator.memoryGiB} GiB GPU outside the engine's budget, but ` +
            `${ctx.model.engine} needs ${r1(c.overhead.outside / GiB)} GiB there (${ctx.model.engine === "sglang" ? "activations, CUDA graphs, runtime" : "CUDA graphs"}); ` +
            `lower gpuMemoryUtilization to ≤ ${(Math.floor(100 * (1 - c.overhead.outside / GiB / ctx.pool.accelerator.memoryGiB)) / 100).toFixed(2)}`,
    );
}

function planAuto(ctx: Ctx): { plan?: ModelPlan; error?: PlanError; fallback?: Candidate } {
    const found = autoSearch(ctx);
    if (found.chosen) return { plan: toPlan(ctx, found.chosen, true, found.why) };
    const { pool, arch } = ctx;
    const l = found.largest;
    if (l) {
        const outside = outsideProblem(ctx, l);
        if (outside) return { error: outside, fallback: l };
    }
    const largestText = l
        ? `the largest layout in pool "${pool.name}", ${describeLayout(l)} over ${l.nodes} node${l.nodes > 1 ? "s" : ""}, ` +
          `needs ${r1((l.mem.weightsPerGpu + l.mem.kvPerGpu) / GiB)} GiB per GPU on ${gpuDesc(ctx, l, l.tp * l.pp)}`
        : `no tensor size valid for ${arch.attentionHeads} heads fits pool "${pool.name}"`;
    const error = new PlanError(
        `${ctx.path}.parallelism`,
        `auto: ${ctx.model.model} (${ctx.model.maxModelLen} tokens × ${ctx.model.concurrency}) needs ${needs(ctx)} = ` +
            `${r1((weightBytes(arch) + kvBytesForSequence(arch, ctx.model.maxModelLen, ctx.kvBytes) * ctx.model.concurrency) / GiB)} GiB; ` +
            `${largestText}; add nodes (${ctx.poolPath}.nodes), use GPUs with more memory, a quantised checkpoint (models[].dtype) or an fp8 KV cache (kvCacheDtype), or lower maxModelLen/concurrency`,
    );
    return { error, fallback: l };
}

/** Suggest a fix for an explicit layout that does not fit in memory. */
function memoryFix(ctx: Ctx, pp: number, dp: number): { path: string; text: string } {
    const valid = validTensorSizes(ctx.arch, Math.min(ctx.pool.nvlinkDomain, poolGpus(ctx.pool)));
    for (const tp of valid) {
        const c = evaluate(ctx, tp, pp, dp);
        if (c.nodes <= ctx.pool.nodes && c.fits) {
            return { path: `${ctx.path}.parallelism.tensor`, text: `use tensor ≥ ${tp} (or parallelism: auto)` };
        }
    }
    const auto = autoSearch(ctx).chosen;
    if (auto) {
        return {
            path: `${ctx.path}.parallelism.pipeline`,
            text: `use tensor ${auto.tp} and pipeline ${auto.pp} (or parallelism: auto)`,
        };
    }
    return {
        path: `${ctx.path}.parallelism`,
        text: `no layout fits pool "${ctx.pool.name}": add nodes (${ctx.poolPath}.nodes), use GPUs with more memory, or lower maxModelLen/concurrency`,
    };
}

function planExplicit(
    ctx: Ctx,
    par: { tensor: number; pipeline: number; data: number },
): { plan?: ModelPlan; error?: PlanError; fallback?: Candidate } {
    const { pool, arch, model } = ctx;
    const p = `${ctx.path}.parallelism`;
    const tp = par.tensor;
    const pp = par.pipeline;
    const dp = par.data;
    const validList = () => validTensorSizes(arch, pool.nvlinkDomain).join(", ");
    if (model.engine === "trtllm" && dp > 1) {
        return {
            error: new PlanError(
                `${p}.data`,
                `data ${dp}: TensorRT-LLM on Triton runs world size = tensor × pipeline; use replicas (or autoscaling) for more copies`,
            ),
        };
    }
    const tpProblem = tensorSizeProblem(arch, tp);
    if (tpProblem) {
        return {
            error: new PlanError(
                `${p}.tensor`,
                `tensor ${tp} is invalid for ${model.model}: ${tpProblem}; valid tensor sizes up to the ${pool.nvlinkDomain}-GPU NVLink domain of pool "${pool.name}": ${validList()}`,
            ),
        };
    }
    if (tp > pool.nvlinkDomain) {
        const inNode = validTensorSizes(arch, pool.nvlinkDomain);
        const best = inNode[inNode.length - 1];
        return {
            error: new PlanError(
                `${p}.tensor`,
                `tensor ${tp} exceeds the ${pool.nvlinkDomain}-GPU NVLink domain of pool "${pool.name}"; tensor parallelism must stay inside one NVLink domain: ` +
                    `use tensor ≤ ${best} and pipeline ≥ ${Math.ceil((tp * pp) / best)} across nodes (or parallelism: auto)`,
            ),
        };
    }
    if (pp > arch.layers) {
        return { error: new PlanError(`${p}.pipeline`, `pipeline ${pp} exceeds the ${arch.layers} layers of ${model.model}; use pipeline ≤ ${arch.layers}`) };
    }
    const c = evaluate(ctx, tp, pp, dp);
    const gpus = tp * pp * dp;
    if (c.nodes > pool.nodes) {
        return {
            error: new PlanError(
                p,
                `${describeLayout(c)} = ${gpus} GPUs per replica needs ${c.nodes} nodes of ${c.gpusPerPod} GPUs but pool "${pool.name}" has ` +
                    `${pool.nodes} node${pool.nodes > 1 ? "s" : ""} × ${pool.accelerator.perNode} = ${poolGpus(pool)} GPUs; ` +
                    `use fewer GPUs per replica or add nodes (${ctx.poolPath}.nodes)`,
            ),
            fallback: c,
        };
    }
    const outside = outsideProblem(ctx, c);
    if (outside) return { error: outside, fallback: c };
    if (!c.fits) {
        const used = (c.mem.weightsPerGpu + c.mem.kvPerGpu) / GiB;
        const fix = memoryFix(ctx, pp, dp);
        const perGpu = gpus > 1 ? ` = ${r1(used)} GiB per GPU` : "";
        return {
            error: new PlanError(
                fix.path,
                `${gpuDesc(ctx, c, gpus)} cannot hold ${model.model} (${model.maxModelLen} tokens × ${model.concurrency}): ` +
                    `needs ${needs(ctx)}${perGpu}; ${fix.text}`,
            ),
            fallback: c,
        };
    }
    return { plan: toPlan(ctx, c, false, "explicit parallelism, checked") };
}

/**
 * Plan one model on its pool. Throws {@link PlanError} (path `models[<index>]…`) when the model
 * cannot be placed, unless `opts.strict` is false.
 */
export function planModel(model: Model, pool: Pool, opts: PlanOptions = {}): ModelPlan {
    const path = opts.index !== undefined ? `models[${opts.index}]` : `models[name=${model.name}]`;
    const poolPath = opts.poolIndex !== undefined ? `fleet.pools[${opts.poolIndex}]` : `fleet.pools[name=${pool.name}]`;
    const arch = resolveArchitecture(model, path);
    const budgetGiB = pool.accelerator.memoryGiB * model.gpuMemoryUtilization;
    const kvBytes = opts.kvBytes ?? kvBytesOf(model);
    const strict = opts.strict ?? true;
    const minOverhead = opts.reserveGiB ?? RUNTIME_RESERVE_GIB;
    if (budgetGiB - minOverhead <= 0) {
        throw new PlanError(
            `${path}.gpuMemoryUtilization`,
            `${pool.accelerator.memoryGiB} GiB × ${model.gpuMemoryUtilization} leaves nothing after the ${minOverhead} GiB runtime reserve`,
        );
    }
    const ctx: Ctx = {
        model,
        pool,
        arch,
        path,
        poolPath,
        budget: budgetGiB * GiB,
        ...(opts.reserveGiB !== undefined ? { fixedReserve: opts.reserveGiB * GiB } : {}),
        kvBytes,
    };

    const res = model.parallelism === undefined ? planAuto(ctx) : planExplicit(ctx, model.parallelism);
    let plan = res.plan;
    if (plan) {
        // The minimum replicas must pack onto the pool's nodes on their own.
        const min = plan.replicas.min;
        const pods = Array<number>(min * plan.nodesPerReplica).fill(plan.gpusPerPod);
        if (packPods(pods, pool.accelerator.perNode, pool.nodes) === undefined) {
            const at = model.autoscaling ? `${path}.autoscaling.min` : `${path}.replicas`;
            const error = new PlanError(
                at,
                `${min} replicas × ${plan.gpusPerReplica} GPUs (${plan.nodesPerReplica} pod${plan.nodesPerReplica > 1 ? "s" : ""} of ${plan.gpusPerPod}) = ` +
                    `${min * plan.gpusPerReplica} GPUs do not fit pool "${pool.name}" (${pool.nodes} nodes × ${pool.accelerator.perNode} = ${poolGpus(pool)} GPUs); ` +
                    `lower ${model.autoscaling ? "autoscaling.min" : "replicas"} or add nodes (${poolPath}.nodes)`,
            );
            if (strict) throw error;
            plan = { ...plan, fits: false, error: error.message };
        }
        return plan;
    }
    const error = res.error as PlanError;
    if (strict || !res.fallback) throw error;
    return toPlan(ctx, res.fallback, model.parallelism === undefined, "does not fit", error.message);
}

/** Per-pool GPU demand of a whole config. */
export interface PoolUsage {
    name: string;
    /** Index in `fleet.pools`. */
    index: number;
    nodes: number;
    gpus: number;
    /** Workload names placed on this pool. */
    models: string[];
    /** GPUs at every model's minimum replicas. */
    gpusAtMin: number;
    /** GPUs at every model's maximum replicas. */
    gpusAtMax: number;
    /** Nodes the minimum replicas occupy (pods packed first-fit), undefined when they do not fit. */
    nodesUsedAtMin?: number;
    fitsAtMin: boolean;
    fitsAtMax: boolean;
}

export interface FleetPlan {
    models: ModelPlan[];
    pools: PoolUsage[];
}

/**
 * Plan every model and check each pool's capacity: the pods of all models' minimum replicas
 * must pack onto the pool's nodes (a PlanError on `fleet.pools[j].nodes` otherwise, unless
 * `strict: false`). Maximum replicas beyond capacity are reported (`fitsAtMax: false`), not
 * refused: autoscalers may aim above what is free.
 */
export function planAll(
    config: { fleet: { pools: readonly Pool[] }; models: readonly Model[] },
    opts: Pick<PlanOptions, "reserveGiB" | "strict"> = {},
): FleetPlan {
    const pools = config.fleet.pools;
    const models: ModelPlan[] = config.models.map((m, i) => {
        const { pool, index } = resolvePool(pools, m.pool, `models[${i}].pool`);
        return planModel(m, pool, { ...opts, index: i, poolIndex: index });
    });
    return { models, pools: poolUsage(pools, models, opts) };
}

/**
 * Each pool's capacity for models already planned ({@link planModel}): the pods of all models'
 * minimum replicas must pack onto the pool's nodes (a PlanError on `fleet.pools[j].nodes`
 * otherwise, unless `strict: false`). What {@link planAll} checks, without sizing again.
 */
export function poolUsage(pools: readonly Pool[], models: readonly ModelPlan[], opts: Pick<PlanOptions, "strict"> = {}): PoolUsage[] {
    return pools.map((pool, j) => {
        const mine = models.filter((p) => p.pool === pool.name);
        const podsAt = (n: (p: ModelPlan) => number) =>
            mine.flatMap((p) => Array<number>(n(p) * p.nodesPerReplica).fill(p.gpusPerPod));
        const nodesUsedAtMin = packPods(podsAt((p) => p.replicas.min), pool.accelerator.perNode, pool.nodes);
        const fitsAtMax = packPods(podsAt((p) => p.replicas.max), pool.accelerator.perNode, pool.nodes) !== undefined;
        const gpusAtMin = mine.reduce((s, p) => s + p.replicas.min * p.gpusPerReplica, 0);
        const gpusAtMax = mine.reduce((s, p) => s + p.replicas.max * p.gpusPerReplica, 0);
        if (nodesUsedAtMin === undefined && (opts.strict ?? true)) {
            const parts = mine.map((p) => `${p.name} ${p.replicas.min} × ${p.gpusPerReplica}`).join(" + ");
            throw new PlanError(
                `fleet.pools[${j}].nodes`,
                `pool "${pool.name}" has ${pool.nodes} nodes × ${pool.accelerator.perNode} = ${poolGpus(pool)} GPUs but the models' minimum replicas need ` +
                    `${parts} = ${gpusAtMin} GPUs (whole pods per node); add nodes or lower replicas/autoscaling.min`,
            );
        }
        return {
            name: pool.name,
            index: j,
            nodes: pool.nodes,
            gpus: poolGpus(pool),
            models: mine.map((p) => p.name),
            gpusAtMin,
            gpusAtMax,
            ...(nodesUsedAtMin !== undefined ? { nodesUsedAtMin } : {}),
            fitsAtMin: nodesUsedAtMin !== undefined,
            fitsAtMax,
        };
    });
}

/** The `plan.json` row for a model plan (GiB rounded to 0.1). */
export function planJsonEntry(plan: ModelPlan): PlanJsonEntry {
    return {
        name: plan.name,
        tensorParallel: plan.tensorParallel,
        pipelineParallel: plan.pipelineParallel,
        dataParallel: plan.dataParallel,
        gpusPerReplica: plan.gpusPerReplica,
        nodesPerReplica: plan.nodesPerReplica,
        replicas: { ...plan.replicas },
        weightsGiB: Math.round(plan.weightsGiB * 10) / 10,
        kvCacheGiB: Math.round(plan.kvCacheGiB * 10) / 10,
        dtype: plan.architecture.dtype,
        kvCapacityTokens: plan.kvCapacityTokens,
        maxSequencesAtMaxLen: plan.maxSequencesAtMaxLen,
        fits: plan.fits,
    };
}

/** A planner answer as the engines consume it. */
export function placementOf(plan: ModelPlan): Placement {
    return {
        tensor: plan.tensorParallel,
        pipeline: plan.pipelineParallel,
        data: plan.dataParallel,
        gpusPerPod: plan.gpusPerPod,
        nodesPerReplica: plan.nodesPerReplica,
        replicas: plan.replicas.min,
    };
}

/**
 * A placement as configured, without memory checks: explicit parallelism (else one GPU) over as
 * many nodes as it needs. For NIM images the catalog cannot size (a NIM picks its own profile).
 */
export function configuredPlacement(model: Model, pool: Pool): Placement {
    const p = model.parallelism ?? { tensor: 1, pipeline: 1, data: 1 };
    const gpus = p.tensor * p.pipeline * p.data;
    const nodesPerReplica = Math.max(1, Math.ceil(gpus / pool.accelerator.perNode));
    return {
        ...p,
        gpusPerPod: gpus / nodesPerReplica,
        nodesPerReplica,
        replicas: model.autoscaling ? model.autoscaling.min : model.replicas,
    };
}

/**
 * What a component does when it is given no placement: ask the planner (a PlanError with the
 * numbers when the model does not fit the pool). NIM images the catalog cannot size are placed as
 * configured.
 */
export function planPlacement(model: Model, pool: Pool): Placement {
    if (model.serving === "nim" && !knowsArchitecture(model)) return configuredPlacement(model, pool);
    return placementOf(planModel(model, pool));
}
