/**
 * WorkloadNamespace: the namespace model workloads run in, and the Secrets they read
 * (HF token; NGC pull and API-key secrets for NIM). Secret values stay Pulumi secrets.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PodSecurityLevel } from "./common";
import { awaitAnnotations, componentOpts, componentType, standardLabels } from "../common/k8s";

export interface WorkloadNamespaceArgs {
    /** Namespace name. */
    name: string;
    /** Hugging Face token; creates Secret `hf-token` (key `HF_TOKEN`) when set. */
    hfToken?: pulumi.Input<string>;
    /** NGC API key; creates Secrets `ngc-api` (key `NGC_API_KEY`) and `ngc-secret` (nvcr.io pull) when set. */
    ngcApiKey?: pulumi.Input<string>;
    /** Pod Security Admission level for the namespace. Defaults to "baseline". */
    podSecurity?: PodSecurityLevel;
    /** Do not wait on the namespace and Secrets (see `awaitAnnotations`; `cluster.skipAwait`). Defaults to false. */
    skipAwait?: boolean;
}

function secretOrUndefined(v: pulumi.Input<string> | undefined): pulumi.Output<string> | undefined {
    return v === undefined ? undefined : pulumi.secret(v);
}

export const HF_TOKEN_SECRET = "hf-token";
export const NGC_API_SECRET = "ngc-api";
export const NGC_PULL_SECRET = "ngc-secret";

export class WorkloadNamespace extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** Name of the HF token Secret, when one was created. */
    public readonly hfTokenSecretName?: pulumi.Output<string>;
    public readonly ngcApiSecretName?: pulumi.Output<string>;
    public readonly ngcPullSecretName?: pulumi.Output<string>;

    constructor(name: string, args: WorkloadNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        // The tokens are inputs of the component too (they appear in its state): kept secret there as well.
        super(componentType("WorkloadNamespace"), name, { ...args, hfToken: secretOrUndefined(args.hfToken), ngcApiKey: secretOrUndefined(args.ngcApiKey) }, componentOpts("platform", "WorkloadNamespace", opts));
        const labels = standardLabels("workloads", args.name);
        const annotations = awaitAnnotations(args.skipAwait ?? false);
        const ns = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: args.name,
                    annotations,
                    labels: { ...labels, "pod-security.kubernetes.io/enforce": args.podSecurity ?? "baseline" },
                },
            },
            { parent: this },
        );
        this.namespace = ns.metadata.name;
        if (args.hfToken !== undefined) {
            const s = new k8s.core.v1.Secret(
                `${name}-hf-token`,
                {
                    metadata: { name: HF_TOKEN_SECRET, namespace: this.namespace, labels, annotations },
                    type: "Opaque",
                    stringData: { HF_TOKEN: pulumi.secret(args.hfToken) },
                },
                { parent: this },
            );
            this.hfTokenSecretName = s.metadata.name;
        }
        if (args.ngcApiKey !== undefined) {
            const key = pulumi.secret(args.ngcApiKey);
            const api = new k8s.core.v1.Secret(
                `${name}-ngc-api`,
                {
                    metadata: { name: NGC_API_SECRET, namespace: this.namespace, labels, annotations },
                    type: "Opaque",
                    stringData: { NGC_API_KEY: key },
                },
                { parent: this },
            );
            const dockerconfig = key.apply((k) =>
                JSON.stringify({ auths: { "nvcr.io": { username: "$oauthtoken", password: k, auth: Buffer.from(`$oauthtoken:${k}`).toString("base64") } } }),
            );
            const pull = new k8s.core.v1.Secret(
                `${name}-ngc-pull`,
                {
                    metadata: { name: NGC_PULL_SECRET, namespace: this.namespace, labels, annotations },
                    type: "kubernetes.io/dockerconfigjson",
                    stringData: { ".dockerconfigjson": pulumi.secret(dockerconfig) },
                },
                { parent: this },
            );
            this.ngcApiSecretName = api.metadata.name;
            this.ngcPullSecretName = pull.metadata.name;
        }
        this.registerOutputs({ namespace: this.namespace });
    }
}
