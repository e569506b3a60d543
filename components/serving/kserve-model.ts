/**
 * KServeModel: one model as a KServe InferenceService (`serving.kserve.io/v1beta1`) on the
 * huggingface runtime (vLLM backend): `hf://` storageUri or `--model_id`, HF token from the Secret,
 * accelerator/CPU/memory limits from the placement, Prometheus scrape annotations plus a PodMonitor.
 *
 * Metrics: the huggingface ClusterServingRuntime (kserve-runtime-configs v0.20.0,
 * files/runtimes/resources.yaml) declares no container port, and Prometheus' pod discovery keeps a
 * PodMonitor endpoint only for a declared port — so the predictor declares `http1` 8080 itself
 * (the name Knative also accepts). The served name is passed with `--served-model-name`: the
 * huggingface server hands it to vLLM, which labels its metrics `model_name` with it (without it
 * the label is the model id, or `/mnt/models` for `hf://` downloads; kserve@v0.20.0
 * python/huggingfaceserver/huggingfaceserver/__main__.py, vllm/vllm_model.py).
 *
 * Autoscaling: Standard mode scales through KEDA (`serving.kserve.io/autoscalerClass: keda`,
 * `spec.predictor.autoScaling.metrics` on one Prometheus series: a sum over the model's own pods).
 * KServe's KEDA reconciler (kserve@v0.20.0 pkg/controller/v1beta1/inferenceservice/reconcilers/keda/
 * keda_reconciler.go) copies only query and `target.value` (as `threshold`) into the ScaledObject
 * trigger and no metric type, so KEDA applies its default AverageValue: replicas =
 * ceil(query / target). The spec says so (`type: AverageValue`, with `value` = `averageValue`, as
 * the webhook requires `value` for External metrics). Knative mode scales through the Knative
 * autoscaler on concurrency, down to zero replicas when `min` is 0.
 *
 * Gated `hf://` models: the storage-initializer (not the model container) downloads them, and
 * takes credentials only from the pod's ServiceAccount secrets or a storage secret annotation
 * (kserve@v0.20.0 pkg/credentials/service_account_credentials.go, mountSecretCredential: a Secret
 * with key `HF_TOKEN` becomes the initializer's HF_TOKEN, pkg/credentials/hf/hf_secret.go). So a
 * model with a token gets a ServiceAccount listing the token Secret, and the predictor runs as it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";
import { acceleratorResources, extraEnv, hfTokenEnv, poolPlacement } from "../engine/pod";
import type { Placement } from "../engine/types";
import type { Model, Pool, ModelSpec, NodePool } from "../types";
import { resolveArgs, type Resolved } from "../resolve";
import { hostResources, modelQuery } from "./common";
import { DEFAULT_AUTOSCALING_QUERY } from "../types";
import type { KServeMode } from "./kserve";
import { kvCacheDtypeArgs } from "../physical/quant";

/** Port the KServe huggingface runtime serves (HTTP API and /metrics) on. */
export const KSERVE_HF_PORT = 8080;
/** Name of that port on the predictor container (Knative allows only "http1" or "h2c"). */
export const KSERVE_HF_PORT_NAME = "http1";
/**
 * The default scale signal of an InferenceService: vLLM's running requests summed over the
 * model's own pods (its namespace and served name), so KEDA gets exactly one series.
 */
export const KSERVE_DEFAULT_QUERY = 'sum(vllm:num_requests_running{namespace="$NAMESPACE",model_name="$MODEL"})';

/** The ServiceAccount the predictor runs as when the storage-initializer needs the HF token. */
export function storageServiceAccountName(modelName: string): string {
    return `${modelName}-storage`;
}

export interface KServeModelArgs {
    namespace: pulumi.Input<string>;
    model: ModelSpec;
    pool: NodePool;
    placement?: Placement;
    /** Deployment mode (must match the KServe install). Defaults to "Standard". */
    mode?: KServeMode;
    /** Name of the Secret with `HF_TOKEN`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** Prometheus base URL KEDA queries (Standard mode autoscaling). Required when the model autoscales in Standard mode. */
    prometheusUrl?: string;
    /** Create a PodMonitor for the predictor (needs the prometheus-operator CRDs). Defaults to false. */
    podMonitor?: boolean;
    /** The resource installing the PodMonitor CRD. */
    monitoringCrds?: k8s.helm.v3.Release;
    /** The resource installing the KEDA CRDs (KServe creates ScaledObjects for keda autoscaling). */
    kedaCrds?: k8s.helm.v3.Release;
    /** What the InferenceService waits for: the KServe install (`KServe.ready`: CRDs, controller, runtimes). Defaults to none (KServe already installed). */
    kserve?: k8s.helm.v3.Release;
}

/** huggingface runtime arguments: model name/id, vLLM engine args from the placement, extra args. Pure. */
export function kserveHfArgs(model: Model, placement: Placement): string[] {
    // --served-model-name fixes vLLM's `model_name` metric label (and the OpenAI model id) to the name.
    const a = [`--model_name=${model.name}`, `--served-model-name=${model.name}`];
    if (!model.kserve.storageUri) a.push(`--model_id=${model.model}`);
    a.push(`--tensor-parallel-size=${placement.tensor}`);
    if (placement.pipeline > 1) a.push(`--pipeline-parallel-size=${placement.pipeline}`);
    a.push(`--max-model-len=${model.maxModelLen}`, `--gpu-memory-utilization=${model.gpuMemoryUtilization}`);
    a.push(...kvCacheDtypeArgs("vllm", model.kvCacheDtype));
    return [...a, ...model.extraArgs];
}

/** The InferenceService body (metadata annotations + spec). Pure; validated against the upstream CRD in tests. */
export function inferenceServiceSpec(args: Omit<Resolved<KServeModelArgs>, "kserve" | "monitoringCrds" | "kedaCrds">): {
    annotations: Record<string, string>;
    spec: Record<string, unknown>;
} {
    const { model, pool, placement } = args;
    const mode = args.mode ?? "Standard";
    const gpus = placement.gpusPerPod;
    const host = hostResources(gpus);
    const limits = { ...acceleratorResources(pool, gpus), cpu: host.cpu, memory: host.memory };
    const annotations: Record<string, string> = {
        "serving.kserve.io/deploymentMode": mode,
        "serving.kserve.io/enable-prometheus-scraping": "true",
        "prometheus.io/scrape": "true",
        "prometheus.io/port": String(KSERVE_HF_PORT),
        "prometheus.io/path": "/metrics",
    };
    const predictor: Record<string, unknown> = {};
    const a = model.autoscaling;
    if (a && mode === "Standard") {
        annotations["serving.kserve.io/autoscalerClass"] = "keda";
        predictor["minReplicas"] = a.min;
        predictor["maxReplicas"] = a.max;
        predictor["autoScaling"] = {
            metrics: [
                {
                    type: "External",
                    external: {
                        metric: { backend: "prometheus", serverAddress: args.prometheusUrl, query: kserveQuery(a.query, model.name, args.namespace) },
                        // What KEDA does with it: the reconciler reads `value` as the threshold and
                        // sets no metric type, so KEDA's default AverageValue applies.
                        target: { type: "AverageValue", value: String(a.target), averageValue: String(a.target) },
                    },
                },
            ],
        };
    } else if (a) {
        // Knative Pod Autoscaler on in-flight requests per pod; minReplicas 0 = scale to zero.
        predictor["minReplicas"] = a.min;
        predictor["maxReplicas"] = a.max;
        predictor["scaleMetric"] = "concurrency";
        predictor["scaleTarget"] = Math.max(1, Math.ceil(a.target));
    } else {
        predictor["minReplicas"] = placement.replicas;
        predictor["maxReplicas"] = Math.max(1, placement.replicas);
        if (mode === "Standard") annotations["serving.kserve.io/autoscalerClass"] = "none";
    }
    const { nodeSelector, tolerations } = poolPlacement(pool);
    if (needsStorageCredentials(args)) predictor["serviceAccountName"] = storageServiceAccountName(model.name);
    predictor["nodeSelector"] = nodeSelector;
    predictor["tolerations"] = tolerations;
    predictor["model"] = {
        modelFormat: { name: "huggingface" },
        ...(model.kserve.storageUri ? { storageUri: `hf://${model.model}` } : {}),
        args: kserveHfArgs(model, placement),
        // Declared so the PodMonitor's endpoint exists (Prometheus drops undeclared ports).
        ports: [{ name: KSERVE_HF_PORT_NAME, containerPort: KSERVE_HF_PORT, protocol: "TCP" }],
        env: [...hfTokenEnv(args.hfTokenSecretName), ...extraEnv(model.env)],
        resources: { limits, requests: limits },
        ...(model.image ? { image: model.image } : {}),
    };
    return { annotations, spec: { predictor } };
}

/** The autoscaling query: the KServe default for the default query; `$MODEL`/`$NAMESPACE` substituted. */
export function kserveQuery(query: string, servedName: string, namespace: pulumi.Input<string>): pulumi.Output<string> {
    const q = query === DEFAULT_AUTOSCALING_QUERY ? KSERVE_DEFAULT_QUERY : query;
    return pulumi.output(namespace).apply((ns) => modelQuery(q, servedName, ns));
}

/** The storage-initializer downloads an `hf://` URI and needs the token (when there is one). */
function needsStorageCredentials(args: Pick<Resolved<KServeModelArgs>, "model" | "hfTokenSecretName">): boolean {
    return args.model.kserve.storageUri && args.hfTokenSecretName !== undefined;
}

export class KServeModel extends pulumi.ComponentResource {
    /** In-cluster OpenAI-compatible base URL of the predictor. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: KServeModelArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("KServeModel"), name, args, componentOpts("serving", "KServeModel", opts));
        const resolved = resolveArgs(args);
        const { model, placement } = resolved;
        const mode = resolved.mode ?? "Standard";
        if (placement.nodesPerReplica > 1) {
            throw new pulumi.ResourceError(
                `KServeModel ${name}: one replica spans ${placement.nodesPerReplica} nodes; the huggingface InferenceService is single-node. Use serving "llmisvc" or "llmd" for multi-node models.`,
                this,
            );
        }
        if (model.autoscaling && mode === "Standard" && !resolved.prometheusUrl) {
            throw new pulumi.ResourceError(
                `KServeModel ${name}: autoscaling through KEDA needs the Prometheus URL; enable platform.monitoring (or remove models[].autoscaling)`,
                this,
            );
        }
        const labels = standardLabels("kserve", model.name, { "inference-platform/model": model.name });
        const body = inferenceServiceSpec(resolved);
        const kedaCrds = model.autoscaling && mode === "Standard" ? resolved.kedaCrds : undefined;
        const saDeps: pulumi.Resource[] = [];
        if (needsStorageCredentials(resolved)) {
            // KServe's credential builder mounts every Secret the ServiceAccount lists into the
            // storage-initializer; `HF_TOKEN` in it is what the hf:// download uses.
            saDeps.push(
                new k8s.core.v1.ServiceAccount(
                    `${name}-storage`,
                    {
                        metadata: { name: storageServiceAccountName(model.name), namespace: resolved.namespace, labels },
                        secrets: [{ name: resolved.hfTokenSecretName }],
                    },
                    { parent: this },
                ),
            );
        }
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "serving.kserve.io/v1beta1",
                kind: "InferenceService",
                metadata: { name: model.name, namespace: resolved.namespace, labels, annotations: body.annotations },
                spec: body.spec,
            },
            // The kind, its webhooks and the huggingface runtime come from the KServe install; KServe
            // creates a KEDA ScaledObject for keda autoscaling, whose kind must exist too.
            { parent: this, dependsOn: dependsOnAll(resolved.kserve, kedaCrds, saDeps) },
        );
        if (resolved.podMonitor) {
            new k8s.apiextensions.CustomResource(
                `${name}-metrics`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: `${model.name}-predictor-metrics`, namespace: resolved.namespace, labels },
                    spec: {
                        selector: { matchLabels: { "serving.kserve.io/inferenceservice": model.name } },
                        // The port the predictor container declares (see inferenceServiceSpec).
                        podMetricsEndpoints: [{ port: KSERVE_HF_PORT_NAME, path: "/metrics", interval: "15s" }],
                    },
                },
                // The PodMonitor kind exists once kube-prometheus-stack installed its CRDs.
                { parent: this, dependsOn: dependsOnAll(resolved.monitoringCrds) },
            );
        }
        this.url = pulumi.interpolate`http://${model.name}-predictor.${resolved.namespace}.svc.cluster.local/openai/v1`;
        this.registerOutputs({ url: this.url });
    }
}
