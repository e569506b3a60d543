import { str } from "../lib/json";
import { gpuRequests, imageVendorHint, pinnedPools } from "../lib/resources";
import { workloadsOf, workloadName } from "../lib/workload";
import { noFleet, type ResourceRule } from "../lib/rule";
import type { Vendor } from "../lib/config";
import { podVendors } from "./gpus-per-pod-fit-node";

const IMAGE_FOR: Record<Vendor, string> = {
    nvidia: "a CUDA image (no rocm/gaudi/habana in the name)",
    amd: "a ROCm image (\"rocm\" in the image name, e.g. rocm/vllm)",
    intel: "a Gaudi image (\"gaudi\" or \"habana\" in the image name)",
};

/** Rule 6: one accelerator vendor per pod; the image is built for that vendor; the pool has it. */
export const acceleratorVendorConsistent: ResourceRule = {
    scope: "resource",
    name: "accelerator-vendor-consistent",
    description: "A pod requests accelerators of one vendor only, each GPU container's image is built for that vendor (ROCm images for AMD, Gaudi/Habana images for Intel Gaudi, CUDA images for NVIDIA), and the pool it is pinned to has that vendor's accelerators.",
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: "Request one vendor's resource per pod, use the matching engine image (e.g. vllm/vllm-openai for NVIDIA, rocm/vllm for AMD, a Gaudi vLLM image for Intel) and pin the pod to a pool of that vendor.",
    fleet: "partly",
    check(subject, ctx) {
        const violations: string[] = [];
        let needsFleet = false;
        for (const w of workloadsOf(subject)) {
            const name = workloadName(w);
            for (const p of w.pods) {
                const at = `${name}: ${p.role} pod (${p.path})`;
                const declared = w.declaredVendor?.vendor;
                const vendors = podVendors(p, declared);
                if (vendors.size > 1) {
                    violations.push(`${at} requests accelerators of several vendors (${[...vendors].join(", ")}); one pod runs on one vendor's GPUs: split it into one pod per vendor.`);
                }
                if (w.declaredVendor && declared) {
                    for (const c of p.containers) {
                        for (const g of gpuRequests(c.container)) {
                            if (g.vendor !== declared) violations.push(`${at} container "${c.name}" requests ${g.resource} but ${w.declaredVendor.path} is "${w.declaredVendor.value}"; make them agree.`);
                        }
                    }
                }
                for (const c of p.containers) {
                    const own = new Set(gpuRequests(c.container).map((g) => g.vendor));
                    if (p.implicitGpus?.containers.includes(c.name) && declared) own.add(declared);
                    const image = str(c.container, "image");
                    if (own.size !== 1 || !image) continue;
                    const [vendor] = own;
                    const hint = imageVendorHint(image);
                    const intelNonGaudi = vendor === "intel" && gpuRequests(c.container).some((g) => g.resource.startsWith("gpu.intel.com/"));
                    if ((hint ?? "nvidia") !== vendor && !intelNonGaudi) {
                        violations.push(`${at} container "${c.name}" requests ${vendor} accelerators but its image "${image}" is built for ${hint ?? "NVIDIA/CUDA"}; use ${IMAGE_FOR[vendor]}.`);
                    }
                }
                if (vendors.size === 0) continue;
                if (!ctx.fleet) {
                    needsFleet = true;
                    continue;
                }
                for (const pool of pinnedPools(p.spec, ctx.fleet.pools)) {
                    if (!vendors.has(pool.accelerator.vendor)) {
                        violations.push(`${at} requests ${[...vendors].join("/")} accelerators but is pinned to pool "${pool.name}" of ${pool.accelerator.vendor} ${pool.accelerator.product}; pin it to a ${[...vendors].join("/")} pool or change its resource and image.`);
                    }
                }
            }
        }
        return { violations, skipped: needsFleet ? noFleet("the pinned pool's vendor") : undefined };
    },
};
