/**
 * KubeRay: the KubeRay operator (chart `kuberay-operator`) and the `ray.io` CRDs (RayCluster,
 * RayJob, RayService) — Ray Serve LLM serving and Ray-based multi-node engines.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { OperatorArgs, installOperator } from "./common";

export interface KubeRayArgs extends OperatorArgs {
    /**
     * The release that installs the prometheus-operator CRDs (Monitoring.release): when given, the chart renders a
     * ServiceMonitor for the operator's metrics, so the release waits for those CRDs. Defaults to none.
     */
    monitoringCrds?: k8s.helm.v3.Release;
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
        super(componentType("KubeRay"), name, args, componentOpts("platform", "KubeRay", opts));
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "kuberay",
            defaultNamespace: "kuberay-system",
            podSecurity: "baseline",
            chartKey: "kuberayOperator",
            releaseName: "kuberay-operator",
            values: kuberayValues(args.monitoringCrds !== undefined),
            // With metrics.serviceMonitor the chart renders a ServiceMonitor.
            dependsOn: [args.monitoringCrds],
        }));
        this.registerOutputs({ namespace: this.namespace });
    }
}
