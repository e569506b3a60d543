import { arr } from "../lib/json";
import { pinnedPools } from "../lib/resources";
import { podGpus, replicaGpus, workloadsOf, workloadName } from "../lib/workload";
import { noFleet, type ResourceRule } from "../lib/rule";
import { podVendors } from "./gpus-per-pod-fit-node";

/** Rule 3: TP fits the NVLink domain; TP × PP (× local DP) equals the GPUs of one replica. */
export const parallelismMatchesTopology: ResourceRule = {
    scope: "resource",
    name: "parallelism-matches-topology",
    description: "Tensor parallel is at most the NVLink domain of the pool, and tensor × pipeline (× local data) parallel equals the GPUs of one replica (pod GPUs × LWS group size / Ray workers), as read from vLLM/SGLang/TensorRT-LLM arguments and KServe/llm-d parallelism.",
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: "Make --tensor-parallel-size × --pipeline-parallel-size equal the GPUs of the group (GPUs per pod × pods per group); keep tensor parallel within one NVLink domain and use pipeline parallel across nodes.",
    fleet: "partly",
    check(subject, ctx) {
        const violations: string[] = [];
        const notes: string[] = [];
        let needsFleet = false;
        for (const w of workloadsOf(subject)) {
            const replica = replicaGpus(w);
            const name = workloadName(w);
            // Accelerators the GPU rules do not cover (TPU, Trainium/Inferentia) or none at all: no GPU topology to compare with.
            const usesGpus = w.pods.some((p) => podGpus(p) > 0 || arr(p.spec, "resourceClaims").length > 0);
            for (const pv of w.parallelism) {
                const product = (pv.tensor ?? 1) * (pv.pipeline ?? 1) * (pv.dataLocal ?? 1);
                if (pv.uncertain && usesGpus) {
                    notes.push(`${name}: ${pv.where}: ${pv.uncertain}, so tensor × pipeline was not compared with the GPUs`);
                    continue;
                }
                if (pv.checkTotal && replica > 0 && w.groupUncertain) {
                    notes.push(`${name}: ${w.groupUncertain}, so ${pv.seen} was not compared with the GPUs of one replica`);
                } else if (pv.checkTotal && replica > 0) {
                    if (pv.scope === "pod") {
                        for (const p of w.pods) {
                            const g = podGpus(p);
                            if (g > 0 && (pv.tensor !== undefined || pv.dataLocal !== undefined) && g !== product) {
                                violations.push(`${name}: ${pv.where} gives ${pv.seen} = ${product} GPUs per pod but the ${p.role} pod requests ${g}; set the accelerator limit to ${product} (or leave it out so the chart computes it) or change the parallelism.`);
                            }
                        }
                    } else if (pv.worldSize !== undefined) {
                        if (pv.worldSize !== replica) {
                            violations.push(`${name}: ${pv.where} runs --world_size ${pv.worldSize} but one replica has ${replica} GPUs (${groupText(w)}); set --world_size to ${replica} or change the GPUs per pod.`);
                        }
                    } else if ((pv.tensor !== undefined || pv.pipeline !== undefined) && product !== replica) {
                        violations.push(`${name}: ${pv.where} sets ${pv.seen}, i.e. ${product} GPUs, but one replica has ${replica} GPUs (${groupText(w)}); make tensor × pipeline${pv.dataLocal ? " × data" : ""} parallel equal ${replica}, or change GPUs per pod / group size to ${product}.`);
                    }
                }
                if (pv.nnodes !== undefined && pv.nnodes !== w.groupSize) {
                    violations.push(`${name}: ${pv.where} sets --nnodes ${pv.nnodes} but the group has ${w.groupSize} pod(s); use --nnodes $(LWS_GROUP_SIZE) or match the group size.`);
                }
                if (pv.tensor === undefined || !usesGpus) continue;
                const tensor = pv.nvlinkTensor ?? pv.tensor;
                if (!ctx.fleet) {
                    needsFleet = true;
                    continue;
                }
                const gpuPods = w.pods.filter((p) => podGpus(p) > 0);
                const pinned = new Map(gpuPods.flatMap((p) => pinnedPools(p.spec, ctx.fleet?.pools ?? [])).map((x) => [x.name, x]));
                if (pinned.size > 0) {
                    for (const pool of pinned.values()) {
                        if (tensor > pool.nvlinkDomain) {
                            violations.push(`${name}: ${pv.where} sets tensor parallel ${tensor} but pool "${pool.name}" has NVLink domains of ${pool.nvlinkDomain} GPUs; tensor parallel across the network is very slow: use tensor parallel ≤ ${pool.nvlinkDomain} and pipeline parallel across nodes.`);
                        }
                    }
                } else {
                    const vendors = new Set(gpuPods.flatMap((p) => [...podVendors(p, w.declaredVendor?.vendor)]));
                    const pools = ctx.fleet.pools.filter((x) => vendors.size === 0 || vendors.has(x.accelerator.vendor));
                    const widest = Math.max(0, ...pools.map((x) => x.nvlinkDomain));
                    if (pools.length > 0 && tensor > widest) {
                        violations.push(`${name}: ${pv.where} sets tensor parallel ${tensor} but the widest NVLink domain in the fleet is ${widest} GPUs; use tensor parallel ≤ ${widest} and pipeline parallel across nodes.`);
                    }
                }
            }
        }
        const skipped = [...(needsFleet ? [noFleet("tensor parallel against the NVLink domain")] : []), ...notes];
        return { violations, skipped: skipped.length > 0 ? skipped.join("; ") : undefined };
    },
};

function groupText(w: ReturnType<typeof workloadsOf>[number]): string {
    return w.pods.map((p) => `${p.count} ${p.role} pod(s) × ${podGpus(p)} GPUs`).join(" + ");
}
