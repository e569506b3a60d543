/**
 * The offline plan's extra outputs, on top of resources.json / manifests/ / plan.md:
 * plan.json (the planner's sizing per model, pool usage), plan.dot + plan.svg (layers,
 * components, dependency arrows, GPU maps), policy-config.json (the guardrail pack's config for
 * this stack's fleet: `pulumi preview --policy-pack policies --policy-pack-config …`, or
 * `pulumi policy enable … --config …`) and the terminal table.
 */
import { rules } from "../../policies/rules";
import type { ParsedStackConfig } from "../config/schema";
import type { PlanResult } from "./plan";
import { gpuMaps, planJson, planModels, type PlanJson, type PlannedModel, type PoolMap } from "./fleet-plan";
import { componentGraph, type ComponentGraph } from "./graph";
import { planDot, renderSvg } from "./diagram";
import { renderTable } from "./table";

export interface PlanExtras {
    planned: PlannedModel[];
    maps: PoolMap[];
    graph: ComponentGraph;
    json: PlanJson;
    dot: string;
    table: string;
    /** Files for writePlan's `extra` argument. */
    files: Record<string, string>;
}

export async function planExtras(result: PlanResult, opts: { svg?: boolean } = {}): Promise<PlanExtras> {
    const planned = planModels(result.config, result.plan?.models);
    const maps = gpuMaps(result.config, planned);
    const graph = componentGraph(result.resources);
    const json = planJson(result.stack.name, result.config, planned, maps);
    const dot = planDot({ result, planned, maps, graph });
    const files: Record<string, string> = {
        "plan.json": JSON.stringify(json, null, 2) + "\n",
        "plan.dot": dot,
        "policy-config.json": JSON.stringify(policyPackConfig(result.config.fleet), null, 2) + "\n",
    };
    if (opts.svg ?? true) files["plan.svg"] = await renderSvg(dot);
    return { planned, maps, graph, json, dot, table: renderTable(planned), files };
}

/**
 * The policy pack's config for a fleet, keyed by policy name as CrossGuard expects
 * (`--policy-pack-config`, `pulumi policy enable --config`): every fleet-aware policy gets the
 * stack's fleet. Enforcement levels stay the pack's defaults.
 */
export function policyPackConfig(fleet: ParsedStackConfig["fleet"]): Record<string, { fleet: ParsedStackConfig["fleet"] }> {
    const out: Record<string, { fleet: ParsedStackConfig["fleet"] }> = {};
    for (const r of rules) if (r.fleet !== "unused") out[r.name] = { fleet };
    return out;
}
