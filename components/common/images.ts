/**
 * Container image references and the registry mirror (`platform.imageRegistry`).
 *
 * A mirror keeps each image's path and tag and replaces only its registry:
 *   nvcr.io/nvidia/gpu-operator:v26.7.0  → registry.internal:5000/nvidia/gpu-operator:v26.7.0
 *   vllm/vllm-openai:v0.11.0             → registry.internal:5000/vllm/vllm-openai:v0.11.0
 *   busybox:1.37                         → registry.internal:5000/library/busybox:1.37
 * (the layout `crane copy`/`skopeo copy` produce when mirroring the list in images.txt). Every
 * component maps the images it sets through `mirrorImage`; chart images go through the chart's
 * image values (components/common/chart-images.ts).
 */

/** The docker.io default a reference without a registry host means. */
export const DEFAULT_REGISTRY = "docker.io";

export interface ImageRef {
    /** Registry host (with port), e.g. "nvcr.io", "docker.io". */
    registry: string;
    /** Repository path in the registry, e.g. "nvidia/gpu-operator", "library/busybox". */
    path: string;
    tag?: string;
    digest?: string;
}

/** True when the first path segment names a registry host (has a dot or port, or is localhost). */
function isRegistryHost(segment: string): boolean {
    return segment.includes(".") || segment.includes(":") || segment === "localhost";
}

export function parseImage(ref: string): ImageRef {
    let rest = ref.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let tag: string | undefined;
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    const parts = rest.split("/");
    let registry = DEFAULT_REGISTRY;
    if (parts.length > 1 && isRegistryHost(parts[0])) registry = parts.shift()!;
    if (registry === DEFAULT_REGISTRY && parts.length === 1) parts.unshift("library");
    return { registry, path: parts.join("/"), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function formatImage(r: ImageRef): string {
    return `${r.registry}/${r.path}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
}

/** The fully qualified form, e.g. "vllm/vllm-openai:v0.11.0" → "docker.io/vllm/vllm-openai:v0.11.0". */
export function normalizeImage(ref: string): string {
    return formatImage(parseImage(ref));
}

/** Neither a pinned tag nor a digest: untagged (pulls `latest`) or `:latest` itself. */
export function isFloatingImage(ref: string): boolean {
    const r = parseImage(ref);
    return !r.digest && (!r.tag || r.tag === "latest");
}

/** Registry host (and optional path prefix) of a mirror, without trailing slashes. */
function mirrorPrefix(registry: string): string {
    return registry.replace(/^[a-z]+:\/\//, "").replace(/\/+$/, "");
}

/**
 * The image as pulled through the mirror (unchanged without one). An image already in the mirror
 * stays as it is.
 */
export function mirrorImage(ref: string, registry: string | undefined): string {
    if (!registry) return ref;
    const prefix = mirrorPrefix(registry);
    if (ref.startsWith(`${prefix}/`)) return ref;
    const r = parseImage(ref);
    return formatImage({ ...r, registry: prefix });
}

/**
 * A repository without tag (chart values split repository and tag), e.g. "nvcr.io/nvidia" or
 * "registry.k8s.io/lws/lws", through the mirror. A bare "busybox" becomes "<mirror>/library/busybox".
 */
export function mirrorRepository(repo: string, registry: string | undefined): string {
    if (!registry) return repo;
    const prefix = mirrorPrefix(registry);
    if (repo === prefix || repo.startsWith(`${prefix}/`)) return repo;
    const parts = repo.split("/");
    if (parts.length === 1 && isRegistryHost(parts[0])) return prefix;
    if (parts.length > 1 && isRegistryHost(parts[0])) parts.shift();
    else if (parts.length === 1) parts.unshift("library");
    return [prefix, ...parts].join("/");
}

/** True when the (fully qualified) image is pulled from the mirror. */
export function inMirror(ref: string, registry: string): boolean {
    return normalizeImage(ref).startsWith(`${mirrorPrefix(registry)}/`);
}
