/** Shared fixtures for the serving tests: parsed configs, placements, CRD-installer stand-ins. */
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, ParsedStackConfig, StackConfigInput } from "../../stacks/config/load";
import { placementsFor } from "../../stacks/stack/placement";
import type { Placement } from "../../components/engine/types";
import type { ModelConfig, PoolConfig } from "../../stacks/config/schema";
import type { RecordedResource } from "../../stacks/plan/mock-engine";

export const L40S_POOL = {
    name: "l40s",
    nodes: 4,
    accelerator: { vendor: "nvidia" as const, product: "NVIDIA-L40S", memoryGiB: 48, perNode: 1 },
    taints: [{ key: "dedicated", value: "inference", effect: "NoSchedule" as const }],
};
export const H100_POOL = {
    name: "h100",
    nodes: 4,
    accelerator: { vendor: "nvidia" as const, product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 },
    rdma: { nicsPerNode: 8, resourceName: "rdma/rdma_shared_device_a" },
};

export function config(
    models: StackConfigInput["models"],
    pools: StackConfigInput["fleet"]["pools"] = [L40S_POOL],
    platform: StackConfigInput["platform"] = {},
): ParsedStackConfig {
    return parseStackConfig({ fleet: { pools }, models, platform });
}

/** model, pool and planner placement of models[i]. */
export function modelArgs(cfg: ParsedStackConfig, i = 0): { namespace: string; model: ModelConfig; pool: PoolConfig; placement: Placement } {
    const model = cfg.models[i];
    const pool = cfg.fleet.pools.find((p) => p.name === (model.pool ?? cfg.fleet.pools[0].name))!;
    return { namespace: "inference", model, pool, placement: placementsFor(cfg)[i] };
}

export { installer, manifestInstaller } from "../helpers";

/* eslint-disable @typescript-eslint/no-explicit-any */
export function inputs(r: RecordedResource): any {
    return r.inputs as any;
}
/** The recorded custom resource as a manifest (for the upstream CRD schema check). */
export function manifestOf(r: RecordedResource): Record<string, unknown> {
    const { apiVersion, kind, metadata, spec } = r.inputs as any;
    return { apiVersion, kind, metadata, spec };
}
/** Helm values of a recorded release. */
export function valuesOf(r: RecordedResource): any {
    return (r.inputs as any).values;
}

/** The recorded type token of a custom resource. */
export function crType(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion}:${kind}`;
}

/** Resolve every Output inside a plain value (for checking computed chart values). */
export async function resolved(v: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(v)) return resolved(await new Promise((r) => (v as pulumi.Output<unknown>).apply((x) => (r(x), x))));
    if (Array.isArray(v)) return Promise.all(v.map(resolved));
    if (v !== null && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = await resolved(x);
        return out;
    }
    return v;
}
