/**
 * The one place a model meets its pool: every model's pool is looked up and the model sized by
 * the planner (components/physical/planner.ts) ONCE here, on its way from config to objects;
 * everything downstream (the validation gate's platform and serving checks, the layers, the
 * offline plan) reads the {@link PlacedModel} instead of looking up or sizing again.
 * `parallelism: auto` is chosen by the planner, explicit parallelism is checked by it. Also checks
 * what the engine layer can build for that placement (multi-node mode, DRA, Triton's model
 * repository). Every problem is one line naming the config path, the numbers and the fix —
 * reported all at once, before any resource is registered.
 *
 * `planPlacements` is pure; `placedModels` throws the problems as a ConfigError.
 */
import type { Placement } from "../../components/types";
import { knowsArchitecture, packPods, PlanError, resolvePool } from "../../components/physical";
import { configuredPlacement, placementOf, planModel, poolUsage, type ModelPlan } from "../../components/physical/planner";

import type { ModelConfig, ParsedStackConfig, PoolConfig } from "../config/schema";
import { ConfigError } from "../config/load";

/** Config paths in messages carry the Pulumi config namespace, like every ConfigError line. */
const NS = "inference-platform";

/** One model with its pool and its size: what the layers build from. */
export interface PlacedModel {
    /** Index in `models[]`. */
    index: number;
    model: ModelConfig;
    /** The pool `model.pool` names (or the only pool). */
    pool: PoolConfig;
    /** Index of the pool in `fleet.pools[]`. */
    poolIndex: number;
    placement: Placement;
    /** The planner's answer (undefined for NIM images the catalog cannot size). */
    plan?: ModelPlan;
}

export interface PlacementPlan {
    /** One per `models[i]` (undefined only when that model has problems). */
    placements: (Placement | undefined)[];
    /** The planner's answer per model (undefined for NIM models it cannot size, and on problems). */
    plans: (ModelPlan | undefined)[];
    /** One per `models[i]` (undefined when that model has problems). */
    models: (PlacedModel | undefined)[];
    /** One line per problem, each starting with the config path. Empty when everything places. */
    problems: string[];
}

/** Plan and check every model. Pure. */
export function planPlacements(config: ParsedStackConfig): PlacementPlan {
    const problems: string[] = [];
    const plans: (ModelPlan | undefined)[] = config.models.map(() => undefined);
    const models: (PlacedModel | undefined)[] = config.models.map((model, i) => {
        let pool: PoolConfig;
        let poolIndex: number;
        try {
            ({ pool, index: poolIndex } = resolvePool(config.fleet.pools, model.pool, `models[${i}].pool`));
        } catch (e) {
            problems.push(planProblem(e));
            return undefined;
        }
        const kvProblem = kvCacheDtypeProblem(model, i);
        if (kvProblem) {
            problems.push(kvProblem);
            return undefined;
        }
        if (model.serving === "nim" && !knowsArchitecture(model)) {
            // A NIM picks its own engine profile; `model` is its image name, which the catalog cannot
            // size. Place it as configured (explicit parallelism, else one GPU) without memory checks.
            return { index: i, model, pool, poolIndex, placement: configuredPlacement(model, pool) };
        }
        try {
            const plan = planModel(model, pool, { index: i, poolIndex });
            plans[i] = plan;
            const placement = placementOf(plan);
            const engine = engineProblems(model, i, pool, placement);
            problems.push(...engine);
            return engine.length === 0 ? { index: i, model, pool, poolIndex, placement, plan } : undefined;
        } catch (e) {
            problems.push(planProblem(e));
            return undefined;
        }
    });
    const placements = models.map((p) => p?.placement);
    if (problems.length === 0) {
        // Pool capacity over all models' minimum replicas (each model alone already fits), from the plans above.
        try {
            poolUsage(config.fleet.pools, plans.filter((p): p is ModelPlan => p !== undefined));
        } catch (e) {
            problems.push(planProblem(e));
        }
    }
    if (problems.length === 0) problems.push(...prefillCapacityProblems(config, models as PlacedModel[]));
    return { placements, plans, models, problems };
}

/**
 * `kvCacheDtype` goes to vLLM and SGLang as `--kv-cache-dtype`; TensorRT-LLM fixes the KV-cache
 * dtype when its engine is built, a NIM picks its own profile, and a second `--kv-cache-dtype`
 * in extraArgs would contradict it.
 */
function kvCacheDtypeProblem(model: ModelConfig, i: number): string | undefined {
    if (model.kvCacheDtype === "auto") return undefined;
    const at = `${NS}:models[${i}].kvCacheDtype`;
    if (model.engine === "trtllm") return `${at}: got "${model.kvCacheDtype}" with engine "trtllm"; the TensorRT-LLM KV-cache dtype is set when the engine is built; allowed here: "auto"`;
    if (model.serving === "nim") return `${at}: got "${model.kvCacheDtype}" with serving "nim"; a NIM picks its own engine profile; allowed here: "auto"`;
    if (model.extraArgs.some((a) => a === "--kv-cache-dtype" || a.startsWith("--kv-cache-dtype="))) {
        return `${at}: got "${model.kvCacheDtype}" and extraArgs also set --kv-cache-dtype; set one of them`;
    }
    return undefined;
}

/** Prefill workers of a disaggregated (P/D) model: how many, and GPUs per prefill pod. Pure. */
export function prefillWorkers(model: ModelConfig, placement: Placement): { replicas: number; gpusPerPod: number; path: string } | undefined {
    switch (model.serving) {
        case "llmd":
            return model.llmd.prefillReplicas > 0
                ? { replicas: model.llmd.prefillReplicas, gpusPerPod: model.llmd.prefillTensor ?? placement.gpusPerPod, path: "llmd.prefillReplicas" }
                : undefined;
        case "llmisvc":
            return model.llmisvc.prefillReplicas > 0 ? { replicas: model.llmisvc.prefillReplicas, gpusPerPod: placement.gpusPerPod, path: "llmisvc.prefillReplicas" } : undefined;
        case "dynamo":
            return model.dynamo.disaggregated ? { replicas: model.dynamo.prefillReplicas, gpusPerPod: placement.gpusPerPod, path: "dynamo.prefillReplicas" } : undefined;
        default:
            return undefined;
    }
}

/**
 * The planner packs each model's (decode) replicas; prefill workers of P/D models take GPUs too.
 * Pack every pod of a pool — decode and prefill — onto its nodes.
 */
function prefillCapacityProblems(config: ParsedStackConfig, placed: PlacedModel[]): string[] {
    const withPrefill = placed.filter((p) => prefillWorkers(p.model, p.placement));
    if (withPrefill.length === 0) return [];
    const problems: string[] = [];
    config.fleet.pools.forEach((pool, poolIndex) => {
        const pods: number[] = [];
        const parts: string[] = [];
        let first: { i: number; path: string } | undefined;
        for (const { model: m, index: i, pool: own, placement: p } of placed) {
            if (own.name !== pool.name) continue;
            for (let k = 0; k < p.replicas * p.nodesPerReplica; k++) pods.push(p.gpusPerPod);
            parts.push(`${m.name} ${p.replicas * p.nodesPerReplica} × ${p.gpusPerPod}`);
            const pf = prefillWorkers(m, p);
            if (pf) {
                for (let k = 0; k < pf.replicas; k++) pods.push(pf.gpusPerPod);
                parts.push(`${m.name} prefill ${pf.replicas} × ${pf.gpusPerPod}`);
                first ??= { i, path: pf.path };
            }
        }
        if (!first) return;
        if (packPods(pods, pool.accelerator.perNode, pool.nodes) === undefined) {
            const need = pods.reduce((a, b) => a + b, 0);
            problems.push(
                `${NS}:models[${first.i}].${first.path}: pool "${pool.name}" (fleet.pools[${poolIndex}]) has ${pool.nodes} nodes × ${pool.accelerator.perNode} = ${pool.nodes * pool.accelerator.perNode} GPUs, but decode and prefill pods need ${parts.join(" + ")} = ${need} GPUs (whole pods per node); lower prefill or decode replicas, or add nodes`,
            );
        }
    });
    return problems;
}

/** Every model with its pool and placement; throws a ConfigError listing every problem. */
export function placedModels(config: ParsedStackConfig): PlacedModel[] {
    const { models, problems } = planPlacements(config);
    if (problems.length > 0) throw new ConfigError(problems);
    return models as PlacedModel[];
}

/** Every model's placement; throws a ConfigError listing every problem. */
export function placementsFor(config: ParsedStackConfig): Placement[] {
    return placedModels(config).map((p) => p.placement);
}

function planProblem(e: unknown): string {
    if (e instanceof PlanError) return `${NS}:${e.message}`;
    throw e;
}

/** What the engine layer cannot build for a placement, as config problems. Only for `serving: engine`. */
function engineProblems(model: ModelConfig, i: number, pool: PoolConfig, placement: Placement): string[] {
    if (model.serving !== "engine") return [];
    const at = (...p: string[]) => `${NS}:models[${i}]${p.map((s) => "." + s).join("")}`;
    const out: string[] = [];
    const vendor = pool.accelerator.vendor;
    const multi = placement.nodesPerReplica > 1;
    if (model.engine === "trtllm") {
        if (vendor !== "nvidia") out.push(`${at("engine")}: got "trtllm" on pool "${pool.name}" (${vendor}); TensorRT-LLM runs on NVIDIA only; allowed here: "vllm", "sglang"`);
        if (multi) {
            out.push(
                `${at("engine")}: got "trtllm", but one replica needs ${placement.nodesPerReplica} nodes (${placement.tensor * placement.pipeline} GPUs, ${pool.accelerator.perNode} per node); Triton + TensorRT-LLM is single-node here; use "vllm" or "sglang", or a pool with more GPUs per node`,
            );
        }
    }
    if (model.engine === "sglang" && vendor === "intel" && !model.image) {
        out.push(`${at("engine")}: got "sglang" on Intel Gaudi pool "${pool.name}"; the versions table has no SGLang Gaudi image; use "vllm" or set ${at("image").slice(NS.length + 1)}`);
    }
    if (multi) {
        if (vendor !== "nvidia") {
            out.push(
                `${at("parallelism")}: one replica needs ${placement.nodesPerReplica} nodes of pool "${pool.name}" (${vendor}); multi-node serving is supported on NVIDIA pools only; use a pool with more accelerators per node`,
            );
        }
        if (model.multiNode === "ray" && model.engine !== "vllm" && model.engine !== "trtllm") {
            out.push(`${at("multiNode")}: got "ray" with engine "${model.engine}"; Ray multi-node runs vLLM only; allowed: "lws"`);
        }
        if (model.multiNode === "ray" && (placement.replicas !== 1 || model.autoscaling)) {
            out.push(
                `${at("multiNode")}: got "ray" with ${model.autoscaling ? "autoscaling" : `${placement.replicas} replicas`}; one Ray cluster is one replica; allowed: "lws" (one group per replica), or replicas: 1`,
            );
        }
    }
    // DRA (vendor, Kubernetes version, platform.dra) is checked by the platform layer, which installs the driver.
    return out;
}
