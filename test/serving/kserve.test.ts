/** KServe install, Knative Serving and KServeModel (InferenceService). */
import { strict as assert } from "node:assert";
import { KServe, kserveResourcesValues, llmisvcResourcesValues, runtimeConfigsValues } from "../../components/serving/kserve";
import { ISTIO_INGRESS_GATEWAY, KNATIVE_FEATURES, KnativeServing, knativeServingSpec } from "../../components/serving/knative";
import { inferenceServiceSpec, KSERVE_DEFAULT_QUERY, KServeModel } from "../../components/serving/kserve-model";
import { multiSeriesQueryProblem } from "../../components/serving/common";
import { servingConfigProblems } from "../../stacks/stack/layers/serving";
import { one, promiseOf, registered, RELEASE, resetRecords } from "../helpers";
import { checkValuesKeys, validateObject } from "../conformance/upstream";
import { config, crType, H100_POOL, inputs, installer, L40S_POOL, manifestOf, modelArgs, resolved, valuesOf } from "./fixtures";
import { servingRuntimeValues } from "../../components/serving/kserve-runtimes";

const ISVC = crType("serving.kserve.io/v1beta1", "InferenceService");
const gateway = { name: "inference-gateway", namespace: "inference", className: "istio" };

describe("serving: KServe install", () => {
    beforeEach(resetRecords);

    it("kserve-resources values: Standard mode with Gateway API ingress on the platform Gateway; keys exist upstream", async () => {
        const v = kserveResourcesValues({ mode: "Standard", gateway });
        const ig = (v as any).kserve.controller.gateway.ingressGateway;
        assert.equal((v as any).kserve.controller.deploymentMode, "Standard");
        assert.equal(ig.enableGatewayApi, true);
        assert.equal(ig.className, "istio");
        assert.equal(ig.createGateway, false);
        assert.equal(await promiseOf(ig.kserveGateway), "inference/inference-gateway");
        assert.deepEqual(checkValuesKeys("kserve-resources", "0.20.0", await resolved(v)), []);
    });

    it("kserve-resources values: no Gateway → no ingress; Knative on Kourier → no Istio VirtualServices", () => {
        assert.equal((kserveResourcesValues({ mode: "Standard" }) as any).kserve.controller.gateway.disableIngressCreation, true);
        const kn = kserveResourcesValues({ mode: "Knative", knativeWithoutIstio: true }) as any;
        assert.equal(kn.kserve.controller.deploymentMode, "Knative");
        assert.equal(kn.kserve.controller.gateway.disableIstioVirtualHost, true);
        assert.deepEqual(checkValuesKeys("kserve-resources", "0.20.0", kn), []);
    });

    it("llmisvc values: shared resources only without kserve-resources, GAIE CRDs only when the platform lacks them; keys exist upstream", async () => {
        const both = llmisvcResourcesValues({ gateway, gaieCrdsInstalled: true, inferenceService: true }) as any;
        assert.equal(both.kserve.createSharedResources, false);
        assert.equal(both.kserve.llmisvc.createGIECRDs, false);
        assert.equal(both.kserve.controller.gateway.ingressGateway.className, "istio");
        assert.deepEqual(checkValuesKeys("kserve-llmisvc-resources", "0.20.0", await resolved(both)), []);
        const alone = llmisvcResourcesValues({ inferenceService: false }) as any;
        assert.equal(alone.kserve.createSharedResources, true);
        assert.equal(alone.kserve.llmisvc.createGIECRDs, true);
    });

    it("runtime-configs values (no upstream defaults in shared/): pinned enable switches", () => {
        assert.deepEqual(runtimeConfigsValues(true, false), { kserve: { servingruntime: servingRuntimeValues(true), llmisvcConfigs: { enabled: false } } });
        assert.deepEqual(runtimeConfigsValues(false, true), { kserve: { servingruntime: { enabled: false }, llmisvcConfigs: { enabled: true } } });
    });

    it("orders CRDs → controllers (after cert-manager) → runtime configs, and exposes the dependencies of each kind", async () => {
        const certManager = installer("cert-manager-stand-in");
        const ks = new KServe("ks", { inferenceService: true, llmInferenceService: true, gateway, certManager });
        const crd = await one(RELEASE, "ks-crd");
        const res = await one(RELEASE, "ks-resources");
        const lcrd = await one(RELEASE, "ks-llmisvc-crd");
        const lres = await one(RELEASE, "ks-llmisvc-resources");
        const rt = await one(RELEASE, "ks-runtime-configs");
        const cm = await one(RELEASE, "cert-manager-stand-in");
        assert.ok(res.dependsOn.includes(crd.urn) && res.dependsOn.includes(cm.urn));
        assert.ok(lres.dependsOn.includes(lcrd.urn) && lres.dependsOn.includes(res.urn), "llmisvc controller after kserve-resources (shared config)");
        // Both CRD charts render clusterstoragecontainers unless another release owns it: serialised.
        assert.ok(lcrd.dependsOn.includes(crd.urn), "kserve-llmisvc-crd after kserve-crd (shared ClusterStorageContainer CRD)");
        assert.ok(rt.dependsOn.includes(res.urn) && rt.dependsOn.includes(lres.urn));
        assert.equal(inputs(res).name, "kserve");
        assert.equal(inputs(res).namespace, "kserve");
        assert.equal(inputs(crd).chart, "oci://ghcr.io/kserve/charts/kserve-crd");
        assert.deepEqual(valuesOf(crd), {});
        assert.deepEqual(valuesOf(rt), runtimeConfigsValues(true, true));
        // What an InferenceService or LLMInferenceService waits for: the runtime configs, after everything else.
        assert.equal(await promiseOf(ks.ready.urn), rt.urn);
    });

    it("Knative mode without Knative Serving is refused before anything is registered", async () => {
        assert.throws(() => new KServe("ks-kn", { mode: "Knative" }), /mode "Knative" needs Knative Serving/);
        assert.equal((await registered(RELEASE)).length, 0);
    });

    it("KnativeServing: features the generated Services need, net-istio gateways on the ingress gateway pods; validates upstream; after the operator chart", async () => {
        const selector = { istio: "ingressgateway" };
        assert.deepEqual(knativeServingSpec("istio"), {
            version: "1.20.0",
            ingress: { istio: { enabled: true, "knative-ingress-gateway": { selector }, "knative-local-gateway": { selector } } },
            config: {
                autoscaler: { "enable-scale-to-zero": "true" },
                features: {
                    "kubernetes.podspec-nodeselector": "enabled",
                    "kubernetes.podspec-tolerations": "enabled",
                    "kubernetes.podspec-volumes-emptydir": "enabled",
                },
            },
        });
        assert.deepEqual(knativeServingSpec("kourier").config, {
            autoscaler: { "enable-scale-to-zero": "true" },
            features: KNATIVE_FEATURES,
            network: { "ingress-class": "kourier.ingress.networking.knative.dev" },
        });
        new KnativeServing("kn", { networking: "kourier" });
        const op = await one(RELEASE, "kn-operator");
        const ks = await one(crType("operator.knative.dev/v1beta1", "KnativeServing"), "kn-serving");
        assert.deepEqual(validateObject(manifestOf(ks)), []);
        assert.equal(inputs(ks).apiVersion, "operator.knative.dev/v1beta1");
        assert.equal(inputs(ks).kind, "KnativeServing");
        assert.deepEqual(inputs(ks).metadata.namespace, "knative-serving");
        assert.ok(ks.dependsOn.includes(op.urn));
        assert.deepEqual(valuesOf(op), {});
        // Kourier brings its own data plane: no Istio gateway.
        assert.equal((await registered("kubernetes:apps/v1:Deployment")).length, 0);
    });

    it("net-istio: an Istio ingress gateway with the labels net-istio's Gateways select and the Service its config-istio names, after istiod", async () => {
        const istiod = installer("istiod-stand-in");
        new KnativeServing("kn-istio", { networking: "istio", istioControlPlane: istiod });
        const ks = await one(crType("operator.knative.dev/v1beta1", "KnativeServing"), "kn-istio-serving");
        assert.deepEqual(validateObject(manifestOf(ks)), []);
        const dep = await one("kubernetes:apps/v1:Deployment", "kn-istio-ingressgateway");
        const svc = await one("kubernetes:core/v1:Service", "kn-istio-ingressgateway");
        // net-istio@knative-v1.20.0 config/400-config-istio.yaml: istio-ingressgateway.istio-system.svc.cluster.local.
        assert.deepEqual([inputs(svc).metadata.name, inputs(svc).metadata.namespace], ["istio-ingressgateway", "istio-system"]);
        const podLabels = inputs(dep).spec.template.metadata.labels;
        for (const gw of ["knative-ingress-gateway", "knative-local-gateway"]) {
            const sel = inputs(ks).spec.ingress.istio[gw].selector;
            assert.ok(Object.entries(sel).every(([k, v]) => podLabels[k] === v), `${gw} selects ${JSON.stringify(sel)}; pods ${JSON.stringify(podLabels)}`);
        }
        assert.deepEqual(ISTIO_INGRESS_GATEWAY.selector, { istio: "ingressgateway" }, "net-istio's default selector (config/202-gateway.yaml)");
        assert.ok(Object.entries(inputs(svc).spec.selector).every(([k, v]) => podLabels[k] === v));
        // Gateway injection (Istio "Installing Gateways"): istiod fills in the proxy; it must exist first.
        assert.equal(podLabels["sidecar.istio.io/inject"], "true");
        assert.equal(inputs(dep).spec.template.metadata.annotations["inject.istio.io/templates"], "gateway");
        const cp = await one(RELEASE, "istiod-stand-in");
        assert.ok(dep.dependsOn.includes(cp.urn));
        const rb = await one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kn-istio-ingressgateway-sds");
        assert.deepEqual(inputs(rb).subjects, [{ kind: "ServiceAccount", name: "istio-ingressgateway", namespace: "istio-system" }]);
        assert.equal(inputs(dep).spec.template.spec.serviceAccountName, "istio-ingressgateway");
    });
});

/**
 * Knative 1.20's field mask (knative/serving@knative-v1.20.0 pkg/apis/serving/fieldmask.go
 * PodSpecMask, VolumeSourceMask, and the fieldRef check of EnvVarSource): the pod-spec fields and
 * volume sources a Service may use only with a config-features flag, and the flags on by default
 * (config/core/configmaps/features.yaml).
 */
const KNATIVE_POD_FIELD_FEATURES: Record<string, string> = {
    affinity: "kubernetes.podspec-affinity",
    topologySpreadConstraints: "kubernetes.podspec-topologyspreadconstraints",
    hostAliases: "kubernetes.podspec-hostaliases",
    nodeSelector: "kubernetes.podspec-nodeselector",
    runtimeClassName: "kubernetes.podspec-runtimeclassname",
    tolerations: "kubernetes.podspec-tolerations",
    securityContext: "kubernetes.podspec-securitycontext",
    shareProcessNamespace: "kubernetes.podspec-shareprocessnamespace",
    priorityClassName: "kubernetes.podspec-priorityclassname",
    schedulerName: "kubernetes.podspec-schedulername",
    initContainers: "kubernetes.podspec-init-containers",
    dnsPolicy: "kubernetes.podspec-dnspolicy",
    dnsConfig: "kubernetes.podspec-dnsconfig",
    hostIPC: "kubernetes.podspec-hostipc",
    hostPID: "kubernetes.podspec-hostpid",
    hostNetwork: "kubernetes.podspec-hostnetwork",
};
const KNATIVE_POD_FIELDS_ALWAYS = ["serviceAccountName", "containers", "volumes", "imagePullSecrets", "enableServiceLinks", "automountServiceAccountToken"];
const KNATIVE_VOLUME_FEATURES: Record<string, string> = {
    emptyDir: "kubernetes.podspec-volumes-emptydir",
    persistentVolumeClaim: "kubernetes.podspec-persistent-volume-claim",
    hostPath: "kubernetes.podspec-volumes-hostpath",
    csi: "kubernetes.podspec-volumes-csi",
    image: "kubernetes.podspec-volumes-image",
};
const KNATIVE_DEFAULT_ENABLED = ["kubernetes.podspec-volumes-emptydir"];
/** InferenceService ComponentExtensionSpec fields (not pod-spec fields) of a predictor. */
const ISVC_COMPONENT_FIELDS = new Set([
    "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "scaleMetricType", "autoScaling", "containerConcurrency", "timeout",
    "canaryTrafficPercent", "logger", "batcher", "labels", "annotations", "deploymentStrategy", "model", "workerSpec",
]);
/** Pod-level fields of the huggingface ClusterServingRuntime (kserve-runtime-configs v0.20.0 files/runtimes/resources.yaml). */
const HF_RUNTIME_POD = { hostIPC: false, volumes: [{ name: "devshm", emptyDir: { medium: "Memory" } }] };

/** Knative features a predictor's pod spec needs (zero-valued fields need none). */
function knativeFeaturesUsed(predictor: Record<string, any>): string[] {
    const used = new Set<string>();
    const pod: Record<string, any> = { ...HF_RUNTIME_POD, ...predictor };
    for (const [k, v] of Object.entries(pod)) {
        if (ISVC_COMPONENT_FIELDS.has(k) || KNATIVE_POD_FIELDS_ALWAYS.includes(k)) continue;
        if (v === false || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
        used.add(KNATIVE_POD_FIELD_FEATURES[k] ?? `unknown pod field ${k}`);
    }
    for (const vol of [...HF_RUNTIME_POD.volumes, ...(predictor.volumes ?? [])]) {
        for (const src of Object.keys(vol).filter((k) => k !== "name")) if (KNATIVE_VOLUME_FEATURES[src]) used.add(KNATIVE_VOLUME_FEATURES[src]);
    }
    for (const e of predictor.model?.env ?? []) if (e.valueFrom?.fieldRef || e.valueFrom?.resourceFieldRef) used.add("kubernetes.podspec-fieldref");
    return [...used].sort();
}

describe("serving: KServe Knative mode vs Knative's field mask", () => {
    beforeEach(resetRecords);

    it("every pod-spec field the Knative-mode predictor carries is allowed by the KnativeServing config", () => {
        const enabled = new Set([...KNATIVE_DEFAULT_ENABLED, ...Object.keys((knativeServingSpec("istio").config as any).features)]);
        const c = config(
            [
                { name: "tozero", model: "Qwen/Qwen3-0.6B", serving: "kserve", autoscaling: { min: 0, max: 3, target: 4 }, env: { A: "b" } },
                { name: "gated", model: "meta-llama/Llama-3.2-3B-Instruct", serving: "kserve" },
                { name: "byid", model: "facebook/opt-125m", serving: "kserve", kserve: { storageUri: false } },
            ],
            [{ ...L40S_POOL, labels: { "nvidia.com/gpu.product": "NVIDIA-L40S" } }],
        );
        for (const i of [0, 1, 2]) {
            const body = inferenceServiceSpec({ ...modelArgs(c, i), mode: "Knative", hfTokenSecretName: "hf-token" }) as any;
            const used = knativeFeaturesUsed(body.spec.predictor);
            assert.ok(used.includes("kubernetes.podspec-nodeselector") && used.includes("kubernetes.podspec-tolerations"), used.join());
            const off = used.filter((f) => !enabled.has(f));
            assert.deepEqual(off, [], `Knative would reject models[${i}]: must not set the field(s) behind ${off.join(", ")}`);
        }
    });
});

describe("serving: KServeModel (InferenceService)", () => {
    beforeEach(resetRecords);

    const cfg = config([
        { name: "huggingface-llama3", model: "meta-llama/Llama-3.2-3B-Instruct", serving: "kserve", parallelism: { tensor: 1 } },
        { name: "fbopt", model: "facebook/opt-125m", serving: "kserve", kserve: { storageUri: false }, autoscaling: { min: 1, max: 5, query: 'max(vllm:num_requests_running{model_name="$MODEL"})', target: 2 } },
        { name: "tozero", model: "Qwen/Qwen3-0.6B", serving: "kserve", autoscaling: { min: 0, max: 3, target: 4 } },
    ]);

    it("huggingface format with an hf:// storageUri, HF token from the Secret, accelerator/CPU/memory limits; validates upstream", async () => {
        const kserve = installer("kserve-stand-in");
        const m = new KServeModel("llama", { ...modelArgs(cfg, 0), hfTokenSecretName: "hf-token", kserve });
        const isvc = await one(ISVC, "llama");
        const doc = manifestOf(isvc) as any;
        assert.deepEqual(validateObject(doc), []);
        assert.equal(doc.apiVersion, "serving.kserve.io/v1beta1");
        const model = doc.spec.predictor.model;
        assert.equal(model.modelFormat.name, "huggingface");
        assert.equal(model.storageUri, "hf://meta-llama/Llama-3.2-3B-Instruct");
        assert.ok(model.args.includes("--model_name=huggingface-llama3"));
        // vLLM labels its metrics model_name with the served name (else the model id or /mnt/models).
        assert.ok(model.args.includes("--served-model-name=huggingface-llama3"));
        assert.ok(!model.args.some((a: string) => a.startsWith("--model_id")));
        assert.deepEqual(model.env[0], { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "hf-token", key: "HF_TOKEN" } } });
        assert.deepEqual(model.resources.limits, { "nvidia.com/gpu": "1", cpu: "4", memory: "16Gi" });
        assert.equal(doc.metadata.annotations["serving.kserve.io/deploymentMode"], "Standard");
        assert.equal(doc.metadata.annotations["prometheus.io/scrape"], "true");
        assert.equal(doc.metadata.annotations["serving.kserve.io/autoscalerClass"], "none");
        assert.deepEqual(doc.spec.predictor.tolerations.map((t: any) => t.key), ["dedicated", "nvidia.com/gpu"]);
        const dep = await one(RELEASE, "kserve-stand-in");
        assert.ok(isvc.dependsOn.includes(dep.urn));
        assert.equal(await promiseOf(m.url), "http://huggingface-llama3-predictor.inference.svc.cluster.local/openai/v1");
    });

    it("KEDA autoscaling: autoscalerClass keda, External prometheus metric on the vLLM query, min/max, depends on the KEDA CRDs", async () => {
        new KServeModel("fbopt", {
            ...modelArgs(cfg, 1),
            prometheusUrl: "http://prom.monitoring.svc:9090",
                        kedaCrds: installer("keda-stand-in"),
        });
        const isvc = await one(ISVC, "fbopt");
        const doc = manifestOf(isvc) as any;
        assert.deepEqual(validateObject(doc), []);
        assert.equal(doc.metadata.annotations["serving.kserve.io/autoscalerClass"], "keda");
        const p = doc.spec.predictor;
        assert.equal(p.minReplicas, 1);
        assert.equal(p.maxReplicas, 5);
        assert.deepEqual(p.autoScaling.metrics, [
            {
                type: "External",
                external: {
                    metric: { backend: "prometheus", serverAddress: "http://prom.monitoring.svc:9090", query: 'max(vllm:num_requests_running{model_name="fbopt"})' },
                    target: { type: "AverageValue", value: "2", averageValue: "2" },
                },
            },
        ]);
        assert.ok(p.model.args.includes("--model_id=facebook/opt-125m"));
        assert.equal(p.model.storageUri, undefined);
        const keda = await one(RELEASE, "keda-stand-in");
        assert.ok(isvc.dependsOn.includes(keda.urn));
    });

    it("default query: one series, summed over the model's own pods (its namespace and served name)", async () => {
        const c = config([
            { name: "q", model: "Qwen/Qwen3-0.6B", serving: "kserve", autoscaling: { max: 2 } },
            { name: "r", model: "Qwen/Qwen3-0.6B", serving: "kserve", autoscaling: { max: 2 } },
        ]);
        const queries = await Promise.all(
            [0, 1].map(async (i) => {
                const body = inferenceServiceSpec({ ...modelArgs(c, i), namespace: "team-a", prometheusUrl: "http://p:9090" }) as any;
                const p = body.spec.predictor;
                // The label the query filters on is the name the server is told to serve under.
                assert.ok(p.model.args.includes(`--served-model-name=${c.models[i].name}`));
                return promiseOf(p.autoScaling.metrics[0].external.metric.query);
            }),
        );
        assert.deepEqual(queries, ['sum(vllm:num_requests_running{namespace="team-a",model_name="q"})', 'sum(vllm:num_requests_running{namespace="team-a",model_name="r"})']);
        assert.equal(multiSeriesQueryProblem(KSERVE_DEFAULT_QUERY), undefined);
    });

    it("target type is what KServe's KEDA reconciler makes of it: AverageValue, with the threshold in value", () => {
        // keda_reconciler.go (v0.20.0) copies only target.value into the trigger's threshold and sets no
        // metricType, so KEDA's default AverageValue applies; the webhook requires value for External.
        const body = inferenceServiceSpec({ ...modelArgs(cfg, 1), prometheusUrl: "http://p:9090" }) as any;
        const target = body.spec.predictor.autoScaling.metrics[0].external.target;
        assert.equal(target.type, "AverageValue");
        assert.equal(target.value, "2");
        assert.equal(target.averageValue, target.value);
    });

    it("one-series check: bare metrics and by/without groupings are refused, aggregations pass", () => {
        assert.match(multiSeriesQueryProblem("vllm:num_requests_running") ?? "", /one series per pod.*sum\(vllm:num_requests_running\)/);
        assert.match(multiSeriesQueryProblem("rate(vllm:prompt_tokens_total[1m])") ?? "", /one series per pod/);
        assert.match(multiSeriesQueryProblem("sum by (pod) (vllm:num_requests_running)") ?? "", /by\/without/);
        assert.match(multiSeriesQueryProblem('sum(vllm:num_requests_running{model_name="x"}) by (pod)') ?? "", /by\/without/);
        assert.equal(multiSeriesQueryProblem('max(sum by (pod) (vllm:num_requests_running{model_name="x"}))'), undefined);
        assert.equal(multiSeriesQueryProblem("sum(rate(vllm:prompt_tokens_total[1m])) / sum(vllm:num_requests_running)"), undefined);
    });

    it("config: a KEDA query returning one series per pod, or autoscaling without the PodMonitor, is a config problem", () => {
        const bad = config([
            { name: "a", model: "facebook/opt-125m", serving: "kserve", autoscaling: { max: 5, query: "vllm:num_requests_running" } },
            { name: "b", model: "facebook/opt-125m", serving: "kserve", kserve: { podMonitor: false }, autoscaling: { max: 5 } },
        ]);
        const problems = servingConfigProblems(bad);
        assert.ok(problems.some((p) => p.startsWith('inference-platform:models[0].autoscaling.query: got "vllm:num_requests_running"; it returns one series per pod')), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("inference-platform:models[1].kserve.podMonitor: got false")), problems.join("\n"));
        assert.equal(problems.length, 2);
    });

    it("Knative variant: scale to zero on concurrency, no KEDA annotation", () => {
        const body = inferenceServiceSpec({ ...modelArgs(cfg, 2), mode: "Knative" }) as any;
        assert.equal(body.annotations["serving.kserve.io/deploymentMode"], "Knative");
        assert.equal(body.annotations["serving.kserve.io/autoscalerClass"], undefined);
        assert.equal(body.spec.predictor.minReplicas, 0);
        assert.equal(body.spec.predictor.maxReplicas, 3);
        assert.equal(body.spec.predictor.scaleMetric, "concurrency");
        assert.equal(body.spec.predictor.scaleTarget, 4);
        assert.equal(body.spec.predictor.autoScaling, undefined);
        assert.deepEqual(validateObject({ apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", metadata: { name: "t" }, spec: body.spec }), []);
    });

    it("PodMonitor on the predictor pods, after the monitoring CRDs; validates upstream", async () => {
        new KServeModel("llama-pm", { ...modelArgs(cfg, 0), podMonitor: true, monitoringCrds: installer("prom-stand-in") });
        const pm = await one(crType("monitoring.coreos.com/v1", "PodMonitor"), "llama-pm-metrics");
        assert.deepEqual(validateObject(manifestOf(pm)), []);
        assert.deepEqual(inputs(pm).spec.selector.matchLabels, { "serving.kserve.io/inferenceservice": "huggingface-llama3" });
        // Prometheus keeps a PodMonitor endpoint only for a port the container declares; the
        // huggingface runtime declares none, so the predictor must.
        const isvc = manifestOf(await one(ISVC, "llama-pm")) as any;
        const declared = isvc.spec.predictor.model.ports;
        const ep = inputs(pm).spec.podMetricsEndpoints[0];
        assert.ok(declared.some((p: any) => p.name === ep.port && p.containerPort === 8080), `scraped port ${JSON.stringify(ep)} not declared: ${JSON.stringify(declared)}`);
        // Knative accepts only these port names.
        assert.ok(declared.every((p: any) => ["http1", "h2c"].includes(p.name)));
        const prom = await one(RELEASE, "prom-stand-in");
        assert.ok(pm.dependsOn.includes(prom.urn));
    });

    it("gated hf:// download: the storage-initializer gets HF_TOKEN through the predictor's ServiceAccount", async () => {
        new KServeModel("llama-sa", { ...modelArgs(cfg, 0), hfTokenSecretName: "hf-token" });
        const sa = await one("kubernetes:core/v1:ServiceAccount", "llama-sa-storage");
        const isvc = await one(ISVC, "llama-sa");
        // KServe's credential builder mounts the Secrets the pod's ServiceAccount lists (key HF_TOKEN → hf).
        assert.deepEqual(inputs(sa).secrets, [{ name: "hf-token" }]);
        assert.equal(inputs(sa).metadata.namespace, "inference");
        assert.equal((manifestOf(isvc) as any).spec.predictor.serviceAccountName, inputs(sa).metadata.name);
        assert.deepEqual(validateObject(manifestOf(isvc)), []);
        assert.ok(isvc.dependsOn.includes(sa.urn), "the ServiceAccount exists before the predictor pod is admitted");
        // --model_id (no storage-initializer) and public models need no ServiceAccount.
        new KServeModel("fbopt-sa", { ...modelArgs(cfg, 1), hfTokenSecretName: "hf-token", prometheusUrl: "http://p:9090" });
        new KServeModel("public", { ...modelArgs(cfg, 2), prometheusUrl: "http://p:9090" });
        assert.equal((await registered("kubernetes:core/v1:ServiceAccount")).length, 1);
        assert.equal((manifestOf(await one(ISVC, "public")) as any).spec.predictor.serviceAccountName, undefined);
    });

    it("refuses a multi-node replica and KEDA without Prometheus, registering nothing", async () => {
        const big = config([{ name: "big", model: "meta-llama/Llama-3.1-405B-Instruct", serving: "llmisvc", parallelism: { tensor: 8, pipeline: 2 } }], [H100_POOL]);
        assert.throws(() => new KServeModel("big", { ...modelArgs(big) }), /spans 2 nodes/);
        assert.throws(() => new KServeModel("np", { ...modelArgs(cfg, 1) }), /needs the Prometheus URL/);
        assert.equal((await registered(ISVC)).length, 0);
    });
});
