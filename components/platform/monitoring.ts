/**
 * Monitoring: kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager, Grafana,
 * node-exporter, kube-state-metrics). Prometheus selects ServiceMonitors, PodMonitors, rules and
 * probes in every namespace, not only those labelled `release: <release>` — engine PodMonitors
 * and the DCGM exporter's ServiceMonitor are picked up wherever they live.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease, deepMerge } from "../common/helm";
import { componentOpts, componentType } from "../common/k8s";
import { OperatorArgs, operatorNamespace } from "./common";

export interface MonitoringArgs extends OperatorArgs {
    /** Prometheus retention. Defaults to the chart's (10d). */
    retention?: string;
    /** Install Grafana. Defaults to true. */
    grafana?: boolean;
}

/** Helm release name; also the chart's fullname (the Prometheus Service is `<it>-prometheus`). */
export const MONITORING_RELEASE = "kube-prometheus-stack";

/** Chart values (before `values` overrides). Pure. */
export function monitoringValues(args: MonitoringArgs): Record<string, unknown> {
    return {
        // A fixed fullname keeps the Service names stable (KEDA triggers point at them).
        fullnameOverride: MONITORING_RELEASE,
        crds: { enabled: true },
        grafana: { enabled: args.grafana ?? true },
        prometheus: {
            prometheusSpec: {
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                ...(args.retention ? { retention: args.retention } : {}),
            },
        },
    };
}

export class Monitoring extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `monitoring.coreos.com` CRDs. */
    public readonly release: k8s.helm.v3.Release;
    /** In-cluster Prometheus base URL (for KEDA Prometheus triggers). */
    public readonly prometheusUrl: string;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("Monitoring"), name, args, componentOpts("platform", "Monitoring", opts));
        // node-exporter uses hostNetwork/hostPID/hostPath: privileged.
        const nsName = args.namespace ?? "monitoring";
        const ns = operatorNamespace(this, name, "monitoring", args, "monitoring", "privileged");
        this.namespace = ns.name;
        const values = deepMerge(monitoringValues(args), args.values);
        const fullname = typeof values["fullnameOverride"] === "string" && values["fullnameOverride"] ? values["fullnameOverride"] : MONITORING_RELEASE;
        this.prometheusUrl = `http://${fullname}-prometheus.${nsName}.svc:9090`;
        this.release = chartRelease(
            name,
            {
                chartKey: "kubePrometheusStack",
                overrides: args.chartOverrides,
                releaseName: MONITORING_RELEASE,
                namespace: this.namespace,
                values,
                skipAwait: args.skipAwait,
            },
            { parent: this },
        );
        this.registerOutputs({ namespace: this.namespace, prometheusUrl: this.prometheusUrl });
    }
}
