/**
 * KServe: the KServe install, once per stack. For InferenceServices: the `kserve-crd` chart, then
 * `kserve-resources` (controller; deployment mode Standard with Gateway API ingress on the inference
 * Gateway, or Knative). For LLMInferenceServices: `kserve-llmisvc-crd`, then
 * `kserve-llmisvc-resources`. Then `kserve-runtime-configs`, which carries the huggingfaceserver
 * ClusterServingRuntime and the well-known LLMInferenceServiceConfigs (both off in its defaults).
 *
 * cert-manager (platform layer) issues the webhook certificates: the controllers wait for it.
 * `kserve-crd`, `kserve-llmisvc-crd` and `kserve-runtime-configs` have no upstream defaults in
 * ../shared: they get no values (CRD charts) or only the enable switches, pinned in tests.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease, deepMerge } from "../common/helm";
import { componentOpts, componentType } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";
import { GatewayRef, installNamespace, ServingInstallArgs } from "./common";
import { servingRuntimeValues } from "./kserve-runtimes";

/** Deployment mode of InferenceServices: "Standard" (Deployments, HPA or KEDA) or "Knative" (Knative Services, scale to zero). */
export const KServeMode = {
    /** Plain Deployments and Services (KServe's RawDeployment). */
    Standard: "Standard",
    /** Knative Services (needs Knative Serving). */
    Knative: "Knative",
} as const;
export type KServeMode = (typeof KServeMode)[keyof typeof KServeMode];

export interface KServeArgs extends ServingInstallArgs {
    /** Install InferenceService support (kserve-crd, kserve-resources, huggingface runtime). Defaults to true. */
    inferenceService?: boolean;
    /** Install LLMInferenceService support (kserve-llmisvc-crd, kserve-llmisvc-resources, LLM configs). Defaults to false. */
    llmInferenceService?: boolean;
    /** Deployment mode of InferenceServices. Defaults to "Standard". */
    mode?: KServeMode;
    /** Inference Gateway for Gateway API ingress; without it, Standard mode creates no ingress. Defaults to none. */
    gateway?: GatewayRef;
    /** The Knative operator release (KnativeServing `operator`; required for mode "Knative"): the KServe controller starts after it. */
    knative?: k8s.helm.v3.Release;
    /** Knative networking layer is not Istio (Kourier): KServe must not create Istio VirtualServices. Defaults to false. */
    knativeWithoutIstio?: boolean;
    /** The resource installing cert-manager (webhook certificates). Defaults to none (cert-manager managed elsewhere). */
    certManager?: k8s.helm.v3.Release;
    /** The platform already installs the Gateway API Inference Extension CRDs: llmisvc must not install a second copy. Defaults to false. */
    gaieCrdsInstalled?: boolean;
    /** Install namespace. Defaults to "kserve". */
    namespace?: string;
}

/** kserve-resources values. Every key exists in upstream values-0.20.0.yaml (checked by tests). Pure. */
export function kserveResourcesValues(args: Pick<KServeArgs, "mode" | "gateway" | "knativeWithoutIstio">): Record<string, unknown> {
    const mode = args.mode ?? "Standard";
    const gateway: Record<string, unknown> = {};
    if (mode === "Standard") {
        if (args.gateway) {
            gateway["ingressGateway"] = {
                enableGatewayApi: true,
                className: args.gateway.className,
                kserveGateway: pulumi.interpolate`${args.gateway.namespace}/${args.gateway.name}`,
                // The platform layer owns the Gateway.
                createGateway: false,
            };
        } else {
            gateway["disableIngressCreation"] = true;
        }
    } else if (args.knativeWithoutIstio) {
        gateway["disableIstioVirtualHost"] = true;
    }
    return {
        kserve: {
            controller: { deploymentMode: mode, ...(Object.keys(gateway).length ? { gateway } : {}) },
            // Adds the Prometheus scrape annotations to predictor pods (the chart keeps this a string).
            metricsaggregator: { enablePrometheusScraping: "true" },
        },
    };
}

/** kserve-llmisvc-resources values. Every key exists in upstream values-0.20.0.yaml (checked by tests). Pure. */
export function llmisvcResourcesValues(args: Pick<KServeArgs, "gateway" | "gaieCrdsInstalled" | "inferenceService">): Record<string, unknown> {
    const kserve: Record<string, unknown> = {
        // kserve-resources creates the shared inferenceservice-config when it is installed too.
        createSharedResources: args.inferenceService === false,
        llmisvc: { createGIECRDs: !(args.gaieCrdsInstalled ?? false) },
    };
    if (args.gateway) {
        kserve["controller"] = {
            gateway: {
                ingressGateway: {
                    enableGatewayApi: true,
                    className: args.gateway.className,
                    kserveGateway: pulumi.interpolate`${args.gateway.namespace}/${args.gateway.name}`,
                    createGateway: false,
                },
            },
        };
    }
    return { kserve };
}

/**
 * kserve-runtime-configs values: only its two enable switches (README of the chart; no upstream
 * defaults in ../shared, so the shape is pinned in tests).
 */
export function runtimeConfigsValues(isvc: boolean, llmisvc: boolean): Record<string, unknown> {
    return { kserve: { servingruntime: servingRuntimeValues(isvc), llmisvcConfigs: { enabled: llmisvc } } };
}

export class KServe extends pulumi.ComponentResource {
    /** What an InferenceService must wait for (CRDs, controller webhooks, runtime); empty when not installed. */
    /**
     * The last release of the install (the runtime configs: ServingRuntimes and LLM configs, after
     * the CRDs and the controllers with their webhooks). An InferenceService or LLMInferenceService
     * waits for it, and through it for everything before it.
     */
    public readonly ready: k8s.helm.v3.Release;
    public readonly crdInstaller: k8s.helm.v3.Release;
    public readonly mode: KServeMode;

    constructor(name: string, args: KServeArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("KServe"), name, args, componentOpts("serving", "KServe", opts));
        const isvc = args.inferenceService ?? true;
        const llmisvc = args.llmInferenceService ?? false;
        this.mode = args.mode ?? "Standard";
        if (!isvc && !llmisvc) {
            throw new pulumi.ResourceError(`KServe ${name}: nothing to install; set inferenceService and/or llmInferenceService`, this);
        }
        if (this.mode === "Knative" && isvc && !args.knative) {
            throw new pulumi.ResourceError(`KServe ${name}: mode "Knative" needs Knative Serving (args.knative); use mode "Standard" or install KnativeServing`, this);
        }
        const ns = installNamespace(this, `${name}-ns`, args.namespace ?? "kserve", "kserve");
        const common = { overrides: args.chartOverrides, namespace: ns.metadata.name, skipAwait: args.skipAwait };
        // CRD charts are retained: deleting a CRD deletes every custom resource of it.
        const crdOpts = { parent: this, retainOnDelete: true };
        const ready: k8s.helm.v3.Release[] = [];
        let crdInstaller: k8s.helm.v3.Release | undefined;

        if (isvc) {
            const crd = chartRelease(`${name}-crd`, { ...common, chartKey: "kserveCrd", releaseName: "kserve-crd", values: {} }, crdOpts);
            const resources = chartRelease(
                `${name}-resources`,
                { ...common, chartKey: "kserveResources", releaseName: "kserve", values: deepMerge(kserveResourcesValues({ ...args, mode: this.mode }), args.values) },
                // Webhook certificates come from cert-manager; Knative mode needs Knative Serving first.
                { parent: this, dependsOn: dependsOnAll(crd, args.certManager, this.mode === "Knative" ? args.knative : undefined) },
            );
            crdInstaller = crd;
            ready.push(resources);
        }
        if (llmisvc) {
            // Both CRD charts carry clusterstoragecontainers.serving.kserve.io; each renders it only when
            // no other release owns it (a `lookup` in the template). Installed at the same time, both
            // render it and the second install fails on ownership: so kserve-llmisvc-crd waits for
            // kserve-crd, whose CRD it then skips (found by the platform e2e).
            const crd = chartRelease(
                `${name}-llmisvc-crd`,
                { ...common, chartKey: "kserveLlmisvcCrd", releaseName: "kserve-llmisvc-crd", values: {} },
                { ...crdOpts, dependsOn: dependsOnAll(crdInstaller) },
            );
            const resources = chartRelease(
                `${name}-llmisvc-resources`,
                {
                    ...common,
                    chartKey: "kserveLlmisvcResources",
                    releaseName: "kserve-llmisvc",
                    values: deepMerge(llmisvcResourcesValues({ ...args, inferenceService: isvc }), isvc ? undefined : args.values),
                },
                // With kserve-resources present it owns the shared config the llmisvc controller reads.
                { parent: this, dependsOn: dependsOnAll(crd, args.certManager, ready) },
            );
            crdInstaller ??= crd;
            ready.push(resources);
        }
        // Runtimes and LLM configs are custom resources of the CRDs above, validated by the controllers' webhooks.
        const runtimes = chartRelease(
            `${name}-runtime-configs`,
            { ...common, chartKey: "kserveRuntimeConfigs", releaseName: "kserve-runtime-configs", values: runtimeConfigsValues(isvc, llmisvc) },
            { parent: this, dependsOn: ready },
        );
        this.ready = runtimes;
        this.crdInstaller = crdInstaller!;
        this.registerOutputs({});
    }
}

