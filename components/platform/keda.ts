/**
 * Keda: KEDA (chart `keda`) with its CRDs (ScaledObject, ScaledJob, TriggerAuthentication).
 * KEDA registers the cluster's one external-metrics APIService: it conflicts with
 * prometheus-adapter, which must not be installed alongside.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { OperatorArgs, installOperator } from "./common";

export interface KedaArgs extends OperatorArgs {
    /**
     * The release that installs the prometheus-operator CRDs (Monitoring.release): when given, the chart also renders
     * ServiceMonitors for the operator and metrics server, so the release waits for those CRDs.
     * Defaults to none (no ServiceMonitors).
     */
    monitoringCrds?: k8s.helm.v3.Release;
}

/** Chart values (before `values` overrides). Pure. */
export function kedaValues(serviceMonitors: boolean): Record<string, unknown> {
    const values: Record<string, unknown> = { crds: { install: true } };
    if (serviceMonitors) {
        values["prometheus"] = {
            operator: { enabled: true, serviceMonitor: { enabled: true } },
            metricServer: { enabled: true, serviceMonitor: { enabled: true } },
        };
    }
    return values;
}

export class Keda extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `keda.sh` CRDs. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("Keda"), name, args, componentOpts("platform", "Keda", opts));
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "keda",
            defaultNamespace: "keda",
            podSecurity: "baseline",
            chartKey: "keda",
            releaseName: "keda",
            values: kedaValues(args.monitoringCrds !== undefined),
            // The chart's ServiceMonitors need the prometheus-operator CRDs.
            dependsOn: [args.monitoringCrds],
        }));
        this.registerOutputs({ namespace: this.namespace });
    }
}
