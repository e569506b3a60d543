import { arr, int, obj, objs, str } from "../lib/json";
import { containerClaims, draClassVendor, pinnedPools } from "../lib/resources";
import { describe, isKind, podGpus, workloadsOf, type PodView, type WorkloadView } from "../lib/workload";
import { noFleet, type StackItem, type StackRule, type StackViolation } from "../lib/rule";
import type { Fleet, Vendor } from "../lib/config";
import { podVendors } from "./gpus-per-pod-fit-node";
import { packOnPools, packPods } from "../lib/packing";

interface Autoscaler {
    kind: string;
    name: string;
    namespace?: string;
    min: number;
    max: number;
    source: string;
}

/** KEDA ScaledObjects and HPAs, by the object they scale. */
export function autoscalers(items: StackItem[]): Autoscaler[] {
    const out: Autoscaler[] = [];
    for (const { subject: s } of items) {
        if (s.form !== "k8s") continue;
        if (isKind(s, "keda.sh", "ScaledObject")) {
            const ref = obj(s.body, "spec", "scaleTargetRef");
            const name = str(ref, "name");
            if (!name) continue;
            // KEDA defaults: minReplicaCount 0, maxReplicaCount 100, target kind Deployment.
            out.push({ kind: str(ref, "kind") ?? "Deployment", name, namespace: s.ref.namespace, min: int(s.body, "spec", "minReplicaCount") ?? 0, max: int(s.body, "spec", "maxReplicaCount") ?? 100, source: describe(s.ref) });
        } else if (isKind(s, "autoscaling", "HorizontalPodAutoscaler")) {
            const ref = obj(s.body, "spec", "scaleTargetRef");
            const name = str(ref, "name");
            if (!name) continue;
            const max = int(s.body, "spec", "maxReplicas") ?? 1;
            out.push({ kind: str(ref, "kind") ?? "Deployment", name, namespace: s.ref.namespace, min: int(s.body, "spec", "minReplicas") ?? 1, max, source: describe(s.ref) });
        }
    }
    return out;
}

/** ResourceClaimTemplates: devices per claim and their vendor (from the DeviceClass name). */
export function claimTemplates(items: StackItem[]): Map<string, { count: number; vendor?: Vendor }> {
    const out = new Map<string, { count: number; vendor?: Vendor }>();
    for (const { subject: s } of items) {
        if (!isKind(s, "resource.k8s.io", "ResourceClaimTemplate") || s.form !== "k8s") continue;
        let count = 0;
        let vendor: Vendor | undefined;
        for (const r of objs(s.body, "spec", "spec", "devices", "requests")) {
            // resource.k8s.io/v1 nests the request under `exactly`; v1beta1 has it inline.
            const req = obj(r, "exactly") ?? r;
            if ((str(req, "allocationMode") ?? "ExactCount") !== "ExactCount") continue;
            count += int(req, "count") ?? 1;
            vendor = vendor ?? draClassVendor(str(req, "deviceClassName") ?? "");
        }
        out.set(`${s.ref.namespace ?? ""}/${s.ref.name}`, { count, vendor });
    }
    return out;
}

interface Demand {
    w: WorkloadView;
    pod: PodView;
    vendor: Vendor | undefined;
    pool?: string;
    gpusPerPod: number;
    pods: number;
}

function draGpus(p: PodView, ns: string | undefined, templates: Map<string, { count: number; vendor?: Vendor }>): { count: number; vendor?: Vendor } {
    const used = new Set(p.containers.flatMap((c) => containerClaims(c.container)));
    let count = 0;
    let vendor: Vendor | undefined;
    for (const rc of objs(p.spec, "resourceClaims")) {
        const tmpl = str(rc, "resourceClaimTemplateName") ?? str(rc, "source", "resourceClaimTemplateName");
        if (!tmpl || !used.has(str(rc, "name") ?? "")) continue;
        const t = templates.get(`${ns ?? ""}/${tmpl}`) ?? [...templates.entries()].find(([k]) => k.endsWith(`/${tmpl}`))?.[1];
        if (!t) continue;
        count += t.count;
        vendor = vendor ?? t.vendor;
    }
    return { count, vendor };
}

/** GPUs the stack needs at minimum or maximum replicas, pod by pod. */
export function demand(items: StackItem[], fleet: Fleet, at: "min" | "max"): Demand[] {
    const scalers = autoscalers(items);
    const templates = claimTemplates(items);
    const out: Demand[] = [];
    for (const item of items) {
        for (const w of workloadsOf(item.subject)) {
            let { min, max } = w.replicas;
            const sc = w.scaleTarget && scalers.find((a) => a.kind === w.scaleTarget?.kind && a.name === w.scaleTarget?.name && (a.namespace === undefined || w.ref.namespace === undefined || a.namespace === w.ref.namespace));
            if (sc) {
                // Autoscalers of a plain multi-node group count pods; one replica is groupSize of them.
                const per = w.scalesPods ? w.groupSize : 1;
                min = Math.ceil(sc.min / per);
                max = Math.ceil(Math.max(sc.max, sc.min) / per);
            }
            const replicas = at === "min" ? min : max;
            if (replicas === 0) continue;
            for (const p of w.pods) {
                const dp = podGpus(p);
                const dra = draGpus(p, w.ref.namespace, templates);
                const gpus = dp + dra.count;
                if (gpus === 0) continue;
                const vendors = podVendors(p, w.declaredVendor?.vendor);
                const vendor = [...vendors][0] ?? dra.vendor;
                const pinned = pinnedPools(p.spec, fleet.pools);
                out.push({ w, pod: p, vendor, pool: pinned.length === 1 ? pinned[0].name : undefined, gpusPerPod: gpus, pods: p.count * replicas });
            }
        }
    }
    return out;
}

function capacityViolations(items: StackItem[], fleet: Fleet, at: "min" | "max"): StackViolation[] {
    const needs = demand(items, fleet, at);
    const violations: StackViolation[] = [];
    const label = at === "min" ? "minimum replicas" : "maximum (autoscaling) replicas";
    const top = (ds: Demand[]): string =>
        ds
            .sort((a, b) => b.gpusPerPod * b.pods - a.gpusPerPod * a.pods)
            .slice(0, 4)
            .map((d) => `${describe(d.w.ref)}${d.w.part ? ` (${d.w.part})` : ""} ${d.pod.role}: ${d.pods} pod(s) × ${d.gpusPerPod}`)
            .join("; ");
    const sizes = (ds: Demand[]): number[] => ds.flatMap((d) => Array.from({ length: d.pods }, () => d.gpusPerPod));
    const packing = (ds: Demand[]): string => {
        const byGpus = new Map<number, number>();
        for (const d of ds) byGpus.set(d.gpusPerPod, (byGpus.get(d.gpusPerPod) ?? 0) + d.pods);
        return [...byGpus.entries()].sort((a, b) => b[0] - a[0]).map(([g, n]) => `${n} × ${g}-GPU`).join(" + ");
    };
    for (const pool of fleet.pools) {
        const ds = needs.filter((d) => d.pool === pool.name);
        const need = ds.reduce((n, d) => n + d.pods * d.gpusPerPod, 0);
        const have = pool.nodes * pool.accelerator.perNode;
        // Whole pods onto whole nodes, first-fit decreasing — exactly the planner's packPods.
        if (packPods(sizes(ds), pool.accelerator.perNode, pool.nodes) === undefined) {
            const why = need > have ? `needs ${need} GPUs at ${label} but has ${have}` : `needs ${need} of its ${have} GPUs at ${label}, but whole pods (${packing(ds)}) do not pack onto its nodes`;
            violations.push({
                ref: { kind: "Pool", name: pool.name },
                message: `pool "${pool.name}" ${why} (${pool.nodes} nodes × ${pool.accelerator.perNode}); biggest users: ${top(ds)}. Lower replicas${at === "max" ? "/autoscaling maxReplicas" : "/minReplicas"} or parallelism, or add nodes to the pool.`,
                item: ds.length === 1 ? items.find((i) => i.subject === ds[0].w.subject) : undefined,
            });
        }
    }
    const vendors = new Set(needs.map((d) => d.vendor).filter((v): v is Vendor => v !== undefined));
    const poolsOver = new Set(violations.map((v) => v.ref?.name));
    for (const vendor of vendors) {
        // A vendor-wide finding adds nothing when one of its pools is already reported over capacity.
        if (fleet.pools.some((p) => p.accelerator.vendor === vendor && poolsOver.has(p.name))) continue;
        const ds = needs.filter((d) => d.vendor === vendor);
        const need = ds.reduce((n, d) => n + d.pods * d.gpusPerPod, 0);
        const pools = fleet.pools.filter((p) => p.accelerator.vendor === vendor);
        const have = pools.reduce((n, p) => n + p.nodes * p.accelerator.perNode, 0);
        const names = pools.map((p) => p.name);
        const pods = ds.flatMap((d) => Array.from({ length: d.pods }, () => ({ gpus: d.gpusPerPod, pools: d.pool ? [d.pool] : names })));
        if (!packOnPools(pods, pools.map((p) => ({ name: p.name, nodes: p.nodes, perNode: p.accelerator.perNode })))) {
            const why = need > have ? `needs ${need} ${vendor} GPUs at ${label} but the fleet has ${have}` : `needs ${need} of the fleet's ${have} ${vendor} GPUs at ${label}, but whole pods (${packing(ds)}) do not pack onto its nodes`;
            violations.push({
                ref: { kind: "Fleet", name: vendor },
                message: `the stack ${why} (${pools.map((p) => `${p.name}: ${p.nodes}×${p.accelerator.perNode}`).join(", ") || "no pool"}); biggest users: ${top(ds)}. Lower replicas or parallelism, or add ${vendor} nodes to the fleet.`,
            });
        }
    }
    return violations;
}

function makeCapacityRule(at: "min" | "max"): StackRule {
    return {
        scope: "stack",
        name: at === "min" ? "fleet-capacity-at-min-replicas" : "fleet-capacity-at-max-replicas",
        description:
            at === "min"
                ? "The GPUs of all workloads at their minimum replicas (KEDA ScaledObject/HPA minReplicas, KServe minReplicas, replicas) fit the fleet, per pinned pool and per vendor."
                : "The GPUs of all workloads at their maximum autoscaling replicas (KEDA maxReplicaCount, HPA/KServe maxReplicas) fit the fleet, per pinned pool and per vendor.",
        severity: at === "min" ? "high" : "medium",
        enforcementLevel: at === "min" ? "mandatory" : "advisory",
        remediationSteps: "Lower replicas/minReplicas (or maxReplicas) or the GPUs per replica, or add nodes to the fleet (and to the policy config's fleet).",
        fleet: "required",
        check(items, ctx) {
            if (!ctx.fleet) {
                const anyGpu = items.some((i) => workloadsOf(i.subject).some((w) => w.pods.some((p) => podGpus(p) > 0 || arr(p.spec, "resourceClaims").length > 0)));
                return { violations: [], skipped: anyGpu ? noFleet(`fleet capacity at ${at === "min" ? "minimum" : "maximum"} replicas`) : undefined };
            }
            return { violations: capacityViolations(items, ctx.fleet, at) };
        },
    };
}

/** Rule 11 (mandatory part). */
export const fleetCapacityAtMin = makeCapacityRule("min");
/** Rule 11 (advisory part): autoscaling may legitimately exceed the fleet if a cluster autoscaler adds nodes. */
export const fleetCapacityAtMax = makeCapacityRule("max");

