import { str } from "../lib/json";
import { containerGpus, imageParts, isEngineContainer } from "../lib/resources";
import { describe, workloadsOf } from "../lib/workload";
import type { ResourceRule } from "../lib/rule";

/** Rule 9: engine (and GPU) container images are pinned to a tag or digest. */
export const engineImagesPinned: ResourceRule = {
    scope: "resource",
    name: "engine-images-pinned",
    description: "Inference engine images (vLLM, SGLang, Triton/TensorRT-LLM, Ray LLM, NIM, llm-d) and GPU container images are pinned to a tag or digest: no :latest, no untagged image.",
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: "Pin the image to a released tag (e.g. vllm/vllm-openai:v0.11.0) or a digest (@sha256:…).",
    fleet: "unused",
    check(subject) {
        const violations: string[] = [];
        for (const w of workloadsOf(subject)) {
            for (const p of w.pods) {
                for (const c of p.containers) {
                    const image = str(c.container, "image");
                    if (!image) continue;
                    const engineOrGpu = isEngineContainer(c.container) || containerGpus(c.container) > 0 || (p.implicitGpus?.containers.includes(c.name) ?? false);
                    if (!engineOrGpu) continue;
                    const { tag, digest } = imageParts(image);
                    if (digest) continue;
                    const at = `${describe(w.ref)}: ${p.role} container "${c.name}" (${p.path})`;
                    if (tag === "") violations.push(`${at} uses untagged image "${image}" (that means :latest, which changes under you and differs between nodes): pin a released tag or a @sha256 digest.`);
                    else if (tag === "latest") violations.push(`${at} uses "${image}"; :latest changes under you and differs between nodes: pin a released tag or a @sha256 digest.`);
                }
            }
        }
        return { violations };
    },
};
