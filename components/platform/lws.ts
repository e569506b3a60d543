/**
 * LeaderWorkerSet: the LWS controller (chart `lws`) and its CRD — multi-node model replicas (one
 * leader pod plus workers per group). The chart's default image tag is `main` with pull policy
 * Always; the controller image is pinned to the release from components/versions.ts instead.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { images } from "../versions";
import { OperatorArgs, installOperator } from "./common";

export interface LeaderWorkerSetArgs extends OperatorArgs {
    /**
     * The release that installs the prometheus-operator CRDs (Monitoring.release): when given, the chart renders a
     * ServiceMonitor for the controller (`enablePrometheus`), so the release waits for those CRDs.
     * Defaults to none.
     */
    monitoringCrds?: k8s.helm.v3.Release;
}

/** Chart values (before `values` overrides). Pure. */
export function lwsValues(serviceMonitor: boolean): Record<string, unknown> {
    return {
        image: { manager: { repository: images.lwsController.repository, tag: images.lwsController.tag, pullPolicy: "IfNotPresent" } },
        enablePrometheus: serviceMonitor,
    };
}

export class LeaderWorkerSet extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `leaderworkerset.x-k8s.io` CRD. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: LeaderWorkerSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("LeaderWorkerSet"), name, args, componentOpts("platform", "LeaderWorkerSet", opts));
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "lws",
            defaultNamespace: "lws-system",
            podSecurity: "baseline",
            chartKey: "lws",
            releaseName: "lws",
            values: lwsValues(args.monitoringCrds !== undefined),
            // With enablePrometheus the chart renders a ServiceMonitor.
            dependsOn: [args.monitoringCrds],
        }));
        this.registerOutputs({ namespace: this.namespace });
    }
}
