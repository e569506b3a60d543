/**
 * AmdGpuOperator: the AMD GPU Operator (chart `gpu-operator-charts`) and the DeviceConfig
 * (`amd.com/v1alpha1`) it reconciles, so that AMD nodes advertise `amd.com/gpu`. The chart's own
 * default DeviceConfig is switched off: this component creates the one DeviceConfig explicitly.
 *
 * Needs cert-manager (the operator's webhooks) — pass the cert-manager release as `certManager`.
 * Its NFD sub-chart is off: the platform installs one standalone NodeFeatureDiscovery.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { OperatorArgs, installOperator, Toleration } from "./common";
import { images } from "../versions";

export interface AmdGpuOperatorArgs extends OperatorArgs {
    /** The resource that installs cert-manager; the operator release waits for it (its webhooks need certificates). Required. */
    certManager: k8s.helm.v3.Release;
    /** Let the operator build and load an out-of-tree amdgpu driver (KMM). False uses the host's driver. Defaults to false. */
    driver?: boolean;
    /** Driver version when `driver` is true. Defaults to the chart's. */
    driverVersion?: string;
    /** Manage GPUs with AMD's DRA driver (DeviceClass `gpu.amd.com`) instead of the device plugin. Defaults to false. */
    dra?: boolean;
    /** Run the metrics exporter (Prometheus `/metrics` on port 5000). Defaults to true. */
    metricsExporter?: boolean;
    /** Node selector for the DeviceConfig. Defaults to the NFD label `feature.node.kubernetes.io/amd-gpu: "true"`. */
    selector?: Record<string, string>;
    /** Tolerations for the device plugin / node labeller / exporter pods (pool taints). Defaults to none. */
    tolerations?: Toleration[];
}

export const AMD_DEVICE_CONFIG = "default";

/** Chart values (before `values` overrides). Pure. */
export function amdGpuOperatorValues(): Record<string, unknown> {
    return {
        // One NFD for the cluster: the standalone NodeFeatureDiscovery component. The AMD GPU
        // NodeFeatureRule still deploys (the standalone NFD evaluates it).
        "node-feature-discovery": { enabled: false },
        installdefaultNFDRule: true,
        // This component creates the DeviceConfig itself (configurable, and ordered after the CRD).
        crds: { defaultCR: { install: false } },
        // The KMM subchart defaults every image to `:latest` (pulled Always): pin the release.
        kmm: {
            controller: {
                manager: {
                    image: { repository: images.amdKmm.operator, tag: images.amdKmm.tag },
                    imagePullPolicy: "IfNotPresent",
                    env: {
                        relatedImageSign: `${images.amdKmm.signImage}:${images.amdKmm.tag}`,
                        relatedImageWorker: `${images.amdKmm.worker}:${images.amdKmm.tag}`,
                    },
                },
            },
            webhookServer: { webhookServer: { image: { repository: images.amdKmm.webhook, tag: images.amdKmm.tag }, imagePullPolicy: "IfNotPresent" } },
        },
    };
}

/** The DeviceConfig spec. Pure. */
export function amdDeviceConfigSpec(args: Omit<AmdGpuOperatorArgs, "certManager">): Record<string, unknown> {
    const tolerations = args.tolerations && args.tolerations.length > 0 ? args.tolerations : undefined;
    const dra = args.dra ?? false;
    const exporter = args.metricsExporter ?? true;
    return {
        selector: args.selector ?? { "feature.node.kubernetes.io/amd-gpu": "true" },
        driver: {
            enable: args.driver ?? false,
            ...(args.driver && args.driverVersion ? { version: args.driverVersion } : {}),
            ...(args.driver && tolerations ? { tolerations } : {}),
        },
        devicePlugin: {
            // The device plugin and the DRA driver cannot both manage the GPUs.
            enableDevicePlugin: !dra,
            enableNodeLabeller: true,
            ...(tolerations ? { devicePluginTolerations: tolerations, nodeLabellerTolerations: tolerations } : {}),
        },
        ...(dra ? { draDriver: { enable: true, ...(tolerations ? { tolerations } : {}) } } : {}),
        metricsExporter: { enable: exporter, ...(exporter && tolerations ? { tolerations } : {}) },
    };
}

export class AmdGpuOperator extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release; it installs the `amd.com` CRDs. */
    public readonly release: k8s.helm.v3.Release;
    /** Extended resource pods request: "amd.com/gpu". */
    public readonly resourceName: string = "amd.com/gpu";

    constructor(name: string, args: AmdGpuOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("AmdGpuOperator"), name, args, componentOpts("platform", "AmdGpuOperator", opts));
        if (args.driverVersion !== undefined && !args.driver) {
            throw new pulumi.ResourceError("AmdGpuOperator: driverVersion is only used with driver: true (an operator-managed driver); remove it or set driver: true", this);
        }
        ({ namespace: this.namespace, release: this.release } = installOperator(this, name, args, {
            component: "amd-gpu-operator",
            defaultNamespace: "kube-amd-gpu",
            podSecurity: "privileged",
            chartKey: "amdGpuOperator",
            releaseName: "amd-gpu-operator",
            values: amdGpuOperatorValues(),
            // cert-manager issues the operator's webhook certificates.
            dependsOn: [args.certManager],
        }));
        new k8s.apiextensions.CustomResource(
            `${name}-device-config`,
            {
                apiVersion: "amd.com/v1alpha1",
                kind: "DeviceConfig",
                metadata: { name: AMD_DEVICE_CONFIG, namespace: this.namespace, labels: standardLabels("amd-gpu-operator", name) },
                spec: amdDeviceConfigSpec(args),
            },
            // The release installs the DeviceConfig CRD and the webhook that admits it.
            { parent: this, dependsOn: [this.release] },
        );
        this.registerOutputs({ namespace: this.namespace });
    }
}
