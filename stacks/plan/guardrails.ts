/**
 * The policy pack's rules run over a plan, exactly as CrossGuard would see the registrations:
 * resource and stack rules on every Kubernetes object, the graph rule (CR → CRD installer) on the
 * parent/dependency graph. Used by the offline plan, the benchmarks and the tests.
 */
import { enforcementOf, evaluate, type Finding } from "../../policies/lib/evaluate";
import { parsePackConfig } from "../../policies/lib/config";
import type { GraphNode, StackItem } from "../../policies/lib/rule";
import { subjectFromPulumi } from "../../policies/lib/workload";
import { ruleNames, rules } from "../../policies/rules";
import type { ParsedStackConfig } from "../config/schema";
import type { RecordedResource } from "./mock-engine";
import { policyPackConfig } from "./extras";

/** The registrations as CrossGuard's resource and stack policies see them. */
export function policyItems(resources: readonly RecordedResource[]): StackItem[] {
    const items: StackItem[] = [];
    for (const r of resources) {
        if (!r.custom) continue;
        const subject = subjectFromPulumi(r.type, r.inputs, r.name);
        if (subject) items.push({ subject, id: r.urn });
    }
    return items;
}

/** The registrations as GraphNodes (PolicyResource-shaped: parent and dependencies resolved). */
export function graphNodes(resources: readonly RecordedResource[]): GraphNode[] {
    const byUrn = new Map<string, GraphNode>();
    for (const r of resources) byUrn.set(r.urn, { urn: r.urn, type: r.type, name: r.name, props: r.inputs, dependencies: [] });
    for (const r of resources) {
        const n = byUrn.get(r.urn)!;
        const parent = byUrn.get(r.parent);
        if (parent) n.parent = parent;
        n.dependencies = r.dependsOn.map((d) => byUrn.get(d)).filter((x): x is GraphNode => x !== undefined);
    }
    return [...byUrn.values()];
}

export interface GuardrailReport {
    findings: Finding[];
    notes: string[];
}

/** Every rule of the pack over a plan, configured with the stack's own fleet. */
export function runGuardrails(resources: readonly RecordedResource[], fleet: ParsedStackConfig["fleet"]): GuardrailReport {
    const cfg = parsePackConfig(JSON.parse(JSON.stringify(policyPackConfig(fleet))), ruleNames);
    const { findings, notes } = evaluate(policyItems(resources), rules, cfg);
    const nodes = graphNodes(resources);
    const byUrn = new Map(nodes.map((n) => [n.urn, n]));
    for (const rule of rules) {
        if (rule.scope !== "graph") continue;
        const level = enforcementOf(rule, cfg);
        if (level === "disabled") continue;
        for (const v of rule.check(nodes).violations) {
            const n = byUrn.get(v.urn);
            const props = (n?.props ?? {}) as { kind?: string; metadata?: { name?: string; namespace?: string } };
            findings.push({
                policy: rule.name,
                severity: rule.severity,
                enforcement: level === "remediate" ? "mandatory" : level,
                kind: props.kind ?? n?.type ?? "?",
                namespace: props.metadata?.namespace ?? null,
                name: props.metadata?.name ?? n?.name ?? v.urn,
                message: v.message,
            });
        }
    }
    // The graph rule runs here, so the YAML-only note about it does not apply.
    return { findings, notes: notes.filter((n) => !/needs the Pulumi resource graph/.test(n)) };
}
