/**
 * The one gate every stack passes before anything is registered: schema (config.ts), then the
 * planner's placements, the platform's component decisions and the serving checks — all problems
 * reported together, one line each, each naming its config path. Pure: the program, the offline
 * plan and the tests call it without the engine.
 */
import type { Placement } from "../../components/engine/types";
import type { ModelPlan } from "../../components/physical/planner";
import { ConfigError, path } from "./load";
import type { ParsedStackConfig } from "./schema";
import { planPlacements, type PlacedModel } from "../stack/placement";
import { platformDecisions, PlatformDecisions } from "../stack/layers/platform";
import { servingConfigProblems } from "../stack/layers/serving";

/** What the layers build from, computed once per stack. */
export interface StackPlan {
    /** One per `models[i]`: the model with its pool, placement and plan, looked up and sized once. */
    models: PlacedModel[];
    /** One per `models[i]`. */
    placements: Placement[];
    /** The planner's answer per model (undefined for NIM images the catalog cannot size). */
    plans: (ModelPlan | undefined)[];
    decisions: PlatformDecisions;
}

/** Check a parsed config end to end; throws one ConfigError with every problem. */
export function checkStack(config: ParsedStackConfig): StackPlan {
    const { placements, plans, models, problems } = planPlacements(config);
    // Later checks need every model placed.
    if (problems.length > 0) throw new ConfigError(problems);
    const all: string[] = [];
    let decisions: PlatformDecisions | undefined;
    try {
        decisions = platformDecisions(config, models as PlacedModel[]);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        all.push(...e.problems);
    }
    all.push(...servingConfigProblems(config, models as PlacedModel[]));
    all.push(...engineAutoscalingProblems(config));
    if (all.length > 0 || !decisions) throw new ConfigError(all);
    return { models: models as PlacedModel[], placements: placements as Placement[], plans, decisions };
}

/** Engine-served models scale through KEDA on a Prometheus query: both must be installed. */
export function engineAutoscalingProblems(config: ParsedStackConfig): string[] {
    const problems: string[] = [];
    config.models.forEach((m, i) => {
        if (m.serving !== "engine" || !m.autoscaling) return;
        if (config.platform.monitoring.enabled === false) {
            problems.push(`${path(["models", i, "autoscaling"])}: engines scale through KEDA on a Prometheus query, but platform.monitoring.enabled is false; enable monitoring or remove autoscaling`);
        }
        if (config.platform.keda.enabled === false) {
            problems.push(`${path(["models", i, "autoscaling"])}: engines scale through KEDA, but platform.keda.enabled is false; enable KEDA or remove autoscaling`);
        }
    });
    return problems;
}
