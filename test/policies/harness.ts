/**
 * In-house CrossGuard harness: builds the ResourceValidationArgs / StackValidationArgs the policy
 * SDK would pass (stackTags, getConfig, a notApplicable that throws and is caught here) and
 * collects what the policy reports. There is no usable official helper (see STYLE.md).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type {
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { policies } from "../../policies/pack";

export type Props = Record<string, unknown>;

class NotApplicable extends Error {
    constructor(readonly reason: string | undefined) {
        super(`not applicable: ${reason ?? ""}`);
    }
}

export interface PolicyRun {
    violations: string[];
    /** Reason given to notApplicable(), when the policy called it. */
    notApplicable?: string;
}

export interface StackPolicyRun {
    violations: { message: string; urn?: string }[];
    notApplicable?: string;
}

const opts: PolicyResourceOptions = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };
const stackTags: ReadonlyMap<string, string> = new Map([["env", "test"]]);

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::inference-platform::${type}::${name}`;
}

export function policy(name: string): ResourceValidationPolicy | StackValidationPolicy {
    const p = policies.find((x) => x.name === name);
    if (!p) throw new Error(`no policy named ${name}`);
    return p;
}

/** Run one resource policy on one resource (type + props), with an optional policy config. */
export async function validateResource(policyName: string, type: string, props: Props, config: object = {}, name = "test"): Promise<PolicyRun> {
    const p = policy(policyName);
    if (!("validateResource" in p) || !p.validateResource) throw new Error(`${policyName} is not a resource policy`);
    const violations: string[] = [];
    const args: ResourceValidationArgs = {
        type,
        props,
        urn: urnOf(type, name),
        name,
        opts,
        stackTags,
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
    try {
        for (const v of validations) await v(args, (message) => violations.push(message));
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.reason ?? "" };
        throw e;
    }
    return { violations };
}

export interface FakeResource {
    type: string;
    name: string;
    props: Props;
    parent?: string;
    dependsOn?: string[];
}

/** Run one stack policy on a set of resources; `parent`/`dependsOn` name other resources by name. */
export async function validateStack(policyName: string, resources: FakeResource[], config: object = {}): Promise<StackPolicyRun> {
    const p = policy(policyName);
    if (!("validateStack" in p)) throw new Error(`${policyName} is not a stack policy`);
    const byName = new Map<string, PolicyResource>();
    for (const r of resources) {
        byName.set(r.name, { type: r.type, name: r.name, urn: urnOf(r.type, r.name), props: r.props, opts, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined });
    }
    for (const r of resources) {
        const pr = byName.get(r.name) as PolicyResource;
        if (r.parent) pr.parent = must(byName, r.parent);
        pr.dependencies = (r.dependsOn ?? []).map((d) => must(byName, d));
    }
    const violations: { message: string; urn?: string }[] = [];
    const args: StackValidationArgs = {
        resources: [...byName.values()],
        stackTags,
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        await p.validateStack(args, (message, urn) => violations.push({ message, urn }));
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.reason ?? "" };
        throw e;
    }
    return { violations };
}

function must(m: Map<string, PolicyResource>, name: string): PolicyResource {
    const r = m.get(name);
    if (!r) throw new Error(`harness: no resource named ${name}`);
    return r;
}

// ── manifests as Pulumi resources ───────────────────────────────────────────────────

const BUILTIN: Record<string, string> = { v1: "core/v1", "apps/v1": "apps/v1", "autoscaling/v2": "autoscaling/v2", "resource.k8s.io/v1": "resource.k8s.io/v1" };

/** The Pulumi type the Kubernetes provider gives a manifest (custom resources as CustomResource). */
export function pulumiTypeOf(manifest: Props): string {
    const apiVersion = String(manifest.apiVersion);
    const kind = String(manifest.kind);
    const builtin = BUILTIN[apiVersion];
    return builtin ? `kubernetes:${builtin}:${kind}` : "kubernetes:apiextensions.k8s.io:CustomResource";
}

export function readYaml(file: string): Props[] {
    return parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS() as Props);
}

export const fixtures = path.join(__dirname, "fixtures");
export const h100Config = JSON.parse(fs.readFileSync(path.join(fixtures, "policy-config.h100.json"), "utf8")) as { fleet: object };

export function clone<T>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
}
