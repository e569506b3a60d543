/**
 * EngineAutoscaler: a KEDA ScaledObject that scales an engine workload (StatefulSet, Deployment or
 * LeaderWorkerSet — all have the /scale subresource) on a Prometheus query over the engine's own
 * metrics, between `autoscaling.min` and `autoscaling.max`. KEDA runs PromQL directly, so vLLM's
 * colon-named metrics work as they are.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE } from "../common/k8s";
import { DEFAULT_AUTOSCALING_QUERY, type EngineKind, type ModelConfig } from "../../stacks/schema";

/** What to scale: a workload with a /scale subresource. */
export interface ScaleTarget {
    apiVersion: string;
    kind: string;
    name: pulumi.Input<string>;
}

export interface EngineAutoscalerArgs {
    namespace: pulumi.Input<string>;
    /** The model; `autoscaling` must be set. */
    model: ModelConfig;
    target: ScaleTarget;
    /** In-cluster Prometheus base URL (the platform's kube-prometheus-stack). */
    prometheusUrl: string;
    /** The resource that installs the KEDA CRDs; the ScaledObject depends on it. */
    kedaCrds?: pulumi.Resource;
}

/**
 * Each engine's "requests in flight" gauge, the default scale signal. A query the user wrote is
 * kept; the vLLM default is swapped for the engine's own metric.
 */
export const ENGINE_DEFAULT_QUERY: Record<EngineKind, string> = {
    vllm: DEFAULT_AUTOSCALING_QUERY,
    sglang: 'sum(sglang:num_running_reqs{model_name="$MODEL"})',
    trtllm: 'sum(nv_trt_llm_request_metrics{request_type="active"})',
};

/** The PromQL KEDA evaluates for a model: its query (or its engine's default), `$MODEL` = the served model name. */
export function autoscalingQuery(model: ModelConfig): string {
    const a = model.autoscaling;
    if (!a) throw new Error(`model ${model.name} has no autoscaling`);
    const query = a.query === DEFAULT_AUTOSCALING_QUERY ? ENGINE_DEFAULT_QUERY[model.engine] : a.query;
    // The engines label metrics with the served model name, which is the model id here.
    return query.split("$MODEL").join(model.model);
}

export class EngineAutoscaler extends pulumi.ComponentResource {
    public readonly scaledObjectName: pulumi.Output<string>;

    constructor(name: string, args: EngineAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:engine:EngineAutoscaler`, name, {}, opts);
        const a = args.model.autoscaling;
        if (!a) throw new pulumi.ResourceError(`EngineAutoscaler ${name}: model ${args.model.name} has no autoscaling settings`, this);
        const so = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: { name: args.model.name, namespace: args.namespace, labels: { "inference-platform/model": args.model.name } },
                spec: {
                    scaleTargetRef: { apiVersion: args.target.apiVersion, kind: args.target.kind, name: args.target.name },
                    minReplicaCount: a.min,
                    maxReplicaCount: a.max,
                    // Loading weights takes minutes: do not flap replicas down right after a burst.
                    cooldownPeriod: 600,
                    triggers: [
                        {
                            type: "prometheus",
                            metadata: {
                                serverAddress: args.prometheusUrl,
                                query: autoscalingQuery(args.model),
                                threshold: String(a.target),
                            },
                        },
                    ],
                },
            },
            // The ScaledObject kind exists once the KEDA release installed its CRDs.
            { parent: this, dependsOn: args.kedaCrds ? [args.kedaCrds] : [] },
        );
        this.scaledObjectName = so.metadata.name;
        this.registerOutputs({ scaledObjectName: this.scaledObjectName });
    }
}
