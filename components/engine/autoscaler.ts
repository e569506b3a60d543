/**
 * EngineAutoscaler: a KEDA ScaledObject that scales an engine workload (StatefulSet, Deployment or
 * LeaderWorkerSet — all have the /scale subresource) on a Prometheus query over the engine's own
 * metrics, between `autoscaling.min` and `autoscaling.max`. KEDA runs PromQL directly, so vLLM's
 * colon-named metrics work as they are.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";
import { DEFAULT_AUTOSCALING_QUERY, resolveModel, type EngineKind, type Model, type ModelSpec } from "../types";

/** What to scale: a workload with a /scale subresource. */
export interface ScaleTarget {
    apiVersion: string;
    kind: string;
    name: pulumi.Input<string>;
}

export interface EngineAutoscalerArgs {
    namespace: pulumi.Input<string>;
    /** The model; `autoscaling` must be set. */
    model: ModelSpec;
    /** The workload to scale. Defaults to the model's single-node workload (`apps/v1` `model.workload`, named `model.name`). */
    target?: ScaleTarget;
    /** In-cluster Prometheus base URL (the platform's kube-prometheus-stack). */
    prometheusUrl: string;
    /** The resource that installs the KEDA CRDs; the ScaledObject depends on it. */
    kedaCrds?: k8s.helm.v3.Release;
}

/**
 * Each engine's "requests in flight" signal, the default scale signal. A query the user wrote is
 * kept; the vLLM default is swapped for the engine's own metric.
 *
 * Triton's TensorRT-LLM LLM API model (components/engine/triton-trtllm.ts) is a Python-backend
 * model named `tensorrt_llm` in every deployment, without the C++ backend's `nv_trt_llm_*`
 * gauges; Triton's cumulative per-model request duration grows by the number of requests in
 * flight every second, so its rate (µs/s ÷ 10⁶) is the mean concurrency. It is filtered to this
 * model's pods by the `inference_platform_model` target label the engine PodMonitor copies from
 * the pod label `inference-platform/model` (components/engine/workload.ts), and its namespace.
 */
export const ENGINE_DEFAULT_QUERY: Record<EngineKind, string> = {
    vllm: DEFAULT_AUTOSCALING_QUERY,
    sglang: 'sum(sglang:num_running_reqs{model_name="$MODEL"})',
    trtllm: 'sum(rate(nv_inference_request_duration_us{namespace="$NAMESPACE",inference_platform_model="$NAME",model="tensorrt_llm"}[1m])) / 1000000',
};

/**
 * The PromQL KEDA evaluates for a model: its query (or its engine's default), with `$MODEL` = the
 * served model name (the model id here), `$NAME` = the model's `name` (its pods' label), and
 * `$NAMESPACE` = its namespace.
 */
export function autoscalingQuery(model: Model, namespace = "$NAMESPACE"): string {
    const a = model.autoscaling;
    if (!a) throw new Error(`model ${model.name} has no autoscaling`);
    const query = a.query === DEFAULT_AUTOSCALING_QUERY ? ENGINE_DEFAULT_QUERY[model.engine] : a.query;
    // The engines label metrics with the served model name, which is the model id here.
    // $NAMESPACE first: $NAME is its prefix.
    return query.split("$NAMESPACE").join(namespace).split("$MODEL").join(model.model).split("$NAME").join(model.name);
}

export class EngineAutoscaler extends pulumi.ComponentResource {
    public readonly scaledObjectName: pulumi.Output<string>;

    constructor(name: string, args: EngineAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("EngineAutoscaler"), name, args, componentOpts("engine", "EngineAutoscaler", opts));
        const model = resolveModel(args.model);
        const target = args.target ?? { apiVersion: "apps/v1", kind: model.workload, name: model.name };
        const a = model.autoscaling;
        if (!a) throw new pulumi.ResourceError(`EngineAutoscaler ${name}: model ${model.name} has no autoscaling settings`, this);
        const so = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: { name: model.name, namespace: args.namespace, labels: { "inference-platform/model": model.name } },
                spec: {
                    scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
                    minReplicaCount: a.min,
                    maxReplicaCount: a.max,
                    // Loading weights takes minutes: do not flap replicas down right after a burst.
                    cooldownPeriod: 600,
                    triggers: [
                        {
                            type: "prometheus",
                            metadata: {
                                serverAddress: args.prometheusUrl,
                                query: pulumi.output(args.namespace).apply((ns) => autoscalingQuery(model, ns)),
                                threshold: String(a.target),
                            },
                        },
                    ],
                },
            },
            // The ScaledObject kind exists once the KEDA release installed its CRDs.
            { parent: this, dependsOn: dependsOnAll(args.kedaCrds) },
        );
        this.scaledObjectName = so.metadata.name;
        this.registerOutputs({ scaledObjectName: this.scaledObjectName });
    }
}
