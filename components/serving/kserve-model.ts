/**
 * KServeModel: one model as a KServe InferenceService (`serving.kserve.io/v1beta1`) on the
 * huggingface runtime (vLLM backend): `hf://` storageUri or `--model_id`, HF token from the Secret,
 * accelerator/CPU/memory limits from the placement, Prometheus scrape annotations plus a PodMonitor.
 *
 * Autoscaling: Standard mode scales through KEDA (`serving.kserve.io/autoscalerClass: keda`,
 * `spec.predictor.autoScaling.metrics` on a vLLM Prometheus query); Knative mode through the Knative
 * autoscaler on concurrency, down to zero replicas when `min` is 0.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE, standardLabels } from "../common/k8s";
import { acceleratorResources, extraEnv, hfTokenEnv, poolPlacement } from "../engine/pod";
import type { Placement } from "../engine/types";
import type { ModelConfig, PoolConfig } from "../../stacks/schema";
import { hostResources, modelQuery } from "./common";
import type { KServeMode } from "./kserve";

/** Port the KServe huggingface runtime serves (HTTP API and /metrics) on. */
export const KSERVE_HF_PORT = 8080;

export interface KServeModelArgs {
    namespace: pulumi.Input<string>;
    model: ModelConfig;
    pool: PoolConfig;
    placement: Placement;
    /** Deployment mode (must match the KServe install). Defaults to "Standard". */
    mode?: KServeMode;
    /** Name of the Secret with `HF_TOKEN`; omit for public models. */
    hfTokenSecretName?: pulumi.Input<string>;
    /** Prometheus base URL KEDA queries (Standard mode autoscaling). Required when the model autoscales in Standard mode. */
    prometheusUrl?: string;
    /** Create a PodMonitor for the predictor (needs the prometheus-operator CRDs). Defaults to false. */
    podMonitor?: boolean;
    /** The resource installing the PodMonitor CRD. */
    monitoringCrds?: pulumi.Resource;
    /** The resource installing the KEDA CRDs (KServe creates ScaledObjects for keda autoscaling). */
    kedaCrds?: pulumi.Resource;
    /** What the InferenceService waits for: the KServe CRDs, controller and runtime (KServe.inferenceServiceDeps). */
    kserve: pulumi.Resource[];
}

/** huggingface runtime arguments: model name/id, vLLM engine args from the placement, extra args. Pure. */
export function kserveHfArgs(model: ModelConfig, placement: Placement): string[] {
    const a = [`--model_name=${model.name}`];
    if (!model.kserve.storageUri) a.push(`--model_id=${model.model}`);
    a.push(`--tensor-parallel-size=${placement.tensor}`);
    if (placement.pipeline > 1) a.push(`--pipeline-parallel-size=${placement.pipeline}`);
    a.push(`--max-model-len=${model.maxModelLen}`, `--gpu-memory-utilization=${model.gpuMemoryUtilization}`);
    return [...a, ...model.extraArgs];
}

/** The InferenceService body (metadata annotations + spec). Pure; validated against the upstream CRD in tests. */
export function inferenceServiceSpec(args: Omit<KServeModelArgs, "kserve" | "monitoringCrds" | "kedaCrds">): {
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
                        metric: { backend: "prometheus", serverAddress: args.prometheusUrl, query: modelQuery(a.query, model.name) },
                        target: { type: "Value", value: String(a.target) },
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
    predictor["nodeSelector"] = nodeSelector;
    predictor["tolerations"] = tolerations;
    predictor["model"] = {
        modelFormat: { name: "huggingface" },
        ...(model.kserve.storageUri ? { storageUri: `hf://${model.model}` } : {}),
        args: kserveHfArgs(model, placement),
        env: [...hfTokenEnv(args.hfTokenSecretName), ...extraEnv(model.env)],
        resources: { limits, requests: limits },
        ...(model.image ? { image: model.image } : {}),
    };
    return { annotations, spec: { predictor } };
}

export class KServeModel extends pulumi.ComponentResource {
    /** In-cluster OpenAI-compatible base URL of the predictor. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: KServeModelArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:serving:KServeModel`, name, {}, opts);
        const { model, placement } = args;
        const mode = args.mode ?? "Standard";
        if (placement.nodesPerReplica > 1) {
            throw new pulumi.ResourceError(
                `KServeModel ${name}: one replica spans ${placement.nodesPerReplica} nodes; the huggingface InferenceService is single-node. Use serving "llmisvc" or "llmd" for multi-node models.`,
                this,
            );
        }
        if (model.autoscaling && mode === "Standard" && !args.prometheusUrl) {
            throw new pulumi.ResourceError(
                `KServeModel ${name}: autoscaling through KEDA needs the Prometheus URL; enable platform.monitoring (or remove models[].autoscaling)`,
                this,
            );
        }
        const labels = standardLabels("kserve", model.name, { "inference-platform/model": model.name });
        const body = inferenceServiceSpec(args);
        const kedaDeps = model.autoscaling && mode === "Standard" && args.kedaCrds ? [args.kedaCrds] : [];
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "serving.kserve.io/v1beta1",
                kind: "InferenceService",
                metadata: { name: model.name, namespace: args.namespace, labels, annotations: body.annotations },
                spec: body.spec,
            },
            // The kind, its webhooks and the huggingface runtime come from the KServe install; KServe
            // creates a KEDA ScaledObject for keda autoscaling, whose kind must exist too.
            { parent: this, dependsOn: [...args.kserve, ...kedaDeps] },
        );
        if (args.podMonitor) {
            new k8s.apiextensions.CustomResource(
                `${name}-metrics`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: `${model.name}-predictor-metrics`, namespace: args.namespace, labels },
                    spec: {
                        selector: { matchLabels: { "serving.kserve.io/inferenceservice": model.name } },
                        podMetricsEndpoints: [{ portNumber: KSERVE_HF_PORT, path: "/metrics", interval: "15s" }],
                    },
                },
                // The PodMonitor kind exists once kube-prometheus-stack installed its CRDs.
                { parent: this, dependsOn: args.monitoringCrds ? [args.monitoringCrds] : [] },
            );
        }
        this.url = pulumi.interpolate`http://${model.name}-predictor.${args.namespace}.svc.cluster.local/openai/v1`;
        this.registerOutputs({ url: this.url });
    }
}
