/**
 * The registry mirror: `platform.imageRegistry: registry.internal:5000` moves every image a stack
 * pulls to the mirror, by one resource transformation on the InferenceStack (inherited by every
 * child): Kubernetes objects (engine workloads, operator CRs such as NicClusterPolicy, NIMService,
 * DynamoGraphDeployment, RayService) get their image fields mapped, and Helm releases get their
 * values mapped plus every image path the chart sets by default (components/common/chart-images.ts),
 * so ClusterPolicy, KServe runtimes, operators and their subcharts pull from the mirror too.
 *
 * Image fields are recognised as the operators read them (see mapImageFields); anything else is
 * left alone. The offline plan renders the charts and a test proves no image outside the mirror
 * remains.
 */
import * as pulumi from "@pulumi/pulumi";
import { chartImageDefaults } from "./chart-images";
import { upstreamChartName } from "./helm";
import { DEFAULT_REGISTRY, mirrorImage, mirrorRepository } from "./images";

type Json = Record<string, unknown>;

function isPlain(v: unknown): v is Json {
    return typeof v === "object" && v !== null && !Array.isArray(v) && !pulumi.Output.isInstance(v) && !(v instanceof Promise);
}

const IMAGE_KEYS = /^(image|repository|registry|hub|imageRegistry|value|args|command|[a-z]\w*Image|relatedImage\w*)$/;
const IMAGE_FLAG = /^(--?[\w.-]*image[\w.-]*=|--prometheus-config-reloader=)(.+)$/i;

/** The mirror prefix a `registry`/`imageRegistry` field takes (host[:port][/path]). */
function mirrorHost(registry: string): string {
    return registry.replace(/^[a-z]+:\/\//, "").replace(/\/+$/, "");
}

/**
 * Map the image fields of one object node (siblings decide what a field means):
 *  - `{registry, repository}` (Helm values, split): registry → mirror (a Docker Hub library image
 *    also gets `library/`);
 *  - `repository` otherwise (`{repository, image, version}` of NVIDIA's CRs, `{repository, tag}`):
 *    mirrored as a repository;
 *  - `hub` (Istio, GAIE 1.4): mirrored as a repository;
 *  - `image`: a whole reference, unless it is the short name next to a `repository`/`hub`;
 *  - `imageRegistry` (cert-manager): → mirror;
 *  - `<x>Image` / `relatedImage<x>` strings, env vars named *IMAGE*, `--<x>image<y>=` flags.
 */
function mapNode(o: Json, registry: string): Json {
    const out: Json = { ...o };
    const str = (k: string) => (typeof o[k] === "string" && o[k] !== "" ? (o[k] as string) : undefined);
    const registryField = str("registry");
    const repository = str("repository");
    if (registryField && "repository" in o) {
        out["registry"] = mirrorHost(registry);
        if (registryField === DEFAULT_REGISTRY && repository && !repository.includes("/")) out["repository"] = `library/${repository}`;
    } else if (repository) out["repository"] = mirrorRepository(repository, registry);
    if (str("hub")) out["hub"] = mirrorRepository(str("hub")!, registry);
    const image = str("image");
    if (image && !((repository || str("hub")) && !image.includes("/"))) out["image"] = mirrorImage(image, registry);
    if (str("imageRegistry")) out["imageRegistry"] = mirrorHost(registry);
    for (const [k, v] of Object.entries(o)) {
        if (typeof v === "string" && v && (/^[a-z][\w]*Image$/.test(k) || /^relatedImage[A-Z]\w*$/.test(k)) && !/PullSecret$/.test(k)) out[k] = mirrorImage(v, registry);
    }
    if (typeof o["name"] === "string" && /IMAGE/i.test(o["name"] as string) && typeof o["value"] === "string" && /[/:]/.test(o["value"] as string)) {
        out["value"] = mirrorImage(o["value"] as string, registry);
    }
    for (const k of ["args", "command"]) {
        if (Array.isArray(o[k])) {
            out[k] = (o[k] as unknown[]).map((a) => {
                const m = typeof a === "string" ? IMAGE_FLAG.exec(a) : null;
                return m ? `${m[1]}${mirrorImage(m[2], registry)}` : a;
            });
        }
    }
    return out;
}

/**
 * Every image field of a value (plain JSON or Pulumi inputs) through the mirror. Outputs are
 * mapped inside `apply`, only where they sit, so nothing known becomes unknown in a preview.
 */
export function mapImageFields<T>(v: T, registry: string): T {
    const walk = (x: unknown): unknown => {
        if (pulumi.Output.isInstance(x) || x instanceof Promise) return pulumi.output(x).apply((y) => walk(y));
        if (Array.isArray(x)) return x.map(walk);
        if (!isPlain(x)) return x;
        // An image field that is still an Output: map the node once it resolves (its siblings decide).
        if (Object.entries(x).some(([k, v]) => IMAGE_KEYS.test(k) && (pulumi.Output.isInstance(v) || v instanceof Promise))) {
            return pulumi.output(x).apply((y) => walk(y));
        }
        const mapped = mapNode(x, registry);
        const out: Json = {};
        for (const [k, val] of Object.entries(mapped)) out[k] = walk(val);
        return out;
    };
    return walk(v) as T;
}

/** The chart image defaults of a release's chart (`<chart>@<version>`), or undefined when unknown. */
export function chartImagePaths(chart: string, version: string): Record<string, string> | undefined {
    return chartImageDefaults[`${upstreamChartName(chart)}@${String(version).replace(/^v/, "")}`];
}

/**
 * A release's values through the mirror: its own image fields mapped, and every image path the
 * chart sets by default that the values leave unset, set to the mirrored default.
 */
export function mirrorReleaseValues(chart: string, version: string, values: unknown, registry: string): unknown {
    const defaults = chartImagePaths(chart, version) ?? {};
    // Defaults first (as the chart would see them), then what the release sets over them; an
    // Output inside the values stays an Output (mapped in apply), so a preview loses nothing.
    const withDefaults: Json = {};
    for (const [p, def] of Object.entries(defaults)) setPath(withDefaults, p.split("."), def);
    const apply = (v: unknown): unknown => mapImageFields(mergeOver(withDefaults, isPlain(v) ? v : {}), registry);
    return isPlain(values) ? apply(values) : pulumi.output(values as pulumi.Input<Json>).apply(apply);
}

function setPath(o: Json, path: string[], v: unknown): void {
    let cur = o;
    for (const k of path.slice(0, -1)) {
        if (!isPlain(cur[k])) cur[k] = {};
        cur = cur[k] as Json;
    }
    cur[path[path.length - 1]] = v;
}

function mergeOver(base: Json, over: Json): Json {
    const out: Json = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? mergeOver(out[k] as Json, v) : v;
    return out;
}

const RELEASE_TYPES = new Set(["kubernetes:helm.sh/v3:Release"]);

/** The resource transformation that moves every image of a stack to `registry`. */
export function mirrorTransformation(registry: string): pulumi.ResourceTransformation {
    return ({ type, props, opts }) => {
        if (RELEASE_TYPES.has(type)) {
            const p = props as Json;
            return { props: { ...p, values: mirrorReleaseValues(String(p["chart"]), String(p["version"]), p["values"] ?? {}, registry) }, opts };
        }
        if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh") && !type.startsWith("kubernetes:yaml")) {
            const p = props as Json;
            const out: Json = { ...p };
            for (const k of ["spec", "template", "webhooks"]) if (k in p) out[k] = mapImageFields(p[k], registry);
            return { props: out, opts };
        }
        return undefined;
    };
}
