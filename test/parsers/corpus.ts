/**
 * The parser tier's corpus: everything the project generates, for every shipped stack and option.
 *
 *  - shipped stacks: every `Pulumi.<stack>.yaml` and `stacks/examples/*.yaml` (test/helpers stackFiles);
 *  - option stacks: synthetic stacks (OPTION_STACKS below) that switch on every engine, serving mode
 *    and per-mode option the schema offers, so an option no example uses is still generated and
 *    checked (a new option must be added here: test/parsers/corpus.test.ts compares with the schema);
 *  - variants (VARIANTS below) of every shipped and option stack that switch on what the files leave
 *    off: autoscaling on every model, so every engine's and serving mode's scaling path (engine
 *    ScaledObject, KServe KEDA / Knative autoscaling, Ray Serve autoscaling_config) is generated.
 *    A variant the config validation refuses is left out and listed by `variantsRefused()`
 *    (corpus.test.ts fails on any: a variant must only switch on what the schema allows).
 *
 * Each stack is planned once per mocha run (the real program on the recording mock engine) and
 * cached; validators under test/parsers/ read the plans through `corpus()` and the helpers here:
 * the custom resources and Helm releases of each stack, every pod spec / container the objects
 * carry, and every engine command line found in them.
 */
import * as path from "node:path";
import { ROOT } from "../helpers";
import { sharedRecorder } from "../setup";
import { ConfigError } from "../../stacks/config/load";
import { planStack, readStackFile, renderManifests, type ManifestDoc, type StackFile } from "../../stacks/plan/plan";
import type { RecordedResource } from "../../stacks/plan/mock-engine";
import type { ParsedStackConfig, ServingMode } from "../../stacks/config/schema";
import { AUTOSCALING_MODES } from "../../stacks/stack/layers/serving";
import { stackFiles } from "../helpers";

export interface CorpusStack {
    /** Stack file (repo-relative) or `options:<name>` for a synthetic option stack; ` [<variant>]` appended for a variant. */
    file: string;
    config: ParsedStackConfig;
    resources: RecordedResource[];
    manifests: ManifestDoc[];
}

export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } };

// ── option stacks ───────────────────────────────────────────────────────────────────────

const H100 = {
    name: "h100",
    nodes: 16,
    accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 },
    rdma: { nicsPerNode: 8, resourceName: "rdma/rdma_shared_device_a" },
};
const MI300 = { name: "mi300", nodes: 2, accelerator: { vendor: "amd", product: "MI300X", memoryGiB: 192, perNode: 8 } };
const GAUDI = { name: "gaudi3", nodes: 2, accelerator: { vendor: "intel", product: "Gaudi3", memoryGiB: 128, perNode: 8 } };
const SMALL = "Qwen/Qwen3-0.6B";
const BIG = "meta-llama/Llama-3.3-70B-Instruct";

/**
 * Synthetic stacks covering the options no shipped stack may use: one model per option value.
 * Keys are stack names; values the `inference-platform:*` config as a stack file would hold it.
 */
export const OPTION_STACKS: Record<string, Record<string, unknown>> = {
    engines: {
        fleet: { pools: [H100, MI300, GAUDI] },
        models: [
            { name: "vllm-sts", model: SMALL, pool: "h100", parallelism: { tensor: 1 }, cacheSize: "50Gi" },
            { name: "vllm-deploy", model: SMALL, pool: "h100", parallelism: { tensor: 2 }, workload: "Deployment" },
            { name: "vllm-tp-pp", model: BIG, pool: "h100", parallelism: { tensor: 4, pipeline: 2 } },
            { name: "vllm-dp", model: SMALL, pool: "h100", parallelism: { tensor: 1, data: 2 } },
            { name: "vllm-lws", model: BIG, pool: "h100", parallelism: { tensor: 8, pipeline: 2 }, multiNode: "lws" },
            { name: "vllm-ray", model: BIG, pool: "h100", parallelism: { tensor: 8, pipeline: 2 }, multiNode: "ray" },
            { name: "vllm-amd", model: SMALL, pool: "mi300", parallelism: { tensor: 1 } },
            { name: "vllm-gaudi", model: SMALL, pool: "gaudi3", parallelism: { tensor: 1 } },
            { name: "sglang-tp", model: SMALL, engine: "sglang", pool: "h100", parallelism: { tensor: 2 } },
            { name: "sglang-tp-pp-dp", model: BIG, engine: "sglang", pool: "h100", parallelism: { tensor: 2, pipeline: 2, data: 2 } },
            { name: "sglang-lws", model: BIG, engine: "sglang", pool: "h100", parallelism: { tensor: 8, pipeline: 2 }, multiNode: "lws" },
            { name: "sglang-amd", model: SMALL, engine: "sglang", pool: "mi300", parallelism: { tensor: 1 } },
            { name: "trtllm", model: "meta-llama/Meta-Llama-3-8B-Instruct", engine: "trtllm", pool: "h100", parallelism: { tensor: 2 }, cacheSize: "100Gi" },
            { name: "vllm-autoscaled", model: SMALL, pool: "h100", parallelism: { tensor: 1 }, autoscaling: { min: 1, max: 3 } },
        ],
    },
    serving: {
        fleet: { pools: [H100] },
        platform: { gateway: { provider: "istio" } },
        models: [
            { name: "kserve-uri", model: SMALL, serving: "kserve", parallelism: { tensor: 1 } },
            { name: "kserve-id", model: SMALL, serving: "kserve", parallelism: { tensor: 2 }, kserve: { storageUri: false, podMonitor: false } },
            { name: "kserve-pp", model: BIG, serving: "kserve", parallelism: { tensor: 4, pipeline: 2 } },
            { name: "kserve-scaled", model: SMALL, serving: "kserve", parallelism: { tensor: 1 }, autoscaling: { min: 1, max: 4 } },
            { name: "llmisvc", model: SMALL, serving: "llmisvc", parallelism: { tensor: 1 } },
            { name: "llmisvc-norouter", model: SMALL, serving: "llmisvc", parallelism: { tensor: 1 }, llmisvc: { router: false } },
            { name: "llmisvc-pd", model: SMALL, serving: "llmisvc", parallelism: { tensor: 1 }, llmisvc: { prefillReplicas: 1 } },
            { name: "llmisvc-pd-offload", model: SMALL, serving: "llmisvc", parallelism: { tensor: 1 }, llmisvc: { prefillReplicas: 2, kvCacheOffloadCpu: "64Gi" } },
            { name: "llmisvc-offload", model: SMALL, serving: "llmisvc", parallelism: { tensor: 1 }, llmisvc: { kvCacheOffloadCpu: "32Gi" } },
            { name: "llmisvc-tp-pp", model: BIG, serving: "llmisvc", parallelism: { tensor: 4, pipeline: 2 } },
            { name: "llmisvc-dp", model: BIG, serving: "llmisvc", parallelism: { tensor: 8, data: 2 } },
            { name: "llmd", model: SMALL, serving: "llmd", parallelism: { tensor: 1 }, replicas: 2 },
            { name: "llmd-pd", model: SMALL, serving: "llmd", parallelism: { tensor: 1 }, llmd: { prefillReplicas: 2 } },
            { name: "llmd-pd-tp", model: BIG, serving: "llmd", parallelism: { tensor: 4 }, llmd: { prefillReplicas: 1, prefillTensor: 2 } },
            { name: "llmd-ep", model: BIG, serving: "llmd", parallelism: { tensor: 8, data: 2 }, llmd: { expertParallel: true } },
            { name: "dynamo", model: SMALL, serving: "dynamo", parallelism: { tensor: 1 } },
            { name: "dynamo-disagg", model: SMALL, serving: "dynamo", parallelism: { tensor: 1 }, dynamo: { disaggregated: true, prefillReplicas: 2 } },
            { name: "rayserve", model: SMALL, serving: "rayserve", parallelism: { tensor: 2 } },
            { name: "nim", model: "meta/llama-3.1-8b-instruct", serving: "nim", parallelism: { tensor: 1 }, nim: { image: "nvcr.io/nim/meta/llama-3.1-8b-instruct", tag: "1.13.1" } },
        ],
    },
    "serving-knative": {
        fleet: { pools: [H100] },
        platform: { kserve: { mode: "Knative" } },
        models: [
            { name: "kserve-knative", model: SMALL, serving: "kserve", parallelism: { tensor: 1 } },
            { name: "kserve-knative-scaled", model: SMALL, serving: "kserve", parallelism: { tensor: 1 }, autoscaling: { min: 0, max: 3 } },
        ],
    },
};

export function optionStackFile(name: string): StackFile {
    const cfg = OPTION_STACKS[name];
    if (!cfg) throw new Error(`no option stack "${name}"`);
    const config: Record<string, unknown> = {
        "inference-platform:cluster": { namespace: "inference" },
        // Secrets present, so every secret-fed path (HF token, NGC key) is generated too.
        "inference-platform:hfToken": { secure: "v1:AAAAAAAAAAAAAAAA:ZHVtbXk=" },
        "inference-platform:ngcApiKey": { secure: "v1:AAAAAAAAAAAAAAAA:ZHVtbXk=" },
    };
    for (const [k, v] of Object.entries(cfg)) config[`inference-platform:${k}`] = v;
    return { name: `options-${name}`, file: `options:${name}`, config, environments: [] };
}

// ── variants of every stack ─────────────────────────────────────────────────────────────

const MODELS = "inference-platform:models";

/** Stack-file rewrites applied to every shipped and option stack; undefined = nothing to switch on. */
export const VARIANTS: { name: string; apply: (sf: StackFile) => StackFile | undefined }[] = [
    {
        // Every model whose serving mode autoscales (AUTOSCALING_MODES), except what the config
        // validation refuses with autoscaling: a multi-node Ray cluster (one cluster is one replica),
        // KServe without its PodMonitor (nothing to read).
        name: "autoscaling on every model",
        apply: (sf) => {
            const models = sf.config[MODELS];
            if (!Array.isArray(models)) return undefined;
            let changed = false;
            const next = models.map((m) => {
                const mm = m as Record<string, any>;
                const serving = (mm["serving"] ?? "engine") as ServingMode;
                if (mm["autoscaling"] || !AUTOSCALING_MODES.has(serving) || mm["multiNode"] === "ray" || mm["kserve"]?.["podMonitor"] === false) return mm;
                changed = true;
                return { ...mm, autoscaling: { min: 1, max: 3, target: 4 } };
            });
            return changed ? { ...sf, config: { ...sf.config, [MODELS]: next } } : undefined;
        },
    },
];

// ── planning (once per run) ─────────────────────────────────────────────────────────────

let cached: Promise<CorpusStack[]> | undefined;
const refused: string[] = [];

async function plan(sf: StackFile, file: string): Promise<CorpusStack> {
    const p = await planStack(sf, sharedRecorder());
    return { file, config: p.config, resources: p.resources, manifests: renderManifests(p.resources) };
}

/**
 * Every shipped stack, every option stack and their variants, planned (sequentially: the mock
 * engine is shared).
 */
export function corpus(): Promise<CorpusStack[]> {
    cached ??= (async () => {
        const out: CorpusStack[] = [];
        const bases: { sf: StackFile; file: string }[] = [
            ...stackFiles().map((file) => ({ sf: readStackFile(path.resolve(ROOT, file)), file })),
            ...Object.keys(OPTION_STACKS).map((name) => ({ sf: optionStackFile(name), file: `options:${name}` })),
        ];
        for (const { sf, file } of bases) {
            out.push(await plan(sf, file));
            for (const v of VARIANTS) {
                const vsf = v.apply(sf);
                if (!vsf) continue;
                try {
                    out.push(await plan(vsf, `${file} [${v.name}]`));
                } catch (e) {
                    if (!(e instanceof ConfigError)) throw e;
                    refused.push(`${file} [${v.name}]: ${e.message}`);
                }
            }
        }
        return out;
    })();
    return cached;
}

/** Variants the config validation refused (after `corpus()` resolved), with the error line. */
export function variantsRefused(): string[] {
    return [...refused];
}

// ── what the plans hold ─────────────────────────────────────────────────────────────────

/** Kubernetes objects the program creates directly (built-ins and custom resources). */
export function objects(s: CorpusStack, kind?: string): K8sObject[] {
    return s.manifests.filter((m) => m.kind === "object" && (kind === undefined || m.doc["kind"] === kind)).map((m) => m.doc as K8sObject);
}

/** A Helm release the program registers: chart (as registered), version, release name, namespace, values. */
export interface HelmReleaseDoc {
    chart: string;
    version: string;
    releaseName: string;
    namespace: string;
    values: Record<string, unknown>;
}

/** Helm releases, optionally of one upstream chart (last path segment of `chart`, e.g. "inferencepool"). */
export function helmReleases(s: CorpusStack, chart?: string): HelmReleaseDoc[] {
    return s.manifests
        .filter((m) => m.kind === "helm")
        .map((m) => m.doc as unknown as HelmReleaseDoc)
        .filter((h) => chart === undefined || String(h.chart).split("/").pop() === chart);
}

export function objName(o: K8sObject): string {
    return `${o.kind}/${o.metadata?.namespace ? o.metadata.namespace + "/" : ""}${o.metadata?.name ?? "?"}`;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((cur, k) => (isObj(cur) ? cur[k] : undefined), o);

/** One pod template inside an object, with where it sits (`spec.template.spec`, `…leaderTemplate.spec`, …). */
export interface PodSpecRef {
    object: K8sObject;
    path: string;
    /** Role of the pod in its object (leader, worker, head, decode, prefill, …), when it has one. */
    role?: string;
    spec: Obj;
}

/**
 * Every pod spec (or pod-spec-like template) an object carries: workloads, LeaderWorkerSet
 * leader/worker, RayService head/worker groups, LLMInferenceService template/worker/prefill,
 * InferenceService predictor, DynamoGraphDeployment services' `extraPodSpec`.
 */
export function podSpecs(o: K8sObject): PodSpecRef[] {
    const out: PodSpecRef[] = [];
    const add = (path: string[], role?: string) => {
        const spec = get(o, ...path);
        if (isObj(spec)) out.push({ object: o, path: path.join("."), role, spec });
    };
    switch (o.kind) {
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "Job":
            add(["spec", "template", "spec"]);
            break;
        case "LeaderWorkerSet":
            add(["spec", "leaderWorkerTemplate", "leaderTemplate", "spec"], "leader");
            add(["spec", "leaderWorkerTemplate", "workerTemplate", "spec"], "worker");
            break;
        case "RayService":
        case "RayCluster": {
            const base = o.kind === "RayService" ? ["spec", "rayClusterConfig"] : ["spec"];
            add([...base, "headGroupSpec", "template", "spec"], "head");
            const groups = get(o, ...base, "workerGroupSpecs");
            if (Array.isArray(groups)) groups.forEach((_, i) => add([...base, "workerGroupSpecs", String(i), "template", "spec"], "worker"));
            break;
        }
        case "LLMInferenceService":
            add(["spec", "template"], "decode");
            add(["spec", "worker"], "decode-worker");
            add(["spec", "prefill", "template"], "prefill");
            add(["spec", "prefill", "worker"], "prefill-worker");
            break;
        case "InferenceService":
            add(["spec", "predictor"], "predictor");
            break;
        case "DynamoGraphDeployment": {
            const services = get(o, "spec", "services");
            if (isObj(services)) for (const name of Object.keys(services)) add(["spec", "services", name, "extraPodSpec"], name);
            break;
        }
    }
    return out;
}

/** A container of a pod spec (`containers`, `initContainers`, the predictor's `model`, Dynamo's `mainContainer`). */
export interface ContainerRef {
    pod: PodSpecRef;
    /** Path inside the object, e.g. `spec.template.spec.containers[0]`. */
    path: string;
    container: Obj;
}

export function containers(o: K8sObject): ContainerRef[] {
    const out: ContainerRef[] = [];
    for (const pod of podSpecs(o)) {
        for (const key of ["initContainers", "containers"]) {
            const list = pod.spec[key];
            if (Array.isArray(list)) list.forEach((c, i) => isObj(c) && out.push({ pod, path: `${pod.path}.${key}[${i}]`, container: c }));
        }
        if (isObj(pod.spec["model"])) out.push({ pod, path: `${pod.path}.model`, container: pod.spec["model"] as Obj });
        if (isObj(pod.spec["mainContainer"])) out.push({ pod, path: `${pod.path}.mainContainer`, container: pod.spec["mainContainer"] as Obj });
    }
    return out;
}

/** Every container of every object of the stack. */
export function allContainers(s: CorpusStack): ContainerRef[] {
    return objects(s).flatMap(containers);
}

// ── shell helpers for command lines inside `sh -c` scripts ──────────────────────────────

/**
 * Split a POSIX shell command into words (quotes and backslashes as `sh` reads them). Variable
 * references are kept as written. Throws on an unterminated quote.
 */
export function shellSplit(s: string): string[] {
    const words: string[] = [];
    let cur = "";
    let inWord = false;
    for (let i = 0; i < s.length; i++) {
        const c = s[i];
        if (c === "'") {
            const j = s.indexOf("'", i + 1);
            if (j < 0) throw new Error(`unterminated ' in: ${s}`);
            cur += s.slice(i + 1, j);
            i = j;
            inWord = true;
        } else if (c === '"') {
            let j = i + 1;
            for (; j < s.length && s[j] !== '"'; j++) {
                if (s[j] === "\\" && j + 1 < s.length && '"\\$`'.includes(s[j + 1])) j++;
                cur += s[j];
            }
            if (j >= s.length) throw new Error(`unterminated " in: ${s}`);
            i = j;
            inWord = true;
        } else if (c === "\\" && i + 1 < s.length) {
            cur += s[++i];
            inWord = true;
        } else if (/\s/.test(c)) {
            if (inWord) words.push(cur);
            cur = "";
            inWord = false;
        } else {
            cur += c;
            inWord = true;
        }
    }
    if (inWord) words.push(cur);
    return words;
}

/**
 * Expand `$(VAR)` references the kubelet substitutes from the container's env (and the env
 * LeaderWorkerSet injects), and `$VAR`/`${VAR}`/`${VAR:-d}` shell references, from `env`.
 * Unknown references are left as written so the caller can report them.
 */
export function expandVars(word: string, env: Record<string, string>): string {
    return word
        .replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m)
        .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}/g, (m, v: string, _d, def: string | undefined) => env[v] ?? def ?? m)
        .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, v: string) => env[v] ?? m);
}
