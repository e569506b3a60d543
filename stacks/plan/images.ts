/**
 * The image inventory of a plan (out/<stack>/images.txt): every container image the stack will
 * pull, from the objects the program creates (engine workloads, operator CRs) and from every
 * object its Helm releases render, each with where it comes from.
 *
 * Images are found where Kubernetes and the operators read them:
 *  - `image` strings (containers, init containers, ephemeral containers, and CRs that name a whole
 *    reference: Prometheus, DeviceConfig.spec.driver.image, KServe runtimes, Dynamo, …);
 *  - `<x>Image` strings (DeviceConfig `devicePluginImage`, `nodeLabellerImage`, …);
 *  - NVIDIA-style triples `{repository, image, version}` (ClusterPolicy, NicClusterPolicy) and
 *    `{repository, tag}` maps (NIMService/NIMCache `spec.image`);
 *  - env vars whose name says IMAGE (operators' RELATED_IMAGE_* and *_IMAGE defaults);
 *  - flags `--<x>-image=<ref>` / `--prometheus-config-reloader=<ref>` in container args;
 *  - JSON documents in ConfigMap data (KServe's inferenceservice-config) walked the same way.
 */
import type { RecordedResource } from "./mock-engine";
import { renderManifests } from "./plan";
import type { RenderedObject } from "./render";
import { isFloatingImage, normalizeImage } from "../../components/common/images";

export interface ImageUse {
    /** As written in the object. */
    ref: string;
    /** Where: "<release> <Kind>/<name> <field path>" or "program <Kind>/<name> <field path>". */
    source: string;
}

export interface ImageEntry {
    /** Fully qualified reference (docker.io/… filled in). */
    image: string;
    sources: string[];
    floating: boolean;
}

const IMAGE_FLAG = /^--?([\w.-]*image[\w.-]*|prometheus-config-reloader)=(.+)$/i;

/** Looks like an image reference (not a pull policy, an empty string or a template placeholder). */
function plausible(ref: string): boolean {
    return /^[a-z0-9][\w.\-/:@]*$/i.test(ref) && !/^(Always|IfNotPresent|Never)$/.test(ref) && /[/:]|^[a-z0-9-]+$/.test(ref);
}

/** Every image named in one object. */
export function imagesInObject(doc: unknown, where: string): ImageUse[] {
    const out: ImageUse[] = [];
    const add = (ref: string, p: string) => {
        // Istio gateway injection: `image: auto` is a placeholder istiod's webhook replaces with its
        // own proxy image (global.hub/proxyv2), which the istiod release already lists.
        if (ref === "auto") return;
        if (typeof ref === "string" && ref && plausible(ref)) out.push({ ref, source: `${where} ${p}` });
    };
    // Inside JSON embedded in ConfigMaps (Helm values copies, operator configs) an image must look
    // like a reference (a path or a tag): bare names there are parts joined with a hub elsewhere.
    let embedded = false;
    const addChecked = (ref: string, p: string) => {
        if (!embedded || /[/:]/.test(ref)) add(ref, p);
    };
    const walk = (v: unknown, p: string): void => {
        if (Array.isArray(v)) {
            v.forEach((x, i) => walk(x, `${p}[${i}]`));
            return;
        }
        if (v === null || typeof v !== "object") return;
        const o = v as Record<string, unknown>;
        // A component switched off (ClusterPolicy `gds: {enabled: false, …}`) pulls nothing.
        if (o["enabled"] === false) return;
        const repo = typeof o["repository"] === "string" ? (o["repository"] as string) : undefined;
        // NVIDIA operators: {repository: nvcr.io/nvidia, image: gpu-operator, version: v26.7.0}.
        if (typeof o["repository"] === "string" && typeof o["image"] === "string" && !String(o["image"]).includes("/")) {
            // {repository: "", image: "vgpu-manager"} (not configured): nothing the operator can pull as is.
            const version = typeof o["version"] === "string" && o["version"] ? `:${o["version"]}` : "";
            if (repo) addChecked(`${repo}/${o["image"]}${version}`, `${p}.{repository,image,version}`);
        } else if (typeof o["hub"] === "string" && typeof o["image"] === "string" && !String(o["image"]).includes("/")) {
            // Istio / GAIE 1.4 values: {hub, image, tag}.
            addChecked(`${o["hub"]}/${o["image"]}${typeof o["tag"] === "string" && o["tag"] ? `:${o["tag"]}` : ""}`, `${p}.{hub,image,tag}`);
        } else if (typeof o["image"] === "string" && typeof o["defaultImageVersion"] === "string" && !/[:@]/.test((o["image"] as string).split("/").pop()!)) {
            // KServe's inferenceservice-config: {image, defaultImageVersion} (the controller appends the tag).
            addChecked(`${o["image"]}:${o["defaultImageVersion"]}`, `${p}.{image,defaultImageVersion}`);
        } else if (typeof o["image"] === "string") addChecked(o["image"] as string, `${p}.image`);
        // {repository, tag} (NIM image specs; helm-style values rendered into CRs), {registry, repository, tag}.
        if (repo && o["image"] === undefined && typeof o["tag"] === "string") {
            const reg = typeof o["registry"] === "string" && o["registry"] ? `${o["registry"]}/` : "";
            addChecked(`${reg}${repo}${o["tag"] ? `:${o["tag"]}` : ""}`, `${p}.{repository,tag}`);
        }
        // Env vars that carry images.
        if (typeof o["name"] === "string" && typeof o["value"] === "string" && /IMAGE/i.test(o["name"] as string) && /[/:]/.test(o["value"] as string)) {
            addChecked(o["value"] as string, `${p}(${o["name"]})`);
        }
        for (const [k, val] of Object.entries(o)) {
            if ((k === "image" || k === "repository") && typeof val === "string") continue;
            if (typeof val === "string") {
                if (/^[a-z][\w]*Image$/.test(k)) addChecked(val, `${p}.${k}`);
                else if ((p === "data" || p.endsWith(".data")) && /^\s*[{[]/.test(val)) {
                    try {
                        const parsed = JSON.parse(val) as unknown;
                        const was = embedded;
                        embedded = true;
                        walk(parsed, `${p}.${k}`);
                        embedded = was;
                    } catch {
                        /* not JSON */
                    }
                }
            } else if ((k === "args" || k === "command") && Array.isArray(val)) {
                val.forEach((a, i) => {
                    const m = typeof a === "string" ? IMAGE_FLAG.exec(a) : null;
                    if (m) addChecked(m[2], `${p}.${k}[${i}]`);
                });
                walk(val, `${p}.${k}`);
            } else walk(val, p ? `${p}.${k}` : k);
        }
    };
    walk(doc, "");
    return out;
}

function describe(doc: Record<string, unknown>): string {
    const md = (doc["metadata"] ?? {}) as { name?: string; namespace?: string };
    return `${doc["kind"]}/${md.namespace ? `${md.namespace}/` : ""}${md.name ?? "?"}`;
}

/** Image uses of the program's own objects (not Helm releases: their values are rendered). */
export function programImages(resources: readonly RecordedResource[]): ImageUse[] {
    return renderManifests([...resources])
        .filter((m) => m.kind === "object")
        .flatMap((m) => imagesInObject(m.doc, `program ${describe(m.doc)}`).map((u) => ({ ...u, source: u.source.replace(/ $/, "") })));
}

/** A serving runtime KServe never selects (`spec.disabled: true`): its image is never pulled. */
export function isDisabledRuntime(doc: Record<string, unknown>): boolean {
    return /^(Cluster)?ServingRuntime$/.test(String(doc["kind"])) && (doc["spec"] as { disabled?: unknown } | undefined)?.disabled === true;
}

/** Image uses of rendered chart objects (disabled serving runtimes left out: never pulled). */
export function renderedImages(objects: readonly RenderedObject[]): ImageUse[] {
    return objects.filter((o) => !isDisabledRuntime(o.doc)).flatMap((o) => imagesInObject(o.doc, `${o.release} ${describe(o.doc)}`));
}

/** Sorted, deduplicated inventory. */
export function imageInventory(uses: readonly ImageUse[]): ImageEntry[] {
    const by = new Map<string, Set<string>>();
    for (const u of uses) {
        const key = normalizeImage(u.ref);
        if (!by.has(key)) by.set(key, new Set());
        by.get(key)!.add(u.source.trim());
    }
    return [...by.keys()].sort().map((image) => ({ image, sources: [...by.get(image)!].sort(), floating: isFloatingImage(image) }));
}

/** images.txt: `<image>\t<source>[; <source>…]`, one image a line, sorted; floating tags marked. */
export function imagesTxt(entries: readonly ImageEntry[], header: string[]): string {
    const lines = header.map((h) => `# ${h}`);
    for (const e of entries) lines.push(`${e.image}\t${e.floating ? "[floating tag] " : ""}${e.sources.join("; ")}`);
    return lines.join("\n") + "\n";
}
