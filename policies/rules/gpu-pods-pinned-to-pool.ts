import { objs } from "../lib/json";
import { pinnedPools, tolerates } from "../lib/resources";
import { podGpus, workloadsOf, workloadName } from "../lib/workload";
import { noFleet, type ResourceRule } from "../lib/rule";
import { podVendors } from "./gpus-per-pod-fit-node";

/** Rule 8: GPU pods select a pool by its node labels and tolerate its taints. */
export const gpuPodsPinnedToPool: ResourceRule = {
    scope: "resource",
    name: "gpu-pods-pinned-to-pool",
    description: "Pods requesting device-plugin GPUs are pinned to a GPU pool (nodeSelector or required node affinity on all of the pool's labels) and tolerate the pool's NoSchedule/NoExecute taints.",
    severity: "medium",
    enforcementLevel: "mandatory",
    remediationSteps: "Add the pool's labels as nodeSelector (e.g. inference-platform/pool: <pool>) and a toleration for each of its taints.",
    fleet: "required",
    check(subject, ctx) {
        const violations: string[] = [];
        let needsFleet = false;
        for (const w of workloadsOf(subject)) {
            const name = workloadName(w);
            for (const p of w.pods) {
                if (podGpus(p) === 0) continue;
                if (!ctx.fleet) {
                    needsFleet = true;
                    continue;
                }
                const at = `${name}: ${p.role} pod (${p.path})`;
                const pools = pinnedPools(p.spec, ctx.fleet.pools);
                if (pools.length === 0) {
                    const vendors = podVendors(p, w.declaredVendor?.vendor);
                    const fitting = ctx.fleet.pools.filter((x) => vendors.has(x.accelerator.vendor));
                    const hint = (fitting.length > 0 ? fitting : ctx.fleet.pools).map((x) => `"${x.name}": nodeSelector ${JSON.stringify(x.labels)}`).join("; ");
                    violations.push(`${at} requests GPUs but is not pinned to a pool (no nodeSelector/required node affinity on a pool's labels), so it may land on the wrong GPU model: pin it, e.g. ${hint}.`);
                    continue;
                }
                const tolerations = objs(p.spec, "tolerations");
                for (const pool of pools) {
                    for (const taint of pool.taints.filter((t) => t.effect !== "PreferNoSchedule")) {
                        if (!tolerations.some((t) => tolerates(t, taint))) {
                            const shown = `${taint.key}${taint.value !== undefined ? `=${taint.value}` : ""}:${taint.effect}`;
                            violations.push(`${at} is pinned to pool "${pool.name}" but does not tolerate its taint ${shown}, so it can never schedule: add toleration {key: "${taint.key}", operator: ${taint.value !== undefined ? `Equal, value: "${taint.value}"` : "Exists"}, effect: ${taint.effect}}.`);
                        }
                    }
                }
            }
        }
        return { violations, skipped: needsFleet ? noFleet("pool pinning and taint tolerations") : undefined };
    },
};
