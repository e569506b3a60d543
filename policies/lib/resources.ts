/**
 * Container-level facts: accelerator resources (device plugin and DRA), images, engine detection,
 * command-line parallelism, pool matching. Pure functions over plain JSON.
 */
import { arr, int, isObject, obj, objs, str, stringMap, type JsonObject } from "./json";
import type { Pool, Vendor } from "./config";

/** Device-plugin resource name → vendor. MIG profiles count as (fractions of) NVIDIA GPUs. */
export function gpuVendorOf(resource: string): Vendor | undefined {
    if (resource === "nvidia.com/gpu" || resource.startsWith("nvidia.com/mig-")) return "nvidia";
    if (resource === "amd.com/gpu") return "amd";
    if (resource === "habana.ai/gaudi" || resource.startsWith("gpu.intel.com/")) return "intel";
    return undefined;
}

/** DRA DeviceClass name → vendor. */
export function draClassVendor(deviceClassName: string): Vendor | undefined {
    if (/(^|\.)nvidia\.com$/.test(deviceClassName)) return "nvidia";
    if (/(^|\.)amd\.com$/.test(deviceClassName)) return "amd";
    if (/(^|\.)intel\.com$/.test(deviceClassName)) return "intel";
    return undefined;
}

export interface GpuRequest {
    resource: string;
    vendor: Vendor;
    /** Raw values as written (number or string), for messages. */
    limit: unknown;
    request: unknown;
    /** Whole number of devices, or undefined when the value is not a whole number. */
    count: number | undefined;
}

/** Whole-number parse of a Kubernetes quantity used for extended resources ("2", 2). */
export function wholeQuantity(v: unknown): number | undefined {
    if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? v : undefined;
    if (typeof v === "string" && /^\d+$/.test(v.trim())) return Number(v.trim());
    return undefined;
}

export function gpuRequests(container: JsonObject): GpuRequest[] {
    const limits = obj(container, "resources", "limits") ?? {};
    const requests = obj(container, "resources", "requests") ?? {};
    const names = new Set([...Object.keys(limits), ...Object.keys(requests)]);
    const out: GpuRequest[] = [];
    for (const resource of names) {
        const vendor = gpuVendorOf(resource);
        if (!vendor) continue;
        const limit = limits[resource];
        const request = requests[resource];
        out.push({ resource, vendor, limit, request, count: wholeQuantity(limit ?? request) });
    }
    return out;
}

/** Device-plugin GPUs of a container (non-whole values count as 0 here; rule 1 reports them). */
export function containerGpus(container: JsonObject): number {
    return gpuRequests(container).reduce((s, g) => s + (g.count ?? 0), 0);
}

/** Names of DRA claims a container uses (`resources.claims[].name`). */
export function containerClaims(container: JsonObject): string[] {
    return objs(container, "resources", "claims")
        .map((c) => str(c, "name"))
        .filter((n): n is string => n !== undefined);
}

/** Extended resources a container requests (limits ∪ requests) with their values. */
export function extendedResources(container: JsonObject): Record<string, unknown> {
    return { ...(obj(container, "resources", "requests") ?? {}), ...(obj(container, "resources", "limits") ?? {}) };
}

// ── images ───────────────────────────────────────────────────────────────────────────

/** Tag of an image reference ("" when untagged), and whether it carries a digest. */
export function imageParts(image: string): { repo: string; tag: string; digest: boolean } {
    const [nameTag, digest] = image.split("@", 2);
    const slash = nameTag.lastIndexOf("/");
    const colon = nameTag.lastIndexOf(":");
    const hasTag = colon > slash;
    return {
        repo: hasTag ? nameTag.slice(0, colon) : nameTag,
        tag: hasTag ? nameTag.slice(colon + 1) : "",
        digest: digest !== undefined && /^sha256:[a-f0-9]{64}$/.test(digest),
    };
}

/**
 * Engine images by name: a path segment or name part that is (or starts with) an engine name, so
 * `vllm/vllm-openai`, `rocm/vllm`, `…/ray2.41.0-py310-vllm0.7.0:latest`, `…/pytorch-inference-vllm-neuronx`.
 */
const ENGINE_IMAGE = /(^|[/_.-])(vllm|sglang|tritonserver|ray-llm|tensorrt-llm|tensorrtllm|trtllm|llm-d|huggingfaceserver)(?![a-z])|(^|\/)nvcr\.io\/nim\/|ai-dynamo\//i;
const ENGINE_COMMAND = /(^|[\s/])vllm\s+serve\b|vllm\.entrypoints|sglang\.launch_server|(^|[\s/])sglang\s+serve\b|\btritonserver\b|launch_triton_server\.py|ray\.serve\.llm|\btrtllm-serve\b/;

/** The command line of a container as one string (command + args), for engine detection. */
export function commandLine(container: JsonObject): string {
    return [...arr(container, "command"), ...arr(container, "args")].filter((s): s is string => typeof s === "string").join(" ");
}

export function isEngineImage(image: string | undefined): boolean {
    return image !== undefined && ENGINE_IMAGE.test(image);
}

/**
 * An inference engine process: an engine command, or an engine image — except a Ray worker
 * (`ray start` without `--head`) that only joins a cluster whose head runs and exposes the engine.
 */
export function isEngineContainer(container: JsonObject): boolean {
    const cmd = commandLine(container);
    if (ENGINE_COMMAND.test(cmd)) return true;
    const rayWorker = /\bray\s+start\b/.test(cmd) && !/--head\b/.test(cmd);
    return isEngineImage(str(container, "image")) && !rayWorker;
}

/** Which vendor an image is built for, from its name: ROCm → amd, Gaudi/Habana → intel, else undefined. */
export function imageVendorHint(image: string): Vendor | undefined {
    const name = imageParts(image).repo.toLowerCase() + ":" + imageParts(image).tag.toLowerCase();
    if (/rocm/.test(name)) return "amd";
    if (/gaudi|habana/.test(name)) return "intel";
    return undefined;
}

// ── parallelism from engine command lines: see cmdline.ts ─────────────────────────────

export { argParallelism, type ArgParallelism } from "./cmdline";

// ── pods on pools ────────────────────────────────────────────────────────────────────

/**
 * Pools a pod spec is pinned to: every label of the pool is required by the nodeSelector, or by
 * every required node-affinity term (`In`/`Exists`, or matchFields not considered).
 */
export function pinnedPools(podSpec: JsonObject, pools: readonly Pool[]): Pool[] {
    const nodeSelector = stringMap(podSpec, "nodeSelector");
    const terms = objs(podSpec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms");
    const termAllows = (term: JsonObject, key: string, value: string): boolean =>
        objs(term, "matchExpressions").some((e) => {
            if (str(e, "key") !== key) return false;
            const op = str(e, "operator");
            return op === "In" && arr(e, "values").includes(value);
        });
    return pools.filter((p) =>
        Object.entries(p.labels).every(
            ([k, v]) => nodeSelector[k] === v || (terms.length > 0 && terms.every((t) => termAllows(t, k, v))),
        ),
    );
}

/** True when the pod spec restricts nodes at all (nodeSelector or required node affinity). */
export function hasNodeConstraint(podSpec: JsonObject): boolean {
    return (
        Object.keys(stringMap(podSpec, "nodeSelector")).length > 0 ||
        objs(podSpec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms").length > 0
    );
}

/** Whether one toleration tolerates a taint (Kubernetes semantics). */
export function tolerates(toleration: JsonObject, taint: { key: string; value?: string; effect: string }): boolean {
    const key = str(toleration, "key");
    const op = str(toleration, "operator") ?? "Equal";
    const effect = str(toleration, "effect");
    if (effect && effect !== taint.effect) return false;
    if (!key) return op === "Exists";
    if (key !== taint.key) return false;
    return op === "Exists" || (str(toleration, "value") ?? "") === (taint.value ?? "");
}

export function isInMemoryShm(podSpec: JsonObject, container: JsonObject): boolean {
    const mount = objs(container, "volumeMounts").find((m) => str(m, "mountPath")?.replace(/\/+$/, "") === "/dev/shm");
    if (!mount) return false;
    const vol = objs(podSpec, "volumes").find((v) => str(v, "name") === str(mount, "name"));
    return vol !== undefined && str(vol, "emptyDir", "medium") === "Memory";
}

export function isNonEmptyObject(v: unknown): boolean {
    return isObject(v) && Object.keys(v).length > 0;
}

export { int };

/** Accelerators that are not GPUs (Google TPU, AWS Trainium/Inferentia): out of scope for the GPU rules. */
export const NON_GPU_ACCELERATOR = /^(google\.com\/tpu|aws\.amazon\.com\/neuron(core|device)?|aws\.amazon\.com\/neuron[a-z]*)$/;

export function nonGpuAccelerators(container: JsonObject): string[] {
    return Object.keys(extendedResources(container)).filter((r) => NON_GPU_ACCELERATOR.test(r));
}
