/**
 * IntelGaudiOperator: the Intel Gaudi base operator (chart `habana-ai-operator`) in its own
 * privileged namespace; Gaudi nodes then advertise `habana.ai/gaudi`.
 *
 * No upstream schema or chart defaults for this operator are in ../shared/upstream (its README
 * lists it as missing), so this component sets no values keys of its own: the chart's defaults
 * (which create the default `habanalabs.habana.ai/v1` ClusterPolicy) apply, and anything else is
 * the stack's explicit `platform.intelGaudiOperator.values`. test/platform pins this shape.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType } from "../common/k8s";
import { OperatorArgs, installOperator } from "./common";

export type IntelGaudiOperatorArgs = OperatorArgs;

/** Chart values (before `values` overrides): none — see the file comment. Pure. */
export function intelGaudiOperatorValues(): Record<string, unknown> {
    return {};
}

export class IntelGaudiOperator extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `habanalabs.habana.ai` CRDs. */
    public readonly release: k8s.helm.v3.Release;
    /** Extended resource pods request: "habana.ai/gaudi". */
    public readonly resourceName: string = "habana.ai/gaudi";

    constructor(name: string, args: IntelGaudiOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("IntelGaudiOperator"), name, args, componentOpts("platform", "IntelGaudiOperator", opts));
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "habana-ai-operator",
            defaultNamespace: "habana-ai-operator",
            podSecurity: "privileged",
            chartKey: "intelGaudiOperator",
            releaseName: "habana-ai-operator",
            values: intelGaudiOperatorValues(),
        }));
        this.registerOutputs({ namespace: this.namespace });
    }
}
