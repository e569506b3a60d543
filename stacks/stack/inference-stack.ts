/**
 * InferenceStack: the whole platform for one cluster, from stack config. Creates one Kubernetes
 * provider and the four layers in dependency order:
 *   physical (data: fleet + planner) → platform (operators, CRDs, services) → engine → serving.
 * Ordering between layers comes from real dependencies (namespace, CRD installers), not blanket
 * dependsOn, so independent releases install in parallel.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE, skipAwaitTransformation } from "../../components/common/k8s";
import { mirrorTransformation } from "../../components/common/mirror";
import type { StackConfig } from "../config/load";
import { checkStack, StackPlan } from "../config/validate";
import { PlatformLayer } from "./layers/platform";
import { EngineLayer } from "./layers/engine";
import { ServingLayer } from "./layers/serving";

export interface InferenceStackArgs {
    /** Validated stack config (see loadStackConfig). */
    config: StackConfig;
    /** Placements and platform decisions when the caller already checked the config. Defaults to `checkStack(config)`. */
    plan?: StackPlan;
}

export class InferenceStack extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;
    public readonly platform: PlatformLayer;
    public readonly engine: EngineLayer;
    public readonly serving: ServingLayer;
    /** Placements and platform decisions the layers were built from. */
    public readonly plan: StackPlan;
    /** Model name → endpoint (in-cluster URL or gateway route). */
    public readonly endpoints: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: InferenceStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:stack:InferenceStack`, name, {}, withTransformations(
            opts,
            // platform.imageRegistry: every image through the mirror; cluster.skipAwait: no readiness waits, background deletion.
            args.config.platform.imageRegistry ? mirrorTransformation(args.config.platform.imageRegistry) : undefined,
            args.config.cluster.skipAwait ? skipAwaitTransformation() : undefined,
        ));
        const cfg = args.config;
        // Validate first: a bad config registers no provider and no layer.
        this.plan = args.plan ?? checkStack(cfg);
        const { models, decisions } = this.plan;
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: cfg.secrets.kubeconfig,
                context: cfg.cluster.context,
                // Server-side apply: large CRDs (prometheus-operator) exceed client-side annotation limits.
                enableServerSideApply: true,
            },
            { parent: this },
        );
        const layerOpts = { parent: this, providers: { kubernetes: this.provider } };
        this.platform = new PlatformLayer(`${name}-platform`, { config: cfg, decisions }, layerOpts);
        this.engine = new EngineLayer(`${name}-engine`, { config: cfg, platform: this.platform, models }, layerOpts);
        this.serving = new ServingLayer(`${name}-serving`, { config: cfg, platform: this.platform, models }, layerOpts);
        this.endpoints = pulumi.output({ ...this.engine.endpoints, ...this.serving.endpoints });
        this.registerOutputs({ endpoints: this.endpoints });
    }
}

/** Stack-wide transformations, inherited by every child; `undefined` entries are options turned off. */
function withTransformations(
    opts: pulumi.ComponentResourceOptions | undefined,
    ...transformations: (pulumi.ResourceTransformation | undefined)[]
): pulumi.ComponentResourceOptions | undefined {
    const on = transformations.filter((t): t is pulumi.ResourceTransformation => t !== undefined);
    if (on.length === 0) return opts;
    return { ...opts, transformations: [...(opts?.transformations ?? []), ...on] };
}
