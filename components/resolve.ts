/**
 * What every engine and serving component does first: apply the defaults of its `model` and
 * `pool` args (components/types.ts) and, when no `placement` is given, ask the pure planner
 * (components/physical/planner.ts).
 */
import { planPlacement } from "./physical/planner";
import { resolveModel, resolveNodePool, type Model, type ModelSpec, type NodePool, type Placement, type Pool } from "./types";

/** What a component works from once its model, pool and placement are resolved (defaults applied, placement planned). */
export type Resolved<A extends { model: ModelSpec; pool: NodePool; placement?: Placement }> = Omit<A, "model" | "pool" | "placement"> & {
    model: Model;
    pool: Pool;
    placement: Placement;
};

/** Apply the defaults of `args.model` and `args.pool`, and plan the placement when none is given. */
export function resolveArgs<A extends { model: ModelSpec; pool: NodePool; placement?: Placement }>(args: A): Resolved<A> {
    const model = resolveModel(args.model);
    const pool = resolveNodePool(args.pool);
    return { ...args, model, pool, placement: args.placement ?? planPlacement(model, pool) };
}

