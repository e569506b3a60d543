import { gpuRequests, wholeQuantity } from "../lib/resources";
import { describe, isServingRuntime, unjudgedGpuRequest, workloadsOf } from "../lib/workload";
import type { ResourceRule } from "../lib/rule";

/** Rule 1: device-plugin accelerators are whole devices, set in limits; requests (if any) equal limits. */
export const gpuWholeNumberLimits: ResourceRule = {
    scope: "resource",
    name: "gpu-whole-number-limits",
    description: "GPU resources (nvidia.com/gpu, nvidia.com/mig-*, amd.com/gpu, habana.ai/gaudi) are requested as whole numbers in limits, with requests equal to limits when present.",
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: "Set resources.limits.<gpu-resource> to a whole number (e.g. \"1\"); drop the request or make it equal to the limit. For a fraction of a GPU use a MIG profile resource or GPU time-slicing, not a fractional quantity.",
    fleet: "unused",
    check(subject) {
        const violations: string[] = [];
        for (const w of workloadsOf(subject)) {
            for (const p of w.pods) {
                for (const c of p.containers) {
                    for (const g of gpuRequests(c.container)) {
                        const at = `${describe(w.ref)}: ${p.role} container "${c.name}" (${p.path})`;
                        if (g.limit === undefined) {
                            violations.push(`${at} requests ${g.resource}: ${JSON.stringify(g.request)} without a limit; extended resources are allocated from limits: set resources.limits["${g.resource}"] to the same whole number.`);
                            continue;
                        }
                        const limit = wholeQuantity(g.limit);
                        if (limit === undefined) {
                            violations.push(`${at} sets limits["${g.resource}"] to ${JSON.stringify(g.limit)}, which is not a whole number of devices; use a whole number (e.g. "1"), or a MIG profile / time-slicing for a fraction of a GPU.`);
                            continue;
                        }
                        if (g.request !== undefined && wholeQuantity(g.request) !== limit) {
                            violations.push(`${at} sets requests["${g.resource}"] to ${JSON.stringify(g.request)} but limits to ${JSON.stringify(g.limit)}; GPU requests must equal limits: remove the request or set it to ${limit}.`);
                        }
                    }
                }
            }
        }
        // Every GPU-bearing object the pack cannot judge says so (MPIJob, ServingRuntimes, other CRDs).
        const unjudged = unjudgedGpuRequest(subject);
        const note = unjudged
            ? `${describe(subject.ref)} requests GPUs (${unjudged}) but ${isServingRuntime(subject) ? "a serving runtime is a template merged into InferenceService pods" : `the pack does not model kind ${subject.form === "k8s" ? subject.apiVersion : ""} ${subject.ref.kind}`}, so no GPU rule judged it`
            : undefined;
        return { violations, skipped: note };
    },
};
