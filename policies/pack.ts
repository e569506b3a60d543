/**
 * CrossGuard adapters: each pure rule becomes a Pulumi policy. Kept apart from index.ts (which
 * constructs the PolicyPack and so starts the analyzer server on import) so tests can drive the
 * exact policies the pack serves.
 *
 * Notes: when a rule cannot run for lack of config (no fleet), a resource/stack with no violations
 * is reported through `args.notApplicable(reason)` — the SDK's channel for "this policy did not
 * apply, and why" (shown by Pulumi Cloud), rather than a violation. When some checks ran and found
 * violations, only the violations are reported.
 */
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { fleetConfigSchema, fleetFromPolicyConfig } from "./lib/config";
import { subjectFromPulumi } from "./lib/workload";
import type { Rule, RuleMeta, StackItem } from "./lib/rule";
import { rules } from "./rules";

function meta(r: RuleMeta): Pick<ResourceValidationPolicy, "name" | "description" | "severity" | "enforcementLevel" | "remediationSteps" | "configSchema" | "tags"> {
    return {
        name: r.name,
        description: r.description,
        severity: r.severity,
        enforcementLevel: r.enforcementLevel,
        remediationSteps: r.remediationSteps,
        configSchema: r.fleet === "unused" ? undefined : fleetConfigSchema,
        tags: ["kubernetes", "gpu", "inference"],
    };
}

export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    switch (rule.scope) {
        case "resource":
            return {
                ...meta(rule),
                validateResource: (args, reportViolation) => {
                    const subject = subjectFromPulumi(args.type, args.props, args.name);
                    if (!subject) return;
                    const fleet = rule.fleet === "unused" ? undefined : fleetFromPolicyConfig(args.getConfig<object>(), rule.name);
                    const r = rule.check(subject, { fleet });
                    for (const v of r.violations) reportViolation(v);
                    if (r.violations.length === 0 && r.skipped) args.notApplicable(r.skipped);
                },
            };
        case "stack":
            return {
                ...meta(rule),
                validateStack: (args, reportViolation) => {
                    const items: StackItem[] = [];
                    for (const res of args.resources) {
                        const subject = subjectFromPulumi(res.type, res.props, res.name);
                        if (subject) items.push({ subject, id: res.urn });
                    }
                    const fleet = rule.fleet === "unused" ? undefined : fleetFromPolicyConfig(args.getConfig<object>(), rule.name);
                    const r = rule.check(items, { fleet });
                    for (const v of r.violations) reportViolation(v.message, v.item?.id);
                    if (r.violations.length === 0 && r.skipped) args.notApplicable(r.skipped);
                },
            };
        case "graph":
            return {
                ...meta(rule),
                validateStack: (args, reportViolation) => {
                    const r = rule.check(args.resources);
                    for (const v of r.violations) reportViolation(v.message, v.urn);
                },
            };
    }
}

/** The policies of the pack, in rule order. */
export const policies: Policies = rules.map(toPolicy);
