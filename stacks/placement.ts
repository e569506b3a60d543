/** Turns a model's parallelism (explicit, or "auto" via the planner) into an engine Placement. */
import type { Placement } from "../components/engine/types";
import type { ParsedStackConfig } from "./schema";
import { poolOf } from "./config";

export function placementFor(config: ParsedStackConfig, index: number): Placement {
    const model = config.models[index];
    const pool = poolOf(config, model);
    const p = model.parallelism === "auto" ? { tensor: 1, pipeline: 1, data: 1 } : model.parallelism;
    const replicas = model.autoscaling ? model.autoscaling.min : model.replicas;
    const gpusPerReplica = p.tensor * p.pipeline * p.data;
    const nodesPerReplica = Math.ceil(gpusPerReplica / pool.accelerator.perNode);
    return {
        tensor: p.tensor,
        pipeline: p.pipeline,
        data: p.data,
        gpusPerPod: nodesPerReplica > 1 ? gpusPerReplica / nodesPerReplica : gpusPerReplica,
        nodesPerReplica,
        replicas,
    };
}
