/**
 * The one normaliser: a Pulumi resource (type + props) or a plain manifest (apiVersion/kind, or a
 * Helm release document `{chart, values}`) becomes a `Subject`, and a subject becomes zero or more
 * `WorkloadView`s — the pod templates (with the path to each), how many pods one replica spans,
 * the parallelism it declares, its replica range and whether it is an inference engine.
 * Every resource rule reads workloads through here, so Pulumi and YAML inputs are judged alike.
 */
import { parse as parseYaml } from "yaml";
import { arr, bool, int, isObject, obj, objs, str, stringMap, type JsonObject } from "./json";
import { commandLine, containerGpus, gpuVendorOf, isEngineContainer, isEngineImage } from "./resources";
import { argParallelism, type Engine } from "./cmdline";
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
    /**
     * The tensor-parallel degree the NVLink check compares (default `tensor`): SGLang with
     * --enable-dp-attention runs attention data-parallel and MoE expert-parallel over the
     * --tp-size ranks, so only tp / dp ranks do tensor-parallel all-reduce together.
     */
    nvlinkTensor?: number;
    /** Why the values cannot be trusted (a flag from an unreadable env var, a config file): rules note instead of judging. */
    uncertain?: string;
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
    /** Why the pods of one replica cannot be told from this object (rules that depend on it note instead of judging). */
    groupUncertain?: string;
    /** Autoscalers of this object count pods, and `groupSize` pods form one replica (plain StatefulSet/Deployment groups). */
    scalesPods?: boolean;
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

/**
 * Parallelism a container's engine command declares, as the GPUs it needs:
 * vLLM TP × PP × DP (`--data-parallel-size` for the replica; only `--data-parallel-size-local` ranks
 * live in this pod when the deployment spans pods this object does not show), SGLang TP × PP × DP
 * except with `--enable-dp-attention`, where the DP ranks share the TP GPUs
 * (sgl-project/sglang@v0.5.5.post2:python/sglang/srt/server_args.py), TensorRT-LLM --world_size.
 */
function parallelismFromArgs(pods: PodView[], checkTotal: boolean, opts: { injected?: Record<string, string>; engine?: Engine; multiPod?: boolean } = {}): ParallelismView[] {
    const out: ParallelismView[] = [];
    for (const p of pods) {
        for (const c of p.containers) {
            if (c.init && !isEngineContainer(c.container)) continue;
            const a = argParallelism(c.container, opts.injected, opts.engine);
            if (a.seen.length === 0 && a.unresolved.length === 0) continue;
            let dataLocal: number | undefined;
            let scope: "pod" | "replica" | undefined;
            if (a.engine === "sglang") {
                dataLocal = a.dpAttention ? undefined : a.data;
            } else if (a.data !== undefined && a.dataLocal !== undefined && a.dataLocal !== a.data && !opts.multiPod) {
                // vLLM multi-node data parallel across pods this object does not group: this pod holds the local ranks.
                dataLocal = a.dataLocal;
                scope = "pod";
            } else if (a.data !== undefined) {
                dataLocal = a.data;
            } else if (a.dataLocal !== undefined) {
                dataLocal = a.dataLocal;
                scope = "pod";
            }
            const seen = a.seen.join(" ") || "(no readable parallelism flags)";
            out.push({
                where: `${p.role} container "${c.name}" (${p.path})`,
                tensor: a.tensor,
                nvlinkTensor: a.engine === "sglang" && a.dpAttention && a.tensor !== undefined && a.data ? Math.max(1, Math.floor(a.tensor / a.data)) : undefined,
                pipeline: a.pipeline,
                dataLocal,
                nnodes: a.nnodes,
                worldSize: a.worldSize,
                checkTotal: checkTotal && !(a.headless && !opts.multiPod),
                scope,
                seen,
                uncertain: a.unresolved.length > 0 ? `${a.unresolved.join(", ")}` : undefined,
            });
        }
    }
    return out;
}

/** Pods of a plain StatefulSet/Deployment that form one replica together (SGLang --nnodes, rank flags). */
function plainGroup(par: ParallelismView[], pods: PodView[]): { size: number; uncertain?: string } {
    const nn = par.map((x) => x.nnodes).filter((n): n is number => n !== undefined);
    if (nn.length > 0) return { size: Math.max(...nn) };
    const ranked = pods.some((p) => p.containers.some((c) => argParallelism(c.container).nodeRank === true));
    const unresolvedNodes = par.some((x) => /--nnodes/.test(x.uncertain ?? ""));
    if (ranked || unresolvedNodes) {
        return { size: 1, uncertain: `its engine takes a node rank or node count (${par.map((x) => x.uncertain ?? x.seen).join("; ")}) but how many pods form one replica cannot be read from the object` };
    }
    return { size: 1 };
}

function isEngine(pods: PodView[]): boolean {
    return pods.some((p) => p.containers.some((c) => isEngineContainer(c.container)));
}

/**
 * GPU pods one model replica of a Ray cluster spans. Ray Serve LLM replicas are placement groups
 * of TP × PP GPUs (`engine_kwargs` of `llm_configs` in serveConfigV2 — YAML in every real
 * RayService); a plain Serve deployment's replica is one actor with `ray_actor_options.num_gpus`
 * (or the GPUs of its `placement_group_bundles`). When the config says neither (or there is no
 * serve config: a RayCluster runs whatever jobs are submitted), the replica size is unknown.
 */
function rayReplica(pods: PodView[], serveConfig: string | undefined): { pods?: number; uncertain?: string; llm: { tensor?: number; pipeline?: number; where: string }[] } {
    const gpuPods = pods.filter((p) => podGpus(p) > 0);
    const perPod = Math.max(0, ...gpuPods.map((p) => podGpus(p)));
    const allGpuPods = gpuPods.reduce((n, p) => n + p.count, 0);
    if (serveConfig === undefined) {
        return allGpuPods <= 1 ? { pods: allGpuPods, llm: [] } : { uncertain: "it has no serve config, so how many GPU workers one job spans depends on the jobs submitted to it", llm: [] };
    }
    const info = serveReplicaGpus(serveConfig);
    if (info.gpus === undefined || perPod === 0) {
        return allGpuPods <= 1 ? { pods: allGpuPods, llm: info.llm } : { uncertain: info.why ?? "its serve config does not say how many GPUs one replica uses", llm: info.llm };
    }
    return { pods: Math.ceil(info.gpus / perPod), llm: info.llm };
}

/** The largest replica (in GPUs) over the Serve config's applications, read as YAML (JSON is YAML too). */
export function serveReplicaGpus(serveConfig: string): { gpus?: number; why?: string; llm: { tensor?: number; pipeline?: number; where: string }[] } {
    let doc: unknown;
    try {
        doc = parseYaml(serveConfig);
    } catch (e) {
        return { why: `spec.serveConfigV2 is not valid YAML (${(e as Error).message.split("\n")[0]})`, llm: [] };
    }
    let max: number | undefined;
    let unknown = false;
    const llm: { tensor?: number; pipeline?: number; where: string }[] = [];
    objs(isObject(doc) ? doc : {}, "applications").forEach((app, ai) => {
        const configs = [...objs(app, "args", "llm_configs"), ...(obj(app, "args", "llm_config") ? [obj(app, "args", "llm_config") as JsonObject] : [])];
        configs.forEach((cfg, li) => {
            const kw = obj(cfg, "engine_kwargs") ?? {};
            const tensor = int(kw, "tensor_parallel_size");
            const pipeline = int(kw, "pipeline_parallel_size");
            llm.push({ tensor, pipeline, where: `spec.serveConfigV2 applications[${ai}].args.llm_configs[${li}].engine_kwargs` });
            max = Math.max(max ?? 0, (tensor ?? 1) * (pipeline ?? 1));
        });
        if (configs.length > 0) return;
        const deployments = objs(app, "deployments");
        if (deployments.length === 0) unknown = true;
        for (const d of deployments) {
            const bundles = objs(d, "placement_group_bundles");
            const gpus = bundles.length > 0 ? bundles.reduce((n, b) => n + (typeof b.GPU === "number" ? b.GPU : 0), 0) : (obj(d, "ray_actor_options") && typeof obj(d, "ray_actor_options")?.num_gpus === "number" ? (obj(d, "ray_actor_options")?.num_gpus as number) : undefined);
            if (gpus === undefined) unknown = true;
            else max = Math.max(max ?? 0, Math.ceil(gpus));
        }
    });
    if (unknown) return { why: "a Serve deployment in spec.serveConfigV2 sets neither llm_configs engine_kwargs nor ray_actor_options.num_gpus (its code decides how many GPUs a replica uses)", llm };
    return { gpus: max, llm };
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
        const parallelism = parallelismFromArgs([p], !rayMultiNode([p]));
        const g = plainGroup(parallelism, [p]);
        return [{ ...base, pods: [p], groupSize: 1, groupUncertain: g.size > 1 ? `a bare Pod running ${g.size}-node parallelism joins pods the object does not show` : g.uncertain, parallelism: g.size > 1 ? parallelism.map((x) => ({ ...x, checkTotal: false })) : parallelism, replicas: { min: 1, max: 1 }, engine: isEngine([p]) }];
    }
    if (isKind(s, "apps", "Deployment") || isKind(s, "apps", "StatefulSet") || isKind(s, "apps", "ReplicaSet")) {
        const p = pod("spec.template", "pod", obj(b, "spec", "template"), 1);
        if (!p) return [];
        const n = int(b, "spec", "replicas") ?? 1;
        const parallelism = parallelismFromArgs([p], !rayMultiNode([p]), { multiPod: true });
        const g = plainGroup(parallelism, [p]);
        if (g.size > 1) {
            // SGLang --nnodes N on a StatefulSet/Deployment: every N pods (node ranks 0..N-1) form one replica.
            const group: PodView = { ...p, count: g.size };
            return [{ ...base, pods: [group], groupSize: g.size, scalesPods: true, parallelism, replicas: { min: Math.floor(n / g.size), max: Math.floor(n / g.size) }, scaleTarget: { kind: s.kind, name: s.ref.name }, engine: isEngine([p]) }];
        }
        const single = parallelismFromArgs([p], !rayMultiNode([p]));
        return [{ ...base, pods: [p], groupSize: 1, groupUncertain: g.uncertain, parallelism: single, replicas: { min: n, max: n }, scaleTarget: { kind: s.kind, name: s.ref.name }, engine: isEngine([p]) }];
    }
    if (isKind(s, "batch", "Job") || isKind(s, "batch", "CronJob") || isKind(s, "apps", "DaemonSet")) {
        const cron = s.kind === "CronJob";
        const tpl = cron ? obj(b, "spec", "jobTemplate", "spec", "template") : obj(b, "spec", "template");
        const p = pod(cron ? "spec.jobTemplate.spec.template" : "spec.template", "pod", tpl, 1);
        if (!p) return [];
        const par = int(b, "spec", ...(cron ? ["jobTemplate", "spec", "parallelism"] : ["parallelism"])) ?? 1;
        // A DaemonSet runs one pod per matching node (a count only the cluster knows); a CronJob may run none at a time.
        const replicas = s.kind === "DaemonSet" ? { min: 0, max: 0 } : cron ? { min: 0, max: par } : { min: par, max: par };
        return [{ ...base, pods: [p], groupSize: 1, parallelism: parallelismFromArgs([p], !rayMultiNode([p])), replicas, engine: isEngine([p]) }];
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
                // LWS injects LWS_GROUP_SIZE (and LWS_LEADER_ADDRESS, LWS_WORKER_INDEX) into every pod of the group.
                parallelism: parallelismFromArgs(pods, true, { injected: { LWS_GROUP_SIZE: String(size) }, multiPod: true }),
                replicas: { min: n, max: n },
                scaleTarget: { kind: s.kind, name: s.ref.name },
                engine: isEngine(pods),
            },
        ];
    }
    if (isKind(s, "ray.io", "RayCluster") || isKind(s, "ray.io", "RayService") || isKind(s, "ray.io", "RayJob")) {
        const root = s.kind === "RayService" ? "spec.rayClusterConfig" : s.kind === "RayJob" ? "spec.rayClusterSpec" : "spec";
        const cluster = s.kind === "RayService" ? obj(b, "spec", "rayClusterConfig") : s.kind === "RayJob" ? obj(b, "spec", "rayClusterSpec") : obj(b, "spec");
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
        const serve = s.kind === "RayService" ? str(b, "spec", "serveConfigV2") : undefined;
        const rr = rayReplica(pods, serve);
        const parallelism: ParallelismView[] = [
            ...rr.llm.filter((l) => l.tensor !== undefined || l.pipeline !== undefined).map((l) => ({ where: l.where, tensor: l.tensor, pipeline: l.pipeline, checkTotal: false, seen: `tensor_parallel_size ${l.tensor ?? "unset"}, pipeline_parallel_size ${l.pipeline ?? "unset"}` })),
            ...parallelismFromArgs(pods, rr.pods !== undefined, { multiPod: true }),
        ];
        return [
            {
                ...base,
                pods,
                groupSize: pods.reduce((n, p) => n + p.count, 0),
                replicaGpuPods: rr.pods,
                groupUncertain: rr.uncertain,
                parallelism,
                replicas: { min: 1, max: 1 },
                engine: isEngine(pods) || /ray\.serve\.llm/.test(serve ?? ""),
            },
        ];
    }
    if (isKind(s, "serving.kserve.io", "InferenceService")) return inferenceServiceWorkloads(s, b);
    if (isKind(s, "serving.kserve.io", "LLMInferenceService")) return llmInferenceServiceWorkloads(s, b);
    if (isKind(s, "apps.nvidia.com", "NIMService")) return nimServiceWorkloads(s, b);
    return [];
}

/**
 * Objects that hold GPU requests (`resources.limits`/`requests` with a GPU resource) but are of a
 * kind the pack does not model (MPIJob, ClusterServingRuntime, Dynamo graphs, third-party runtimes, …): where the
 * first one is, for a note. Undefined for objects the pack judges or that request no GPU.
 */
export function unjudgedGpuRequest(s: Subject): string | undefined {
    if (s.form !== "k8s" || workloadsOf(s).length > 0) return undefined;
    if (isKind(s, "", "Pod") || isKind(s, "apps", "Deployment") || isKind(s, "apps", "StatefulSet") || isKind(s, "apps", "ReplicaSet")) return undefined;
    let found: string | undefined;
    const walk = (x: unknown, path: string): void => {
        if (found) return;
        if (Array.isArray(x)) x.forEach((y, i) => walk(y, `${path}[${i}]`));
        else if (isObject(x)) {
            for (const k of ["limits", "requests"]) {
                const m = obj(x, k);
                // Device-plugin GPU resources, or the plain `gpu` count of operator CRDs (NVIDIA Dynamo `resources.limits.gpu`).
                const r = m && Object.keys(m).find((key) => gpuVendorOf(key) !== undefined || key === "gpu");
                if (r) {
                    found = `${path ? `${path}.` : ""}${k}["${r}"]`;
                    return;
                }
            }
            for (const [k, y] of Object.entries(x)) walk(y, path ? `${path}.${k}` : k);
        }
    };
    walk(s.body, "");
    return found;
}

/**
 * Predictor keys that are not pod-spec fields (serving.kserve.io_inferenceservices.yaml, KServe
 * v0.16 CRD in ../shared/upstream/crds): the model/framework container forms and KServe settings.
 */
export const ISVC_FRAMEWORKS = ["model", "huggingface", "tensorflow", "pytorch", "triton", "sklearn", "xgboost", "onnx", "lightgbm", "paddle", "pmml"] as const;
const ISVC_NON_POD_KEYS = new Set<string>([
    ...ISVC_FRAMEWORKS, "workerSpec", "minReplicas", "maxReplicas", "scaleMetric", "scaleMetricType", "scaleTarget", "containerConcurrency",
    "timeout", "canaryTrafficPercent", "logger", "batcher", "labels", "annotations", "deploymentStrategy", "autoScaling",
    "storageUris", "storageContainerName", "explainer", "art", "alibi",
]);

/** Engine a KServe predictor form runs (its flags are read with that engine's table). */
function isvcEngine(form: string, c: JsonObject): Engine | undefined {
    const fmt = str(c, "modelFormat", "name")?.toLowerCase();
    if (form === "huggingface" || fmt === "huggingface" || fmt === "vllm") return "vllm";
    if (form === "triton" || fmt === "triton" || fmt === "tensorrt") return "triton";
    return undefined;
}

function inferenceServiceWorkloads(s: Extract<Subject, { form: "k8s" }>, b: JsonObject): WorkloadView[] {
    const out: WorkloadView[] = [];
    for (const component of ["predictor", "transformer", "explainer"] as const) {
        const part = obj(b, "spec", component);
        if (!part) continue;
        const spec: JsonObject = {};
        for (const [k, v] of Object.entries(part)) if (!ISVC_NON_POD_KEYS.has(k)) spec[k] = v;
        const containers: ContainerView[] = [];
        let engineHint: Engine | undefined;
        let engine = false;
        for (const form of ISVC_FRAMEWORKS) {
            const c = obj(part, form);
            if (!c) continue;
            // The serving runtime fills in image and command; the form carries resources, args and env.
            containers.push({ name: str(c, "name") ?? "kserve-container", container: c, init: false });
            engineHint = engineHint ?? isvcEngine(form, c);
            if (isvcEngine(form, c) !== undefined || isEngineImage(str(c, "image"))) engine = true;
        }
        containers.push(...containersOf(spec));
        const labels = { ...stringMap(part, "labels"), "serving.kserve.io/inferenceservice": s.ref.name, component };
        // With a model/framework form, KServe merges the ServingRuntime's container and volumes (its /dev/shm) into the pod.
        const shmManagedBy = engineHint !== undefined || ISVC_FRAMEWORKS.some((f) => obj(part, f)) ? "the ServingRuntime KServe merges into this component (its volumes and mounts)" : undefined;
        const head: PodView = { path: `spec.${component}`, role: component, spec, labels, count: 1, containers, labelsKnown: true, shmManagedBy };
        const pods = [head];
        const ws = component === "predictor" ? obj(part, "workerSpec") : undefined;
        const parallelism: ParallelismView[] = [];
        let groupSize = 1;
        if (ws) {
            const pp = int(ws, "pipelineParallelSize") ?? 1;
            const tp = int(ws, "tensorParallelSize");
            groupSize = Math.max(pp, 1);
            if (pp > 1) pods.push({ path: "spec.predictor.workerSpec", role: "worker", spec: ws, labels, count: pp - 1, containers: containersOf(ws), labelsKnown: true, shmManagedBy });
            parallelism.push({ where: "spec.predictor.workerSpec", tensor: tp, pipeline: pp, checkTotal: true, seen: `tensorParallelSize ${tp ?? "unset"}, pipelineParallelSize ${pp}` });
        }
        parallelism.push(...parallelismFromArgs([head], true, { engine: engineHint, multiPod: ws !== undefined }));
        const min = int(part, "minReplicas") ?? 1;
        const maxRaw = int(part, "maxReplicas");
        if (containers.length === 0) continue;
        out.push({
            subject: s,
            ref: s.ref,
            part: component === "predictor" ? undefined : component,
            pods,
            groupSize,
            parallelism,
            replicas: { min, max: maxRaw && maxRaw >= min ? maxRaw : min },
            engine: component === "predictor" && (engine || isEngine(pods)),
        });
    }
    return out;
}

/** KServe ServingRuntime/ClusterServingRuntime: container templates merged into predictors, not pods of their own. */
export function isServingRuntime(s: Subject): boolean {
    return isKind(s, "serving.kserve.io", "ServingRuntime") || isKind(s, "serving.kserve.io", "ClusterServingRuntime");
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
