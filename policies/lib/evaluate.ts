/**
 * Runs every rule over a set of objects outside Pulumi (the YAML CLI, plan checks, tests),
 * applying the same per-policy config and enforcement levels a policy-pack config gives CrossGuard.
 */
import type { EnforcementLevel, PackConfig } from "./config";
import type { Rule, Severity, StackItem } from "./rule";
import type { ObjectRef } from "./workload";

export interface Finding {
    policy: string;
    severity: Severity;
    enforcement: Exclude<EnforcementLevel, "disabled" | "remediate">;
    kind: string;
    namespace: string | null;
    name: string;
    message: string;
}

export interface Evaluation {
    findings: Finding[];
    /** Rules or parts of rules that did not run, and why (never affects the exit code). */
    notes: string[];
}

export function enforcementOf(rule: Rule, cfg: PackConfig): EnforcementLevel {
    return cfg.policies[rule.name]?.enforcementLevel ?? cfg.all ?? rule.enforcementLevel;
}

export function evaluate(items: StackItem[], rules: readonly Rule[], cfg: PackConfig): Evaluation {
    const findings: Finding[] = [];
    const notes = new Set<string>();
    for (const rule of rules) {
        const level = enforcementOf(rule, cfg);
        if (level === "disabled") continue;
        // Stack policies cannot remediate; CrossGuard reports remediate-level violations as mandatory.
        const enforcement = level === "remediate" ? "mandatory" : level;
        const fleet = rule.fleet === "unused" ? undefined : (cfg.policies[rule.name]?.fleet ?? cfg.fleet);
        const push = (ref: ObjectRef, message: string): void => {
            findings.push({ policy: rule.name, severity: rule.severity, enforcement, kind: ref.kind, namespace: ref.namespace ?? null, name: ref.name, message });
        };
        switch (rule.scope) {
            case "resource":
                for (const item of items) {
                    const r = rule.check(item.subject, { fleet });
                    r.violations.forEach((m) => push(item.subject.ref, m));
                    if (r.skipped) notes.add(`${rule.name}: ${r.skipped}`);
                }
                break;
            case "stack": {
                const r = rule.check(items, { fleet });
                r.violations.forEach((v) => push(v.item?.subject.ref ?? v.ref ?? { kind: "Stack", name: "(all)" }, v.message));
                if (r.skipped) notes.add(`${rule.name}: ${r.skipped}`);
                break;
            }
            case "graph":
                notes.add(`${rule.name}: needs the Pulumi resource graph (dependsOn/parents), so it runs only under CrossGuard, not on plain manifests`);
                break;
        }
    }
    return { findings, notes: [...notes] };
}
