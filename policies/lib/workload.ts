/**
 * The one normaliser: a Pulumi resource (type + props) or a plain manifest (apiVersion/kind, or a
 * Helm release document `{chart, values}`) becomes a `Subject`, and a subject becomes zero or more
 * `WorkloadView`s — the pod templates (with the path to each), how many pods one replica spans,
 * the parallelism it declares, its replica range and whether it is an inference engine.
 * Every resource rule reads workloads through here, so Pulumi and YAML inputs are judged alike.
 */
import { arr, bool, int, isObject, obj, objs, str, stringMap, type JsonObject } from "./json";
import { argParallelism, commandLine, containerGpus, isEngineContainer, isEngineImage } from "./resources";
import type { Vendor } from "./config";

export interface ObjectRef {
    kind: string;
    name: string;
    namespace?: string;
}

export type Subject =
    | { form: "k8s"; apiVersion: string; kind: string; ref: ObjectRef; body: JsonObject }
    | {
          form: "helm";
          chart: string;
          ref: ObjectRef;
          values: JsonObject;
          /** Helm v4 Chart: rendered client-side, so its objects are separate resources judged on their own. */
          rendered?: boolean;
      };

export function describe(ref: ObjectRef): string {
    return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

/** A workload as messages name it: the object, plus the part of it (e.g. an llm-d role) when it has several. */
export function workloadName(w: { ref: ObjectRef; part?: string }): string {
    return describe(w.ref) + (w.part ? ` (${w.part})` : "");
}

// ── subjects ─────────────────────────────────────────────────────────────────────────

const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart"]);

/**
 * A Pulumi resource as a subject. Kubernetes types are `kubernetes:<group>/<version>:<Kind>`
 * (`core` = the legacy group); custom resources are `kubernetes:apiextensions.k8s.io:CustomResource`
 * with apiVersion/kind in props; Helm v3 Release / v4 Chart carry `chart` and `values`.
 */
export function subjectFromPulumi(type: string, props: JsonObject, resourceName: string): Subject | undefined {
    if (HELM_TYPES.has(type)) {
        const chart = str(props, "chart");
        if (!chart) return undefined;
        return {
            form: "helm",
            chart,
            values: obj(props, "values") ?? {},
            ref: { kind: type.endsWith(":Release") ? "HelmRelease" : "HelmChart", name: str(props, "name") ?? resourceName, namespace: str(props, "namespace") },
            rendered: type === "kubernetes:helm.sh/v4:Chart",
        };
    }
    let apiVersion: string | undefined;
    let kind: string | undefined;
    if (type === "kubernetes:apiextensions.k8s.io:CustomResource") {
        apiVersion = str(props, "apiVersion");
        kind = str(props, "kind");
    } else {
        const m = /^kubernetes:([^:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
        if (!m) return undefined;
        apiVersion = m[1] === "core" ? m[2] : `${m[1]}/${m[2]}`;
        kind = m[3];
    }
    if (!apiVersion || !kind) return undefined;
    return {
        form: "k8s",
        apiVersion,
        kind,
        body: props,
        ref: { kind, name: str(props, "metadata", "name") ?? resourceName, namespace: str(props, "metadata", "namespace") },
    };
}

/**
 * A YAML document as subjects: a Kubernetes object (a `List` is flattened), or — without
 * apiVersion/kind — a Helm release document `{chart, values, namespace?, name?}` as the offline
 * plan writes them. `fallbackName` names releases without a `name` (the file's base name).
 */
export function subjectsFromDocument(doc: unknown, fallbackName: string): Subject[] {
    if (!isObject(doc)) return [];
    const apiVersion = str(doc, "apiVersion");
    const kind = str(doc, "kind");
    if (apiVersion && kind) {
        if (kind === "List" || kind.endsWith("List")) {
            return objs(doc, "items").flatMap((item) => subjectsFromDocument(item, fallbackName));
        }
        return [
            {
                form: "k8s",
                apiVersion,
                kind,
                body: doc,
                ref: { kind, name: str(doc, "metadata", "name") ?? fallbackName, namespace: str(doc, "metadata", "namespace") },
            },
        ];
    }
    const chart = str(doc, "chart");
    if (chart && !kind && "values" in doc) {
        return [
            {
                form: "helm",
                chart,
                values: obj(doc, "values") ?? {},
                ref: { kind: "HelmRelease", name: str(doc, "name") ?? str(doc, "releaseName") ?? fallbackName, namespace: str(doc, "namespace") },
            },
        ];
    }
    return [];
}

/** Is this a (namespaced) object of the given group and kind? Version-agnostic. */
export function isKind(s: Subject, group: string, kind: string): boolean {
    if (s.form !== "k8s" || s.kind !== kind) return false;
    const g = s.apiVersion.includes("/") ? s.apiVersion.split("/")[0] : "";
    return g === group;
}

// ── workloads ────────────────────────────────────────────────────────────────────────

export interface ContainerView {
    name: string;
    container: JsonObject;
    init: boolean;
}

export interface PodView {
    /** Where the pod spec lives in the object, e.g. `spec.template.spec`, `values.decode`. */
    path: string;
    /** leader, worker, head, predictor, decode, … ("pod" for plain pods). */
    role: string;
    spec: JsonObject;
    labels: Record<string, string>;
    /** Pods from this template in one replica (model copy). */
    count: number;
    containers: ContainerView[];
    /** Chart-computed GPUs per container when the values leave them out (llm-d-modelservice). */
    implicitGpus?: { resource: string; count: number; containers: string[] };
    /** Why /dev/shm is managed by an operator rather than this spec (rule 5 then skips). */
    shmManagedBy?: string;
    /** Whether the pod labels are known (false = set by a controller we cannot see). */
    labelsKnown: boolean;
}

export interface ParallelismView {
    /** Where it was read: `container "vllm" args`, `spec.parallelism`, `values.decode.parallelism`. */
    where: string;
    tensor?: number;
    pipeline?: number;
    dataLocal?: number;
    nnodes?: number;
    worldSize?: number;
    /** Compare TP × PP (× DP-local) with the replica's GPUs; false when the group size is decided by a controller. */
    checkTotal: boolean;
    /** What TP × PP (× DP-local) must equal: the GPUs of one pod, or of the whole replica (default). */
    scope?: "pod" | "replica";
    /** The flags/fields as written, for messages. */
    seen: string;
}

export interface WorkloadView {
    subject: Subject;
    ref: ObjectRef;
    /** A sub-part of the object (`decode`, `prefill`), when one object has several workloads. */
    part?: string;
    pods: PodView[];
    /** Pods per replica. */
    /** GPU pods one model replica spans, when the object says so (Ray Serve placement groups); else derived from the pods. */
    replicaGpuPods?: number;
    groupSize: number;
    /** `leaderWorkerTemplate.restartPolicy` of a LeaderWorkerSet (CRD default applied); undefined otherwise. */
    lwsRestartPolicy?: string;
    /** Where the group-restart setting lives (for messages). */
    groupRestartPath?: string;
    parallelism: ParallelismView[];
    /** Replica range declared on the object itself (autoscalers elsewhere are applied by stack rules). */
    replicas: { min: number; max: number };
    /** Name used by autoscalers' scaleTargetRef (kind/name of the scalable object). */
    scaleTarget?: { kind: string; name: string };
    engine: boolean;
    /** Why the workload is scraped without a separate monitor (chart or operator monitoring). */
    selfMonitored?: string;
    /** Vendor declared by the object itself (llm-d `accelerator.type`). */
    declaredVendor?: { vendor: Vendor | undefined; value: string; path: string };
}

const cache = new WeakMap<Subject, WorkloadView[]>();

export function workloadsOf(s: Subject): WorkloadView[] {
    let w = cache.get(s);
    if (!w) {
        w = computeWorkloads(s);
        cache.set(s, w);
    }
    return w;
}

function containersOf(spec: JsonObject): ContainerView[] {
    const c = objs(spec, "containers").map((container, i) => ({ name: str(container, "name") ?? `#${i}`, container, init: false }));
    const ic = objs(spec, "initContainers").map((container, i) => ({ name: str(container, "name") ?? `init#${i}`, container, init: true }));
    return [...c, ...ic];
}

function pod(path: string, role: string, template: JsonObject | undefined, count: number, extraLabels: Record<string, string> = {}): PodView | undefined {
    const spec = obj(template, "spec");
    if (!spec) return undefined;
    return { path: `${path}.spec`, role, spec, labels: { ...stringMap(template, "metadata", "labels"), ...extraLabels }, count, containers: containersOf(spec), labelsKnown: true };
}

function parallelismFromArgs(pods: PodView[], checkTotal: boolean): ParallelismView[] {
    const out: ParallelismView[] = [];
    for (const p of pods) {
        for (const c of p.containers) {
            if (c.init && !isEngineContainer(c.container)) continue;
            const a = argParallelism(c.container);
            if (a.seen.length === 0) continue;
            out.push({ where: `${p.role} container "${c.name}" (${p.path})`, tensor: a.tensor, pipeline: a.pipeline, dataLocal: a.dataLocal, nnodes: a.nnodes, worldSize: a.worldSize, checkTotal, seen: a.seen.join(" ") });
        }
    }
    return out;
}

function isEngine(pods: PodView[]): boolean {
    return pods.some((p) => p.containers.some((c) => isEngineContainer(c.container)));
}

/**
 * GPU pods one model replica of a Ray cluster spans. Ray Serve LLM replicas are placement groups
 * of TP × PP GPUs (from `engine_kwargs` in serveConfigV2); independent replicas on separate
 * workers are not one group. Without a readable serve config, every GPU worker counts (a
 * RayCluster running one job across all its workers).
 */
function rayReplicaPods(pods: PodView[], serveConfig: string): number {
    const gpuPods = pods.filter((p) => podGpus(p) > 0);
    const allGpuPods = gpuPods.reduce((n, p) => n + p.count, 0);
    const perPod = Math.max(0, ...gpuPods.map((p) => podGpus(p)));
    const replicaGpus = serveReplicaGpus(serveConfig);
    if (replicaGpus === undefined || perPod === 0) return allGpuPods;
    return Math.ceil(replicaGpus / perPod);
}

/** The largest TP × PP over the Serve config's llm_configs, when it is JSON (YAML configs are not parsed here). */
function serveReplicaGpus(serveConfig: string): number | undefined {
    let doc: unknown;
    try {
        doc = JSON.parse(serveConfig);
    } catch {
        return undefined;
    }
    let max: number | undefined;
    for (const app of objs(isObject(doc) ? doc : {}, "applications")) {
        for (const llm of objs(obj(app, "args") ?? {}, "llm_configs")) {
            const kw = obj(llm, "engine_kwargs") ?? {};
            const gpus = (int(kw, "tensor_parallel_size") ?? 1) * (int(kw, "pipeline_parallel_size") ?? 1);
            max = Math.max(max ?? 0, gpus);
        }
    }
    return max;
}

/** Ray on plain StatefulSets/Deployments spans pods this object cannot see. */
function rayMultiNode(pods: PodView[]): boolean {
    return pods.some((p) =>
        p.containers.some(
            (c) =>
                /\bray\s+start\b|distributed-executor-backend[= ]ray|ray_cluster_size/.test(commandLine(c.container)) ||
                objs(c.container, "env").some((e) => str(e, "name") === "RAY_ADDRESS"),
        ),
    );
}

function computeWorkloads(s: Subject): WorkloadView[] {
    if (s.form === "helm") return helmWorkloads(s);
    const b = s.body;
    const base = { subject: s, ref: s.ref };
    if (isKind(s, "", "Pod")) {
        const spec = obj(b, "spec");
        if (!spec) return [];
        const p: PodView = { path: "spec", role: "pod", spec, labels: stringMap(b, "metadata", "labels"), count: 1, containers: containersOf(spec), labelsKnown: true };
        return [{ ...base, pods: [p], groupSize: 1, parallelism: parallelismFromArgs([p], !rayMultiNode([p])), replicas: { min: 1, max: 1 }, engine: isEngine([p]) }];
    }
    if (isKind(s, "apps", "Deployment") || isKind(s, "apps", "StatefulSet") || isKind(s, "apps", "ReplicaSet")) {
        const p = pod("spec.template", "pod", obj(b, "spec", "template"), 1);
        if (!p) return [];
        const n = int(b, "spec", "replicas") ?? 1;
        return [{ ...base, pods: [p], groupSize: 1, parallelism: parallelismFromArgs([p], !rayMultiNode([p])), replicas: { min: n, max: n }, scaleTarget: { kind: s.kind, name: s.ref.name }, engine: isEngine([p]) }];
    }
    if (isKind(s, "leaderworkerset.x-k8s.io", "LeaderWorkerSet")) {
        const lwt = obj(b, "spec", "leaderWorkerTemplate") ?? {};
        const size = int(lwt, "size") ?? 1;
        const nameLabel = { "leaderworkerset.sigs.k8s.io/name": s.ref.name };
        const hasLeader = obj(lwt, "leaderTemplate") !== undefined;
        const leader = pod(
            hasLeader ? "spec.leaderWorkerTemplate.leaderTemplate" : "spec.leaderWorkerTemplate.workerTemplate",
            "leader",
            obj(lwt, hasLeader ? "leaderTemplate" : "workerTemplate"),
            1,
            nameLabel,
        );
        const worker = size > 1 ? pod("spec.leaderWorkerTemplate.workerTemplate", "worker", obj(lwt, "workerTemplate"), size - 1, nameLabel) : undefined;
        const pods = [leader, worker].filter((p): p is PodView => p !== undefined);
        const n = int(b, "spec", "replicas") ?? 1;
        return [
            {
                ...base,
                pods,
                groupSize: size,
                // The CRD defaults restartPolicy to RecreateGroupOnPodRestart.
                lwsRestartPolicy: str(lwt, "restartPolicy") ?? "RecreateGroupOnPodRestart",
                groupRestartPath: "spec.leaderWorkerTemplate.restartPolicy",
                parallelism: parallelismFromArgs(pods, true),
                replicas: { min: n, max: n },
                scaleTarget: { kind: s.kind, name: s.ref.name },
                engine: isEngine(pods),
            },
        ];
    }
    if (isKind(s, "ray.io", "RayCluster") || isKind(s, "ray.io", "RayService")) {
        const root = s.kind === "RayService" ? "spec.rayClusterConfig" : "spec";
        const cluster = s.kind === "RayService" ? obj(b, "spec", "rayClusterConfig") : obj(b, "spec");
        if (!cluster) return [];
        const kuberayShm = "KubeRay (it mounts an in-memory /dev/shm into the Ray container)";
        const clusterLabel: Record<string, string> = s.kind === "RayCluster" ? { "ray.io/cluster": s.ref.name } : {};
        const pods: PodView[] = [];
        const head = pod(`${root}.headGroupSpec.template`, "head", obj(cluster, "headGroupSpec", "template"), 1, { ...clusterLabel, "ray.io/node-type": "head" });
        if (head) pods.push({ ...head, shmManagedBy: kuberayShm });
        objs(cluster, "workerGroupSpecs").forEach((g, i) => {
            const count = int(g, "replicas") ?? int(g, "minReplicas") ?? 1;
            const group = str(g, "groupName") ?? `#${i}`;
            const w = pod(`${root}.workerGroupSpecs[${i}].template`, `worker group "${group}"`, obj(g, "template"), count, { ...clusterLabel, "ray.io/node-type": "worker" });
            if (w && count > 0) pods.push({ ...w, shmManagedBy: kuberayShm });
        });
        const serve = str(b, "spec", "serveConfigV2") ?? "";
        return [
            {
                ...base,
                pods,
                groupSize: pods.reduce((n, p) => n + p.count, 0),
                replicaGpuPods: rayReplicaPods(pods, serve),
                parallelism: parallelismFromArgs(pods, true),
                replicas: { min: 1, max: 1 },
                engine: isEngine(pods) || /ray\.serve\.llm/.test(serve),
            },
        ];
    }
    if (isKind(s, "serving.kserve.io", "InferenceService")) return inferenceServiceWorkloads(s, b);
    if (isKind(s, "serving.kserve.io", "LLMInferenceService")) return llmInferenceServiceWorkloads(s, b);
    if (isKind(s, "apps.nvidia.com", "NIMService")) return nimServiceWorkloads(s, b);
    return [];
}

const ISVC_NON_POD_KEYS = new Set([
    "model", "workerSpec", "minReplicas", "maxReplicas", "scaleMetric", "scaleMetricType", "scaleTarget", "containerConcurrency",
    "timeout", "canaryTrafficPercent", "logger", "batcher", "labels", "annotations", "deploymentStrategy", "autoScaling",
    "storageUris", "storageContainerName",
]);

function inferenceServiceWorkloads(s: Extract<Subject, { form: "k8s" }>, b: JsonObject): WorkloadView[] {
    const predictor = obj(b, "spec", "predictor");
    if (!predictor) return [];
    const spec: JsonObject = {};
    for (const [k, v] of Object.entries(predictor)) if (!ISVC_NON_POD_KEYS.has(k)) spec[k] = v;
    const model = obj(predictor, "model");
    const containers: ContainerView[] = [];
    if (model) containers.push({ name: str(model, "name") ?? "kserve-container", container: model, init: false });
    containers.push(...containersOf(spec));
    const labels = { ...stringMap(predictor, "labels"), "serving.kserve.io/inferenceservice": s.ref.name, component: "predictor" };
    const head: PodView = { path: "spec.predictor", role: "predictor", spec, labels, count: 1, containers, labelsKnown: true };
    const pods = [head];
    const ws = obj(predictor, "workerSpec");
    const parallelism: ParallelismView[] = [];
    let groupSize = 1;
    if (ws) {
        const pp = int(ws, "pipelineParallelSize") ?? 1;
        const tp = int(ws, "tensorParallelSize");
        groupSize = Math.max(pp, 1);
        if (pp > 1) pods.push({ path: "spec.predictor.workerSpec", role: "worker", spec: ws, labels, count: pp - 1, containers: containersOf(ws), labelsKnown: true });
        parallelism.push({ where: "spec.predictor.workerSpec", tensor: tp, pipeline: pp, checkTotal: true, seen: `tensorParallelSize ${tp ?? "unset"}, pipelineParallelSize ${pp}` });
    }
    parallelism.push(...parallelismFromArgs([head], true));
    const min = int(predictor, "minReplicas") ?? 1;
    const maxRaw = int(predictor, "maxReplicas");
    const hf = str(model, "modelFormat", "name") === "huggingface";
    return [
        {
            subject: s,
            ref: s.ref,
            pods,
            groupSize,
            parallelism,
            replicas: { min, max: maxRaw && maxRaw >= min ? maxRaw : min },
            engine: hf || isEngine(pods) || isEngineImage(str(model, "image")),
        },
    ];
}

function llmInferenceServiceWorkloads(s: Extract<Subject, { form: "k8s" }>, b: JsonObject): WorkloadView[] {
    const spec = obj(b, "spec") ?? {};
    const managed = "the LLMInferenceServiceConfig base templates KServe merges into this spec";
    const make = (part: JsonObject, path: string, partName?: string): WorkloadView | undefined => {
        const template = obj(part, "template");
        const worker = obj(part, "worker");
        const pods: PodView[] = [];
        const labels = { ...stringMap(part, "labels") };
        if (template) pods.push({ path: `${path}.template`, role: partName ?? "main", spec: template, labels, count: 1, containers: containersOf(template), shmManagedBy: managed, labelsKnown: false });
        if (worker) pods.push({ path: `${path}.worker`, role: `${partName ?? "main"} worker`, spec: worker, labels, count: 1, containers: containersOf(worker), shmManagedBy: managed, labelsKnown: false });
        if (pods.length === 0) return undefined;
        const par = obj(part, "parallelism") ?? obj(spec, "parallelism");
        const parallelism: ParallelismView[] = [];
        if (par) {
            const tensor = int(par, "tensor");
            const pipeline = int(par, "pipeline");
            const dataLocal = int(par, "dataLocal") ?? int(par, "data");
            // With a worker the controller sizes the group from parallelism; without one the single pod holds it all.
            parallelism.push({ where: `${obj(part, "parallelism") ? path : "spec"}.parallelism`, tensor, pipeline, dataLocal, checkTotal: !worker, seen: JSON.stringify(par) });
        }
        parallelism.push(...parallelismFromArgs(pods, !worker));
        const n = int(part, "replicas") ?? 1;
        const min = int(part, "scaling", "minReplicas") ?? n;
        const max = int(part, "scaling", "maxReplicas") ?? Math.max(n, min);
        return { subject: s, ref: s.ref, part: partName, pods, groupSize: worker ? 2 : 1, parallelism, replicas: { min, max }, engine: true };
    };
    const out: WorkloadView[] = [];
    const main = make(spec, "spec");
    if (main) out.push(main);
    const prefill = obj(spec, "prefill");
    if (prefill) {
        const p = make(prefill, "spec.prefill", "prefill");
        if (p) out.push(p);
    }
    return out;
}

function nimServiceWorkloads(s: Extract<Subject, { form: "k8s" }>, b: JsonObject): WorkloadView[] {
    const spec = obj(b, "spec") ?? {};
    const repo = str(spec, "image", "repository");
    const tag = str(spec, "image", "tag");
    const container: JsonObject = {
        name: "nim",
        image: repo ? (tag ? `${repo}:${tag}` : repo) : undefined,
        env: arr(spec, "env"),
        args: arr(spec, "args"),
        command: arr(spec, "command"),
        resources: obj(spec, "resources") ?? {},
    };
    const podSpec: JsonObject = { containers: [container], nodeSelector: obj(spec, "nodeSelector"), tolerations: arr(spec, "tolerations"), affinity: obj(spec, "affinity") };
    const labels = stringMap(spec, "labels");
    const pods: PodView[] = [
        { path: "spec", role: "nim", spec: podSpec, labels, count: 1, containers: [{ name: "nim", container, init: false }], shmManagedBy: "the NIM Operator (NIMService has no volumes field)", labelsKnown: false },
    ];
    const mn = obj(spec, "multiNode");
    const parallelism: ParallelismView[] = [];
    if (mn) {
        const tp = int(mn, "parallelism", "tensor");
        const pp = int(mn, "parallelism", "pipeline");
        parallelism.push({ where: "spec.multiNode.parallelism", tensor: tp, pipeline: pp, checkTotal: false, seen: `tensor ${tp ?? "unset"}, pipeline ${pp ?? "unset"}` });
    }
    const n = int(spec, "replicas") ?? 1;
    const scaled = bool(spec, "scale", "enabled") === true;
    const min = scaled ? (int(spec, "scale", "hpa", "minReplicas") ?? n) : n;
    const max = scaled ? (int(spec, "scale", "hpa", "maxReplicas") ?? n) : n;
    const metrics = bool(spec, "metrics", "enabled") === true;
    return [
        {
            subject: s,
            ref: s.ref,
            pods,
            groupSize: mn ? Math.max(pp(mn), 1) : 1,
            parallelism,
            replicas: { min, max },
            engine: true,
            selfMonitored: metrics ? "spec.metrics.enabled (the NIM Operator creates its ServiceMonitor)" : undefined,
        },
    ];
}

function pp(mn: JsonObject): number {
    return int(mn, "parallelism", "pipeline") ?? 1;
}

// ── Helm values of workload charts ───────────────────────────────────────────────────

const LLMD_ACCELERATORS: Record<string, { resource: string; vendor: Vendor | undefined }> = {
    nvidia: { resource: "nvidia.com/gpu", vendor: "nvidia" },
    amd: { resource: "amd.com/gpu", vendor: "amd" },
    "intel-gaudi": { resource: "habana.ai/gaudi", vendor: "intel" },
    "intel-i915": { resource: "gpu.intel.com/i915", vendor: "intel" },
    "intel-xe": { resource: "gpu.intel.com/xe", vendor: "intel" },
};

/** Is this a Helm release of the llm-d-modelservice chart (any source: repo name, oci:// URL, path)? */
export function isModelServiceChart(chart: string): boolean {
    return /(^|\/)llm-d-modelservice(\.tgz|-[\d.]+\.tgz)?$/.test(chart);
}

function helmWorkloads(s: Extract<Subject, { form: "helm" }>): WorkloadView[] {
    // A v4 Chart's pods are its rendered children; judging its values too would count them twice.
    if (s.rendered || !isModelServiceChart(s.chart)) return [];
    const v = s.values;
    const accType = str(v, "accelerator", "type") ?? "nvidia";
    const acc = LLMD_ACCELERATORS[accType];
    const resourceName = str(v, "accelerator", "resources", accType) ?? acc?.resource;
    const dra = bool(v, "accelerator", "dra") === true;
    const multinode = bool(v, "multinode") === true;
    const baseLabels = obj(v, "modelArtifacts", "labels") ? stringMap(v, "modelArtifacts", "labels") : { "llm-d.ai/inference-serving": "true" };
    const out: WorkloadView[] = [];
    for (const role of ["decode", "prefill"] as const) {
        const r = obj(v, role);
        if (!r || bool(r, "create") === false) continue;
        const replicas = int(r, "replicas") ?? (role === "decode" ? 1 : 0);
        const containers = objs(r, "containers");
        if (containers.length === 0) continue; // chart default: the inference simulator, no accelerator
        const par = obj(r, "parallelism") ?? {};
        const tensor = int(par, "tensor") ?? 1;
        const workers = int(par, "workers") ?? (int(par, "data") && int(par, "dataLocal") ? Math.floor((int(par, "data") ?? 1) / (int(par, "dataLocal") ?? 1)) : 1);
        const dataLocal = int(par, "dataLocal") ?? (int(par, "data") ? Math.floor((int(par, "data") ?? 1) / workers) : 1);
        const extra = obj(r, "extraConfig") ?? {};
        const labelKey = str(r, "acceleratorTypes", "labelKey");
        const affinity = labelKey
            ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: labelKey, operator: "In", values: arr(r, "acceleratorTypes", "labelValues") }] }] } } }
            : obj(extra, "affinity");
        const spec: JsonObject = { ...extra, nodeSelector: obj(r, "nodeSelector") ?? obj(extra, "nodeSelector"), affinity, tolerations: arr(r, "tolerations").length ? arr(r, "tolerations") : arr(extra, "tolerations"), volumes: arr(r, "volumes"), containers, initContainers: arr(r, "initContainers") };
        const implicitContainers = dra || !resourceName
            ? []
            : containers.filter((c) => !/llm-d-inference-sim/.test(str(c, "image") ?? "") && obj(c, "resources", "limits")?.[resourceName] === undefined).map((c) => str(c, "name") ?? "vllm");
        const p: PodView = {
            path: `values.${role}`,
            role,
            spec,
            labels: { ...baseLabels, "llm-d.ai/role": role },
            count: multinode ? workers : 1,
            containers: containersOf(spec),
            implicitGpus: implicitContainers.length > 0 && resourceName ? { resource: resourceName, count: tensor * dataLocal, containers: implicitContainers } : undefined,
            labelsKnown: true,
        };
        const parallelism: ParallelismView[] = [
            { where: `values.${role}.parallelism`, tensor, dataLocal, checkTotal: true, scope: "pod", seen: `tensor ${tensor}, dataLocal ${dataLocal}` },
            ...parallelismFromArgs([p], true).map((x) => ({ ...x, checkTotal: false })),
        ];
        const podMonitor = bool(r, "monitoring", "podmonitor", "enabled") === true;
        out.push({
            subject: s,
            ref: s.ref,
            part: role,
            pods: [p],
            groupSize: multinode ? workers : 1,
            lwsRestartPolicy: undefined,
            parallelism,
            replicas: { min: replicas, max: replicas },
            engine: true,
            selfMonitored: podMonitor ? `values.${role}.monitoring.podmonitor.enabled` : undefined,
            declaredVendor: { vendor: acc?.vendor, value: accType, path: "values.accelerator.type" },
        });
    }
    return out;
}

/** Device-plugin GPUs of one pod (explicit limits plus chart-computed ones). */
export function podGpus(p: PodView): number {
    const explicit = p.containers.reduce((n, c) => n + containerGpus(c.container), 0);
    const implicit = p.implicitGpus ? p.implicitGpus.count * p.implicitGpus.containers.length : 0;
    return explicit + implicit;
}

/** Device-plugin GPUs of one replica (all pods of the group). */
export function replicaGpus(w: WorkloadView): number {
    return w.pods.reduce((n, p) => n + podGpus(p) * p.count, 0);
}
