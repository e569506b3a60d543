/**
 * The physical layer: fleet helpers, the model catalog and the sizing planner (pure functions,
 * no Pulumi resources).
 */
export * from "./catalog";
export * from "./fleet";
export {
    DEFAULT_KV_BYTES,
    expertParallelOf,
    RUNTIME_RESERVE_GIB,
    kvBytesFromArgs,
    memoryPerGpu,
    placeReplica,
    planAll,
    planJsonEntry,
    planModel,
    tensorSizeProblem,
    validTensorSizes,
} from "./planner";
export type { FleetPlan, GpuMemory, ModelPlan, PlanJsonEntry, PlanOptions, PoolUsage } from "./planner";
