/**
 * Policy configuration: the GPU fleet, in the same shape as the stack config's `fleet`
 * (stacks/config/schema.ts `poolSchema`), so a stack's fleet can be pasted into the policy config.
 * Mirrored here on purpose: the pack is published on its own and imports nothing outside policies/.
 *
 * Two file shapes are accepted by the CLI (`--config`):
 *   1. Pulumi's policy-pack config (what `pulumi preview --policy-pack-config` and policy groups
 *      take): `{ "all"?: <level>, "<policy-name>": <level> | { "enforcementLevel"?, "fleet"? } }`.
 *   2. The shorthand `{ "fleet": {...} }`, which applies the fleet to every fleet-aware policy.
 */
import { z } from "zod";
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import * as k8s from "./k8s-names";

export const vendors = ["nvidia", "amd", "intel"] as const;
export type Vendor = (typeof vendors)[number];

export const enforcementLevels = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EnforcementLevel = (typeof enforcementLevels)[number];

// Kept equal to stacks/config/schema.ts (`dnsLabel`, `labelMap`, `taintSchema`, `poolSchema`, `fleetSchema`) by
// test/policies/fleet-contract.test.ts; the name rules are lib/k8s-names.ts (the pack's copy of
// components/common/k8s-validation.ts, checked equal by the same test).
const dnsLabel = z
    .string()
    .max(50, "must be at most 50 characters (names get suffixes such as -leader, -epp)")
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit");

function k8sString(rule: (s: string) => string | undefined) {
    return z.string().superRefine((s, ctx) => {
        const bad = rule(s);
        if (bad) ctx.addIssue({ code: "custom", message: bad });
    });
}

const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
    for (const [key, value] of Object.entries(labels)) {
        const badKey = k8s.qualifiedName(key);
        if (badKey) ctx.addIssue({ code: "custom", path: [key], message: `label key ${JSON.stringify(key)}: ${badKey}`, params: { got: key } });
        const badValue = k8s.labelValue(value);
        if (badValue) ctx.addIssue({ code: "custom", path: [key], message: `label value ${badValue}` });
    }
});

const positiveInt = z.number().int().positive();

const taintSchema = z.strictObject({
    key: k8sString(k8s.qualifiedName),
    value: k8sString(k8s.labelValue).optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).default("NoSchedule"),
});

const poolSchema = z
    .strictObject({
        name: dnsLabel,
        nodes: positiveInt.default(1),
        accelerator: z.strictObject({
            vendor: z.enum(vendors),
            product: z.string().min(1),
            memoryGiB: z.number().positive(),
            perNode: positiveInt,
        }),
        nvlinkDomain: positiveInt.optional(),
        rdma: z
            .strictObject({
                nicsPerNode: positiveInt,
                resourceName: k8sString(k8s.extendedResourceName),
            })
            .optional(),
        labels: labelMap.optional(),
        taints: z.array(taintSchema).default([]),
    })
    .transform((p) => ({
        ...p,
        nvlinkDomain: p.nvlinkDomain ?? p.accelerator.perNode,
        labels: p.labels ?? { "inference-platform/pool": p.name },
    }));

export const fleetSchema = z.strictObject({
    pools: z.array(poolSchema).min(1, "needs at least one node pool"),
});

export type Fleet = z.output<typeof fleetSchema>;
export type Pool = Fleet["pools"][number];
export type FleetInput = z.input<typeof fleetSchema>;

/** What one policy's `getConfig()` returns (Pulumi strips `enforcementLevel`). */
export interface PolicyConfig {
    fleet?: Fleet;
}

/** Parse a fleet; throws an Error naming every bad path, bad value and what is allowed. */
export function parseFleet(raw: unknown, where: string): Fleet {
    const r = fleetSchema.safeParse(raw);
    if (r.success) return r.data;
    const issues = r.error.issues.map((i) => `${where}.${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid fleet config:\n  ${issues.join("\n  ")}`);
}

/** The fleet of one policy's config (`getConfig()` result), or undefined when none is configured. */
export function fleetFromPolicyConfig(raw: unknown, policyName: string): Fleet | undefined {
    if (typeof raw !== "object" || raw === null || !("fleet" in raw)) return undefined;
    const f = (raw as { fleet?: unknown }).fleet;
    return f === undefined ? undefined : parseFleet(f, `${policyName}.fleet`);
}

// ── JSON schema for CrossGuard (configSchema) — kept in step with fleetSchema by a test ──

/**
 * The name rules of lib/k8s-names.ts as JSON Schema patterns (RE2-compatible, as the Pulumi CLI
 * validates policy config in Go). Two rules are left to the zod check every policy runs on its
 * config: the 253-character prefix limit and the reserved kubernetes.io resource domain.
 */
const QUALIFIED_NAME = "^(([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$";
const LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$";
const EXTENDED_RESOURCE = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)/([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$";

const taintJson: PolicyConfigJSONSchema = {
    type: "object",
    properties: {
        key: { type: "string", pattern: QUALIFIED_NAME },
        value: { type: "string", pattern: LABEL_VALUE },
        effect: { type: "string", enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"], default: "NoSchedule" },
    },
    required: ["key"],
    additionalProperties: false,
};

const poolJson: PolicyConfigJSONSchema = {
    type: "object",
    properties: {
        name: { type: "string", maxLength: 50, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", description: "Pool name." },
        nodes: { type: "integer", minimum: 1, default: 1, description: "Nodes in the pool. Defaults to 1." },
        accelerator: {
            type: "object",
            properties: {
                vendor: { type: "string", enum: [...vendors] },
                product: { type: "string", minLength: 1, description: 'e.g. "H100-SXM5-80GB", "MI300X", "Gaudi3".' },
                memoryGiB: { type: "number", exclusiveMinimum: 0 },
                perNode: { type: "integer", minimum: 1, description: "Accelerators per node." },
            },
            required: ["vendor", "product", "memoryGiB", "perNode"],
            additionalProperties: false,
        },
        nvlinkDomain: { type: "integer", minimum: 1, description: "GPUs per NVLink domain. Defaults to accelerator.perNode." },
        rdma: {
            type: "object",
            properties: {
                nicsPerNode: { type: "integer", minimum: 1 },
                resourceName: { type: "string", pattern: EXTENDED_RESOURCE, description: 'e.g. "rdma/rdma_shared_device_a" (not in the kubernetes.io domain).' },
            },
            required: ["nicsPerNode", "resourceName"],
            additionalProperties: false,
        },
        labels: {
            type: "object",
            propertyNames: { pattern: QUALIFIED_NAME },
            additionalProperties: { type: "string", pattern: LABEL_VALUE },
            description: 'Node labels selecting the pool. Defaults to {"inference-platform/pool": <name>}.',
        },
        taints: { type: "array", items: taintJson, default: [] },
    },
    required: ["name", "accelerator"],
    additionalProperties: false,
};

/** `configSchema` of every fleet-aware policy. */
export const fleetConfigSchema: PolicyConfigSchema = {
    properties: {
        fleet: {
            type: "object",
            description: "The GPU fleet, same shape as the stack config's `fleet`. Without it, fleet-dependent checks are skipped (reported as not applicable).",
            properties: { pools: { type: "array", minItems: 1, items: poolJson } },
            required: ["pools"],
            additionalProperties: false,
        },
    },
};

// ── CLI config file (both shapes) ────────────────────────────────────────────────────

export interface PackConfig {
    /** `all` from a Pulumi policy-pack config: overrides every policy's default level. */
    all?: EnforcementLevel;
    /** Per-policy settings, keyed by policy name. */
    policies: Record<string, { enforcementLevel?: EnforcementLevel; fleet?: Fleet }>;
    /** Shorthand `{ "fleet": ... }`: the fleet for every fleet-aware policy without its own. */
    fleet?: Fleet;
}

export function parsePackConfig(raw: unknown, knownPolicies: readonly string[]): PackConfig {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new Error("config must be a JSON object: either { \"fleet\": {...} } or a Pulumi policy-pack config keyed by policy name");
    }
    const out: PackConfig = { policies: {} };
    const level = (v: unknown, where: string): EnforcementLevel => {
        if (typeof v === "string" && (enforcementLevels as readonly string[]).includes(v)) return v as EnforcementLevel;
        throw new Error(`${where}: enforcement level ${JSON.stringify(v)} is not one of ${enforcementLevels.join(", ")}`);
    };
    for (const [key, value] of Object.entries(raw)) {
        if (key === "fleet") {
            out.fleet = parseFleet(value, "fleet");
        } else if (key === "all") {
            out.all = level(value, "all");
        } else if (knownPolicies.includes(key)) {
            if (typeof value === "string") {
                out.policies[key] = { enforcementLevel: level(value, key) };
            } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
                const v = value as Record<string, unknown>;
                const unknownKeys = Object.keys(v).filter((k) => k !== "enforcementLevel" && k !== "fleet");
                if (unknownKeys.length > 0) throw new Error(`${key}: unknown setting(s) ${unknownKeys.join(", ")} (allowed: enforcementLevel, fleet)`);
                out.policies[key] = {
                    enforcementLevel: v.enforcementLevel === undefined ? undefined : level(v.enforcementLevel, `${key}.enforcementLevel`),
                    fleet: v.fleet === undefined ? undefined : parseFleet(v.fleet, `${key}.fleet`),
                };
            } else {
                throw new Error(`${key}: must be an enforcement level or an object { enforcementLevel?, fleet? }`);
            }
        } else {
            throw new Error(`unknown config key "${key}": expected "fleet", "all" or a policy name (${knownPolicies.join(", ")})`);
        }
    }
    return out;
}
