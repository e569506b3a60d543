/**
 * KnativeServing: Knative Serving for KServe's Knative deployment mode (scale-to-zero). The Knative
 * operator chart (`knative-operator`) and one `KnativeServing` custom resource
 * (`operator.knative.dev/v1beta1`, validated against the upstream CRD in tests) with a networking
 * layer: net-istio when the inference gateway is Istio, Kourier otherwise.
 *
 * Features: Knative's webhook strips pod-spec fields whose `config-features` flag is off and
 * rejects the Service ("must not set the field(s): spec.template.spec.nodeSelector, …";
 * knative/serving@knative-v1.20.0 pkg/apis/serving/fieldmask.go PodSpecMask, defaults in
 * config/core/configmaps/features.yaml). The Service KServe builds from an InferenceService carries
 * the pool's nodeSelector and tolerations and the huggingface runtime's `/dev/shm` emptyDir, so
 * those flags are on (`KNATIVE_FEATURES`; test/serving/kserve.test.ts checks every pod-spec field
 * the predictor can carry against them).
 *
 * net-istio data plane: its Gateways `knative-ingress-gateway` and `knative-local-gateway` select
 * pods labelled `istio: ingressgateway`, and its config-istio points at the Service
 * `istio-ingressgateway.istio-system` (knative-extensions/net-istio@knative-v1.20.0
 * config/202-gateway.yaml, 203-local-gateway.yaml, 400-config-istio.yaml). The platform installs
 * Istio from the `base` and `istiod` charts only (the `gateway` chart is not among the pinned
 * charts in ../shared/charts, and has no upstream defaults there), and the inference Gateway's own
 * proxy is managed by Istio's Gateway API controller (its Service exposes only that Gateway's
 * listeners). So this component deploys the ingress gateway the way Istio's "Installing Gateways"
 * guide does without the chart: a Deployment with gateway injection (`inject.istio.io/templates:
 * gateway`, `sidecar.istio.io/inject: "true"`, image `auto`, filled in by istiod's webhook), its
 * Service, and a ServiceAccount with the Role for TLS secrets.
 *
 * No chart defaults for the Knative operator are in ../shared: the chart gets no values.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease } from "../common/helm";
import { dependsOnAll } from "../common/dependencies";
import { awaitAnnotations, componentOpts, componentType, standardLabels } from "../common/k8s";
import { componentVersions } from "../versions";
import { installNamespace, ServingInstallArgs } from "./common";

/** Knative networking layer. */
export const KnativeNetworking = {
    /** net-istio: Knative routes through the Istio ingress gateway. */
    istio: "istio",
    /** net-kourier: Knative's own Envoy ingress. */
    kourier: "kourier",
} as const;
export type KnativeNetworking = (typeof KnativeNetworking)[keyof typeof KnativeNetworking];

export interface KnativeServingArgs extends ServingInstallArgs {
    /** Networking layer: "istio" (net-istio, needs Istio) or "kourier". Defaults to "kourier". */
    networking?: KnativeNetworking;
    /** The release installing the Istio CRDs (`networking.istio.io`, net-istio): the operator and the ingress gateway wait for it. Defaults to none. */
    istioCrds?: k8s.helm.v3.Release;
    /** istiod (its injection webhook fills in the ingress gateway pods); "istio" networking only. Defaults to none. */
    istioControlPlane?: k8s.helm.v3.Release;
}

export const KNATIVE_SERVING_NAMESPACE = "knative-serving";
export const KNATIVE_OPERATOR_NAMESPACE = "knative-operator";

/**
 * config-features flags the Services KServe generates need (Knative defaults them to disabled,
 * except emptyDir volumes, set explicitly so a changed default cannot break it).
 */
export const KNATIVE_FEATURES: Record<string, "enabled"> = {
    "kubernetes.podspec-nodeselector": "enabled",
    "kubernetes.podspec-tolerations": "enabled",
    "kubernetes.podspec-volumes-emptydir": "enabled",
};

/** The Istio ingress gateway net-istio expects (names and label from net-istio's config). */
export const ISTIO_INGRESS_GATEWAY = { name: "istio-ingressgateway", namespace: "istio-system", selector: { istio: "ingressgateway" } } as const;

/** The KnativeServing custom resource body. Pure; validated against the upstream CRD in tests. */
export function knativeServingSpec(networking: KnativeNetworking): Record<string, unknown> {
    const selector = { ...ISTIO_INGRESS_GATEWAY.selector };
    return {
        version: componentVersions.knativeServing,
        ingress:
            networking === "istio"
                ? // Stated explicitly: these select the gateway pods deployed below.
                  { istio: { enabled: true, "knative-ingress-gateway": { selector }, "knative-local-gateway": { selector } } }
                : { kourier: { enabled: true } },
        config: {
            // Knative reads these ConfigMap keys as strings.
            autoscaler: { "enable-scale-to-zero": "true" },
            features: { ...KNATIVE_FEATURES },
            ...(networking === "kourier" ? { network: { "ingress-class": "kourier.ingress.networking.knative.dev" } } : {}),
        },
    };
}

/**
 * The Istio ingress gateway as Istio's "Installing Gateways" guide deploys it without Helm
 * (istio.io/latest/docs/setup/additional-setup/gateway, "Kubernetes YAML"): gateway injection
 * fills in the proxy container (image `auto`); the pod may bind ports below 1024 through the
 * `net.ipv4.ip_unprivileged_port_start` sysctl (a "safe" sysctl, allowed by the baseline Pod
 * Security level of istio-system). The Service is ClusterIP: KServe's in-cluster URLs reach the
 * model through it (knative-local-gateway, port 8081); expose it with a LoadBalancer for external
 * Knative routes. Pure manifests; the tests pin them.
 */
export function istioIngressGatewayManifests(): {
    deployment: k8s.types.input.apps.v1.DeploymentSpec;
    service: k8s.types.input.core.v1.ServiceSpec;
} {
    const { selector } = ISTIO_INGRESS_GATEWAY;
    return {
        deployment: {
            selector: { matchLabels: { ...selector } },
            template: {
                metadata: {
                    annotations: { "inject.istio.io/templates": "gateway" },
                    labels: { ...selector, "sidecar.istio.io/inject": "true" },
                },
                spec: {
                    serviceAccountName: ISTIO_INGRESS_GATEWAY.name,
                    securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] },
                    containers: [
                        {
                            name: "istio-proxy",
                            // Replaced by istiod's injection webhook with the proxy image of the control plane.
                            image: "auto",
                            securityContext: { capabilities: { drop: ["ALL"] }, runAsUser: 1337, runAsGroup: 1337 },
                        },
                    ],
                },
            },
        },
        service: {
            type: "ClusterIP",
            selector: { ...selector },
            ports: [
                { name: "http2", port: 80, targetPort: 80 },
                { name: "https", port: 443, targetPort: 443 },
            ],
        },
    };
}

export class KnativeServing extends pulumi.ComponentResource {
    /** The Knative operator release (the operator.knative.dev CRDs and the operator): KServe's `knative` arg. */
    public readonly operator: k8s.helm.v3.Release;
    /** Name of the KnativeServing custom resource; resolves once it is created (the operator then installs Knative Serving). */
    public readonly servingName: pulumi.Output<string>;
    /** The Istio ingress gateway Deployment (net-istio only). */
    public readonly ingressGateway?: k8s.apps.v1.Deployment;

    constructor(name: string, args: KnativeServingArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("KnativeServing"), name, args, componentOpts("serving", "KnativeServing", opts));
        const networking = args.networking ?? "kourier";
        const opNs = installNamespace(this, `${name}-operator-ns`, KNATIVE_OPERATOR_NAMESPACE, "knative-operator");
        this.operator = chartRelease(
            `${name}-operator`,
            {
                chartKey: "knativeOperator",
                overrides: args.chartOverrides,
                releaseName: "knative-operator",
                namespace: opNs.metadata.name,
                values: args.values ?? {},
                skipAwait: args.skipAwait,
            },
            { parent: this, dependsOn: dependsOnAll(args.istioCrds) },
        );
        if (networking === "istio") this.ingressGateway = istioIngressGateway(this, name, args);
        const servingNs = installNamespace(this, `${name}-serving-ns`, KNATIVE_SERVING_NAMESPACE, "knative-serving");
        const serving = new k8s.apiextensions.CustomResource(
            `${name}-serving`,
            {
                apiVersion: "operator.knative.dev/v1beta1",
                kind: "KnativeServing",
                metadata: { name: "knative-serving", namespace: servingNs.metadata.name, labels: standardLabels("knative-serving", name) },
                spec: knativeServingSpec(networking),
            },
            // The KnativeServing kind exists once the operator chart installed its CRDs.
            { parent: this, dependsOn: [this.operator] },
        );
        this.servingName = serving.metadata.name;
        this.registerOutputs({ servingName: this.servingName });
    }
}

/** Deployment, Service and TLS-secret Role of the ingress gateway, in istio-system after istiod. */
function istioIngressGateway(parent: pulumi.Resource, name: string, args: KnativeServingArgs): k8s.apps.v1.Deployment {
    const { name: gw, namespace } = ISTIO_INGRESS_GATEWAY;
    const m = istioIngressGatewayManifests();
    const labels = standardLabels("istio-ingressgateway", name, { ...ISTIO_INGRESS_GATEWAY.selector });
    const annotations = awaitAnnotations(args.skipAwait ?? false);
    // The gateway pods must be created after istiod's injection webhook exists, or they keep image "auto".
    const after = { parent, dependsOn: dependsOnAll(args.istioCrds, args.istioControlPlane) };
    // Its own ServiceAccount: the Role below lets it read Secrets, which istio-system's default account must not.
    const sa = new k8s.core.v1.ServiceAccount(`${name}-ingressgateway`, { metadata: { name: gw, namespace, labels } }, after);
    const deployment = new k8s.apps.v1.Deployment(
        `${name}-ingressgateway`,
        { metadata: { name: gw, namespace, labels, annotations }, spec: m.deployment },
        after,
    );
    new k8s.core.v1.Service(`${name}-ingressgateway`, { metadata: { name: gw, namespace, labels, annotations }, spec: m.service }, after);
    // The gateway reads TLS certificates (credentialName) from Secrets in its namespace.
    const role = new k8s.rbac.v1.Role(
        `${name}-ingressgateway-sds`,
        { metadata: { name: `${gw}-sds`, namespace, labels }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch", "list"] }] },
        after,
    );
    new k8s.rbac.v1.RoleBinding(
        `${name}-ingressgateway-sds`,
        {
            metadata: { name: `${gw}-sds`, namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace }],
        },
        after,
    );
    return deployment;
}
