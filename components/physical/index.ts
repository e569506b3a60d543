/**
 * The physical layer: fleet helpers, the model catalog and the sizing planner (pure functions,
 * no Pulumi resources).
 */
export * from "./catalog";
export * from "./fleet";
export * from "./quant";
export { cachedModelConfig, modelConfigCacheDir, readModelConfig, shapesFromConfig } from "./hfconfig";
export {
    CUDA_GRAPH_GIB,
    DEFAULT_KV_BYTES,
    NCCL_RESERVE_GIB,
    expertParallelOf,
    RUNTIME_RESERVE_GIB,
    kvBytesFromArgs,
    kvBytesOf,
    maxBatchedTokens,
    runtimeOverhead,
    memoryPerGpu,
    placeReplica,
    planAll,
    planJsonEntry,
    planModel,
    poolUsage,
    tensorSizeProblem,
    validTensorSizes,
} from "./planner";
export type { FleetPlan, GpuMemory, ModelPlan, PlanJsonEntry, PlanOptions, PoolUsage, RuntimeOverhead } from "./planner";
