/**
 * The stack schema against the components' own vocabulary, checked at compile time (`npm run
 * build`): a parsed `models[i]` is exactly a components {@link Model} (so it is also a
 * {@link ModelSpec} the engine and serving components take as is), a parsed pool exactly a
 * {@link Pool}, and the schema's enumerations list exactly the components' values. A field added
 * on one side only fails the build here.
 */
import type { Accelerator, EngineKind, Model, ModelSpec, MultiNodeMode, NodePool, Pool, ServingMode, Vendor, WorkloadKind } from "../../components/types";
import type { ModelConfig, PoolConfig } from "./schema";
import { engines, servingModes, vendors } from "./schema";

/** true when A and B are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** true when A is assignable to B. */
type Fits<A, B> = [A] extends [B] ? true : false;

export const schemaMatchesComponents: {
    model: Same<ModelConfig, Model>;
    modelIsSpec: Fits<ModelConfig, ModelSpec>;
    pool: Same<PoolConfig, Pool>;
    poolIsNodePool: Fits<PoolConfig, NodePool>;
    accelerator: Same<PoolConfig["accelerator"], Accelerator>;
    vendor: Same<(typeof vendors)[number], Vendor>;
    engine: Same<(typeof engines)[number], EngineKind>;
    serving: Same<(typeof servingModes)[number], ServingMode>;
    multiNode: Same<ModelConfig["multiNode"], MultiNodeMode>;
    workload: Same<ModelConfig["workload"], WorkloadKind>;
} = { model: true, modelIsSpec: true, pool: true, poolIsNodePool: true, accelerator: true, vendor: true, engine: true, serving: true, multiNode: true, workload: true };
