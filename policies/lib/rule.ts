/**
 * What a rule is, independent of how it runs (CrossGuard pack, YAML CLI, tests).
 * Rules are pure: input in, messages out; no Pulumi runtime, no I/O.
 */
import type { Severity } from "@pulumi/policy";
import type { Fleet } from "./config";
import type { ObjectRef, Subject } from "./workload";

export type { Severity };

/** Default enforcement levels this pack uses (users may override per policy in the config). */
export type DefaultEnforcement = "mandatory" | "advisory";

export interface RuleMeta {
    /** Policy name (kebab-case, unique in the pack). */
    name: string;
    /** One sentence: what the rule checks. */
    description: string;
    severity: Severity;
    enforcementLevel: DefaultEnforcement;
    /** How to fix a violation (shown by Pulumi Cloud; each message also names its own fix). */
    remediationSteps: string;
    /** Whether the policy reads `fleet` from its config ("partly": some checks run without it). */
    fleet: "required" | "partly" | "unused";
}

export interface RuleContext {
    fleet?: Fleet;
}

export interface RuleResult {
    violations: string[];
    /** Set when (part of) the rule could not run, e.g. no fleet configured; says what to configure. */
    skipped?: string;
}

export interface ResourceRule extends RuleMeta {
    scope: "resource";
    check(subject: Subject, ctx: RuleContext): RuleResult;
}

/** One object of a stack or a set of manifests, with an id to report against (URN or file#doc). */
export interface StackItem {
    subject: Subject;
    id: string;
}

export interface StackViolation {
    message: string;
    /** The object at fault; absent for whole-fleet findings. */
    item?: StackItem;
    /** What to name in reports when there is no item (e.g. the pool). */
    ref?: ObjectRef;
}

export interface StackRule extends RuleMeta {
    scope: "stack";
    check(items: StackItem[], ctx: RuleContext): { violations: StackViolation[]; skipped?: string };
}

/** The part of Pulumi's `PolicyResource` the dependency rule needs (PolicyResource satisfies it). */
export interface GraphNode {
    urn: string;
    type: string;
    name: string;
    props: Record<string, unknown>;
    parent?: GraphNode;
    dependencies: GraphNode[];
}

export interface GraphRule extends RuleMeta {
    scope: "graph";
    check(resources: GraphNode[]): { violations: { message: string; urn: string }[] };
}

export type Rule = ResourceRule | StackRule | GraphRule;

/** Helper: the fleet-missing note, worded the same everywhere. */
export function noFleet(what: string): string {
    return `no fleet in this policy's config, so ${what} was not checked: set "fleet": {"pools": [...]} (same shape as the stack config's fleet)`;
}
