/**
 * Shared pieces of the serving components: install namespaces, the inference Gateway reference,
 * host resources per replica, the Prometheus query placeholder, and the Args every chart-based
 * serving install takes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartOverrides } from "../common/helm";
import { standardLabels } from "../common/k8s";

/** The inference Gateway (from the platform layer's gateway provider). */
export interface GatewayRef {
    name: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    /** GatewayClass name, e.g. "istio", "kgateway", "agentgateway". */
    className: string;
}

/** Args of every component that installs charts. */
export interface ChartInstallArgs {
    /** Per-stack chart source overrides, keyed like components/versions.ts `charts`. Defaults to none. */
    chartOverrides?: ChartOverrides;
    /** Do not wait for the releases' workloads to become ready. Defaults to false. */
    skipAwait?: boolean;
}

/** Args common to the chart-based serving installs (KServe, llm-d-infra, NIM operator, Dynamo). */
export interface ServingInstallArgs extends ChartInstallArgs {
    /** Extra chart values deep-merged over the component's own (the main chart only). Defaults to none. */
    values?: { [key: string]: any };
}

/**
 * A namespace for an operator install. Retained on delete: operator namespaces end up holding
 * objects other stacks or users created, and deleting them would take those along.
 */
export function installNamespace(parent: pulumi.Resource, resourceName: string, name: string, component: string): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        resourceName,
        {
            metadata: {
                name,
                labels: { ...standardLabels(component, name), "pod-security.kubernetes.io/enforce": "baseline" },
            },
        },
        { parent, retainOnDelete: true },
    );
}

/**
 * In-cluster host of the Service a Gateway API implementation creates for a Gateway: Istio names it
 * `<gateway>-<class>` (`<gateway>-istio`), kgateway and agentgateway use the Gateway's own name.
 */
export function gatewayServiceHost(gw: GatewayRef): pulumi.Output<string> {
    return pulumi.all([gw.name, gw.namespace]).apply(([name, ns]) =>
        gw.className === "istio" ? `${name}-istio.${ns}.svc.cluster.local` : `${name}.${ns}.svc.cluster.local`,
    );
}

/**
 * Host CPU and memory per accelerator pod: 4 CPUs and 16 GiB per accelerator (tokenizer, API server,
 * one worker process per GPU, pinned host buffers), at least 4 CPUs / 16 GiB. Engines fail late and
 * opaquely when the host side is starved (KServe's default InferenceService limit is 1 CPU / 2 GiB).
 */
export function hostResources(gpus: number): { cpu: string; memory: string } {
    const n = Math.max(1, gpus);
    return { cpu: String(4 * n), memory: `${16 * n}Gi` };
}

/**
 * The autoscaling query with `$MODEL` replaced by the served model name (the metrics' `model_name`
 * label) and `$NAMESPACE` by the model's namespace (Prometheus' `namespace` target label).
 */
export function modelQuery(query: string, servedModelName: string, namespace: string): string {
    return query.split("$MODEL").join(servedModelName).split("$NAMESPACE").join(namespace);
}

/** PromQL aggregations that return one series when used without `by (…)`. */
const SINGLE_SERIES_AGGREGATIONS = ["sum", "avg", "max", "min", "count", "group", "stddev", "stdvar", "quantile", "scalar"];

/**
 * Why a KEDA Prometheus query may return more than one series, or undefined. KEDA's Prometheus
 * scaler fails on a multi-element result ("prometheus query … returned multiple elements",
 * kedacore/keda@v2.20.2 pkg/scalers/prometheus_scaler.go), and a bare metric returns one series
 * per pod (and per model). Static check: the outermost expression must be an aggregation
 * (`sum(…)`, `max(…)`, …) without a top-level `by`/`without` grouping. Pure.
 */
export function multiSeriesQueryProblem(query: string): string | undefined {
    const q = query.trim();
    const fix = `wrap it in an aggregation over all the model's pods, e.g. sum(${q})`;
    const m = /^([a-z_]+)\s*(\(|(by|without)\b)/.exec(q);
    if (!m || !SINGLE_SERIES_AGGREGATIONS.includes(m[1])) return `returns one series per pod (KEDA needs exactly one); ${fix}`;
    // Words outside any parentheses or braces: `sum by (pod) (…)`, `sum(…) without (x)`.
    let depth = 0;
    let outside = "";
    for (const ch of q) {
        if ("({[".includes(ch)) depth++;
        outside += depth === 0 ? ch : " ";
        if (")}]".includes(ch)) depth--;
    }
    if (/\b(by|without)\b/.test(outside)) return `groups with by/without, which returns one series per group (KEDA needs exactly one); drop the grouping, e.g. sum(…)`;
    return undefined;
}

/**
 * Multi-node layout for data-parallel serving (llm-d wide-EP, LLMInferenceService workers): each
 * pod holds `dataLocal` data-parallel ranks of `tensor` GPUs; `data` ranks span `workers` pods.
 * Pipeline parallelism across nodes is not expressible there. Pure.
 */
export function dataParallelLayout(p: { tensor: number; pipeline: number; data: number; gpusPerPod: number; nodesPerReplica: number }): {
    tensor: number;
    data: number;
    dataLocal: number;
    workers: number;
} {
    const dataLocal = Math.max(1, Math.floor(p.gpusPerPod / p.tensor));
    return { tensor: p.tensor, dataLocal, workers: p.nodesPerReplica, data: dataLocal * p.nodesPerReplica };
}
