/** Shared fixtures for the engine tests: parsed configs, placements, CRD-installer stand-ins. */
import { parseStackConfig, ParsedStackConfig, StackConfigInput } from "../../stacks/config/load";
import { placementsFor } from "../../stacks/stack/placement";
import type { Placement, ResolvedEngineArgs } from "../../components/engine/types";
import type { RecordedResource } from "../../stacks/plan/mock-engine";

export const H100_POOL = {
    name: "h100",
    nodes: 4,
    accelerator: { vendor: "nvidia" as const, product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 },
    rdma: { nicsPerNode: 8, resourceName: "rdma/rdma_shared_device_a" },
};

/** Parse a config with one H100 pool (unless `pools` is given) and the given models. */
export function config(models: StackConfigInput["models"], pools: StackConfigInput["fleet"]["pools"] = [H100_POOL]): ParsedStackConfig {
    return parseStackConfig({ fleet: { pools }, models });
}

/** EngineServerArgs for models[i] of a config, placed by the planner. */
export function serverArgs(cfg: ParsedStackConfig, i = 0, extra: Partial<ResolvedEngineArgs> = {}): ResolvedEngineArgs {
    const placements: Placement[] = placementsFor(cfg);
    const model = cfg.models[i];
    const pool = cfg.fleet.pools.find((p) => p.name === (model.pool ?? cfg.fleet.pools[0].name))!;
    return { namespace: "inference", model, pool, placement: placements[i], hfTokenSecretName: "hf-token", ...extra };
}

export { installer, manifestInstaller } from "../helpers";

// Recorded inputs are loosely typed JSON; the tests read them through these small accessors.
/* eslint-disable @typescript-eslint/no-explicit-any */
export function spec(r: RecordedResource): any {
    return (r.inputs as any).spec;
}
export function podSpecOf(r: RecordedResource): any {
    return (r.inputs as any).spec.template.spec;
}
export function containerOf(r: RecordedResource): any {
    return podSpecOf(r).containers[0];
}
/** The recorded resource as a manifest (for the upstream CRD schema check). */
export function manifestOf(r: RecordedResource): Record<string, unknown> {
    const { apiVersion, kind, metadata, spec: s } = r.inputs as any;
    return { apiVersion, kind, metadata, spec: s };
}
