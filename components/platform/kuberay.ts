/**
 * KubeRay: the KubeRay operator (chart `kuberay-operator`) and the `ray.io` CRDs (RayCluster,
 * RayJob, RayService) — Ray Serve LLM serving and Ray-based multi-node engines.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease, deepMerge } from "../common/helm";
import { PACKAGE } from "../common/k8s";
import { OperatorArgs, operatorNamespace } from "./common";

export interface KubeRayArgs extends OperatorArgs {
    /**
     * The resource that installs the prometheus-operator CRDs: when given, the chart renders a
     * ServiceMonitor for the operator's metrics, so the release waits for those CRDs. Defaults to none.
     */
    monitoringCrds?: pulumi.Resource;
}

/** Chart values (before `values` overrides). Pure. */
export function kuberayValues(serviceMonitor: boolean): Record<string, unknown> {
    return serviceMonitor ? { metrics: { enabled: true, serviceMonitor: { enabled: true } } } : {};
}

export class KubeRay extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `ray.io` CRDs. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: KubeRayArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:platform:KubeRay`, name, {}, opts);
        const ns = operatorNamespace(this, name, "kuberay", args, "kuberay-system", "baseline");
        this.namespace = ns.name;
        this.release = chartRelease(
            name,
            {
                chartKey: "kuberayOperator",
                overrides: args.chartOverrides,
                releaseName: "kuberay-operator",
                namespace: this.namespace,
                values: deepMerge(kuberayValues(args.monitoringCrds !== undefined), args.values),
                skipAwait: args.skipAwait,
            },
            // With metrics.serviceMonitor the chart renders a ServiceMonitor.
            { parent: this, ...(args.monitoringCrds ? { dependsOn: [args.monitoringCrds] } : {}) },
        );
        this.registerOutputs({ namespace: this.namespace });
    }
}
