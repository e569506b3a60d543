/**
 * The offline plan's extra outputs, on top of resources.json / manifests/ / plan.md:
 * plan.json (the planner's sizing per model, pool usage), plan.dot + plan.svg (layers,
 * components, dependency arrows, GPU maps) and the terminal table.
 */
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
    const planned = planModels(result.config);
    const maps = gpuMaps(result.config, planned);
    const graph = componentGraph(result.resources);
    const json = planJson(result.stack.name, result.config, planned, maps);
    const dot = planDot({ result, planned, maps, graph });
    const files: Record<string, string> = { "plan.json": JSON.stringify(json, null, 2) + "\n", "plan.dot": dot };
    if (opts.svg ?? true) files["plan.svg"] = await renderSvg(dot);
    return { planned, maps, graph, json, dot, table: renderTable(planned), files };
}
