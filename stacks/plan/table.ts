/**
 * The compact placement table the plan command prints to the terminal:
 * model, engine, serving, pool, TP×PP(×DP), GPUs (per replica × replicas), nodes, fits.
 */
import type { PlannedModel } from "./fleet-plan";

export const TABLE_HEADER = ["model", "engine", "serving", "pool", "TP×PP", "GPUs", "nodes", "fits"] as const;

/** One row of cells per model (strings, in TABLE_HEADER order). */
export function tableRows(planned: readonly PlannedModel[]): string[][] {
    return planned.map((p) => {
        const c = p.config;
        const plan = p.plan;
        if (!plan) return [c.name, c.engine, c.serving, p.pool ?? "?", "—", "—", "—", "no"];
        const layout = `${plan.tensorParallel}×${plan.pipelineParallel}${plan.dataParallel > 1 ? `×DP${plan.dataParallel}` : ""}`;
        const reps = plan.replicas.min === plan.replicas.max ? `${plan.replicas.min}` : `${plan.replicas.min}..${plan.replicas.max}`;
        const gpus = `${plan.gpusPerReplica} × ${reps}`;
        const nodes = `${plan.nodesPerReplica}/replica`;
        return [c.name, c.engine, c.serving, plan.pool, layout, gpus, nodes, plan.fits ? "yes" : "NO"];
    });
}

/** The table as aligned text lines, with notes for models that do not fit. */
export function renderTable(planned: readonly PlannedModel[]): string {
    const rows = [TABLE_HEADER.slice() as string[], ...tableRows(planned)];
    const widths = TABLE_HEADER.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
    const out = [line(rows[0]), widths.map((w) => "─".repeat(w)).join("  "), ...rows.slice(1).map(line)];
    if (planned.length === 0) out.push("(no models in this stack)");
    for (const p of planned) if (p.error) out.push(`! ${p.config.name}: ${p.error}`);
    return out.join("\n");
}
