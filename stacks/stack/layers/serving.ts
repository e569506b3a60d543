/**
 * Serving layer: models served through KServe (InferenceService), KServe LLMInferenceService,
 * llm-d, Ray Serve, NVIDIA NIM or NVIDIA Dynamo (`models[].serving`). Each mode's component lives
 * in components/serving/.
 *
 * The installs (KServe and Knative, llm-d-infra, NIM operator, Dynamo platform) happen once per
 * stack and only when a model needs them (or `platform.<x>.enabled: true`; `false` means installed
 * outside this stack). Every custom resource depends on the resource installing its CRDs: the
 * platform's `crdInstallers` for platform groups, this layer's own releases for serving.kserve.io,
 * apps.nvidia.com and Dynamo's nvidia.com kinds (`this.crdInstallers`).
 *
 * Every problem in the serving config is found (`servingConfigProblems`) before anything of this
 * layer is registered.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE } from "../../../components/common/k8s";
import type { Placement } from "../../../components/engine/types";
import { GatewayRef, multiSeriesQueryProblem } from "../../../components/serving/common";
import { DynamoDeployment, dynamoProblem } from "../../../components/serving/dynamo";
import { DynamoPlatform } from "../../../components/serving/dynamo-platform";
import { KnativeServing } from "../../../components/serving/knative";
import { KServe } from "../../../components/serving/kserve";
import { KServeModel } from "../../../components/serving/kserve-model";
import { LlmInferenceService, llmisvcProblem } from "../../../components/serving/llm-inference-service";
import { LlmD, llmdProblem } from "../../../components/serving/llmd";
import { LlmDGatewayProvider, LlmDInfra } from "../../../components/serving/llmd-infra";
import { NimOperator } from "../../../components/serving/nim-operator";
import { NimService, nimProblems } from "../../../components/serving/nim-service";
import { RayServeLlm, rayServeProblem } from "../../../components/serving/rayserve";
import { llmdReleaseOf, pinnedLlmdSet } from "../../../components/versions";
import { ConfigError, path } from "../../config/load";
import { manifestsFor, releaseFor, type CrdInstallers } from "./platform";
import type { StackConfig } from "../../config/load";
import type { ParsedStackConfig, ServingMode } from "../../config/schema";
import { placedModels, type PlacedModel } from "../placement";

/** What the serving layer reads from the platform layer (PlatformLayer satisfies it). */
export interface ServingPlatform {
    namespace: pulumi.Output<string>;
    workloads: {
        hfTokenSecretName?: pulumi.Output<string>;
        ngcApiSecretName?: pulumi.Output<string>;
        ngcPullSecretName?: pulumi.Output<string>;
    };
    crdInstallers: CrdInstallers;
    /** The platform's inference Gateway (KServe ingress, LLMInferenceService routes). */
    gateway?: { name: pulumi.Output<string>; namespace: pulumi.Output<string>; className: string };
    /** In-cluster Prometheus URL (KEDA triggers for KServe). */
    prometheusUrl?: string;
    /** cert-manager's release (KServe webhook certificates). */
    certManager?: k8s.helm.v3.Release;
    /** The gateway provider's control plane (the Gateway llm-d-infra renders needs it). */
    components?: { gatewayProvider?: { controlPlane?: k8s.helm.v3.Release; className?: string } };
}

export interface ServingLayerArgs {
    config: StackConfig;
    platform: ServingPlatform;
    /** Every model with its pool and placement when the caller already placed them (InferenceStack). Defaults to `placedModels(config)`. */
    models?: PlacedModel[];
}

/** Modes the serving layer handles (`engine` belongs to the engine layer). */
export const SERVING_LAYER_MODES: readonly ServingMode[] = ["kserve", "llmisvc", "llmd", "rayserve", "nim", "dynamo"];
/** Modes that may autoscale (the engine layer handles `engine`). */
export const AUTOSCALING_MODES = new Set<ServingMode>(["engine", "kserve", "rayserve"]);

/**
 * Every problem of the serving config, one line each, starting with the config path. Pure: the
 * config loader and the tests call it without the engine.
 */
export function servingConfigProblems(config: ParsedStackConfig, placed: readonly PlacedModel[] = placedModels(config)): string[] {
    const problems: string[] = [];
    const p = config.platform;
    placed.forEach(({ model: m, index: i, pool, placement }) => {
        if (!SERVING_LAYER_MODES.includes(m.serving)) return;
        const at = (...rest: PropertyKey[]) => path(["models", i, ...rest]);
        if (m.autoscaling && !AUTOSCALING_MODES.has(m.serving)) {
            problems.push(`${at("autoscaling")}: not supported with serving "${m.serving}"; autoscaling works with serving: ${[...AUTOSCALING_MODES].join(", ")}`);
        }
        switch (m.serving) {
            case "kserve":
                if (placement.nodesPerReplica > 1) {
                    problems.push(`${at("serving")}: got "kserve", but one replica spans ${placement.nodesPerReplica} nodes and the huggingface InferenceService is single-node; use "llmisvc", "llmd" or "nim"`);
                }
                if (m.engine !== "vllm") problems.push(`${at("engine")}: got "${m.engine}"; the KServe huggingface runtime runs vLLM; allowed: "vllm"`);
                if (m.autoscaling && p.kserve.mode === "Standard" && p.monitoring.enabled === false) {
                    problems.push(`${at("autoscaling")}: KServe scales through KEDA on a Prometheus query, but platform.monitoring.enabled is false; enable monitoring or remove autoscaling`);
                }
                if (m.autoscaling && p.kserve.mode === "Standard" && p.keda.enabled === false) {
                    problems.push(`${at("autoscaling")}: KServe Standard mode scales through KEDA, but platform.keda.enabled is false; enable KEDA or remove autoscaling`);
                }
                if (m.autoscaling && p.kserve.mode === "Standard") {
                    const why = multiSeriesQueryProblem(m.autoscaling.query);
                    if (why) problems.push(`${at("autoscaling", "query")}: got ${JSON.stringify(m.autoscaling.query)}; it ${why}`);
                    if (!m.kserve.podMonitor) {
                        problems.push(`${at("kserve", "podMonitor")}: got false, but autoscaling reads the predictor's metrics, which only the PodMonitor scrapes; allowed with autoscaling: true`);
                    }
                }
                break;
            case "llmisvc": {
                const why = llmisvcProblem(m, placement);
                const argsWhy = why && /^(extraArgs|kvCacheDtype): (.*)$/s.exec(why);
                if (why) problems.push(argsWhy ? `${at(argsWhy[1])}: ${argsWhy[2]}` : `${at("parallelism")}: ${why}`);
                if (m.engine !== "vllm") problems.push(`${at("engine")}: got "${m.engine}"; LLMInferenceService runs vLLM; allowed: "vllm"`);
                break;
            }
            case "llmd": {
                const why = llmdProblem(m, placement);
                if (why) problems.push(`${at(m.engine !== "vllm" ? "engine" : "parallelism")}: ${why}`);
                if (p.gateway.enabled === false) problems.push(`${path(["platform", "gateway", "enabled"])}: got false, but models[${i}] uses serving "llmd", which routes through a Gateway; enable the gateway`);
                if (p.gateway.provider === "kgateway") {
                    problems.push(`${path(["platform", "gateway", "provider"])}: got "kgateway"; llm-d-infra 1.4 renders kgateway as agentgateway; allowed with serving "llmd": "istio", "agentgateway"`);
                }
                break;
            }
            case "rayserve": {
                const why = rayServeProblem(m, pool, placement);
                if (why) problems.push(`${at(placement.data > 1 ? "parallelism" : m.engine !== "vllm" ? "engine" : "image")}: ${why}`);
                break;
            }
            case "nim":
                for (const why of nimProblems(m, pool)) problems.push(`${at()}.${why}`);
                break;
            case "dynamo": {
                const why = dynamoProblem(m, pool, placement);
                if (why) problems.push(`${at("serving")}: got "dynamo"; ${why}`);
                break;
            }
        }
    });
    // llm-d's EPP image, its inferencepool chart, sidecar and model server move as one release set.
    const poolChartVersion = p.sources.charts["inferencePool"]?.version;
    if (poolChartVersion !== undefined && config.models.some((m) => m.serving === "llmd")) {
        const r = llmdReleaseOf({ ...pinnedLlmdSet(), inferencePoolChart: poolChartVersion });
        if ("problem" in r) problems.push(`${path(["platform", "sources", "charts", "inferencePool", "version"])}: got "${poolChartVersion}"; ${r.problem}`);
    }
    return problems;
}

export class ServingLayer extends pulumi.ComponentResource {
    /** Model name → endpoint (in-cluster URL, or the URL through the inference Gateway). */
    public readonly endpoints: Record<string, pulumi.Output<string>> = {};
    /** API group → the resource of this layer installing its CRDs (serving.kserve.io, apps.nvidia.com, nvidia.com for Dynamo). */
    public readonly crdInstallers: CrdInstallers = {};
    public readonly installs: {
        knative?: KnativeServing;
        kserve?: KServe;
        llmdInfra?: LlmDInfra;
        nimOperator?: NimOperator;
        dynamo?: DynamoPlatform;
    } = {};

    constructor(name: string, args: ServingLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:stack:ServingLayer`, name, {}, opts);
        const { config, platform } = args;
        const placed = args.models ?? placedModels(config);
        // Validate first: a bad serving config registers nothing below.
        const problems = servingConfigProblems(config, placed);
        if (problems.length > 0) throw new ConfigError(problems);

        const p = config.platform;
        const has = (mode: ServingMode) => config.models.some((m) => m.serving === mode);
        const crd = platform.crdInstallers;
        const child = { parent: this };
        const skipAwait = config.cluster.skipAwait;
        const chartOverrides = p.sources.charts;
        const gateway: GatewayRef | undefined = platform.gateway;
        const hfToken = platform.workloads.hfTokenSecretName;
        const monitoringCrds = releaseFor(crd, "monitoring.coreos.com");
        const i = this.installs;

        // ── installs, once per stack ──────────────────────────────────────────────────────
        const wantIsvc = has("kserve") || (p.kserve.enabled === true && !has("llmisvc"));
        const wantLlmisvc = has("llmisvc");
        if (p.kserve.enabled !== false && (wantIsvc || wantLlmisvc)) {
            const knativeMode = p.kserve.mode === "Knative" && wantIsvc;
            const istio = gateway?.className === "istio";
            if (knativeMode) {
                i.knative = new KnativeServing(
                    "knative",
                    {
                        networking: istio ? "istio" : "kourier",
                        chartOverrides,
                        skipAwait,
                        istioCrds: istio ? releaseFor(crd, "networking.istio.io") : undefined,
                        istioControlPlane: istio ? platform.components?.gatewayProvider?.controlPlane : undefined,
                    },
                    child,
                );
            }
            if (i.knative) this.crdInstallers["operator.knative.dev"] = i.knative.operator;
            i.kserve = new KServe(
                "kserve",
                {
                    inferenceService: wantIsvc,
                    llmInferenceService: wantLlmisvc,
                    mode: p.kserve.mode,
                    gateway,
                    knative: i.knative?.operator,
                    knativeWithoutIstio: knativeMode && !istio,
                    certManager: platform.certManager ?? releaseFor(crd, "cert-manager.io"),
                    gaieCrdsInstalled: crd["inference.networking.k8s.io"] !== undefined,
                    chartOverrides,
                    values: p.kserve.values,
                    skipAwait,
                },
                child,
            );
            this.crdInstallers["serving.kserve.io"] = i.kserve.crdInstaller;
        }
        if (p.llmd.enabled !== false && (has("llmd") || p.llmd.enabled === true)) {
            i.llmdInfra = new LlmDInfra(
                "llm-d-infra",
                {
                    namespace: platform.namespace,
                    provider: p.gateway.provider as LlmDGatewayProvider,
                    className: gateway?.className ?? platform.components?.gatewayProvider?.className,
                    // The Gateway kind (Gateway API CRDs) and the provider's controller and parameter kinds.
                    gatewayCrds: manifestsFor(crd, "gateway.networking.k8s.io"),
                    gatewayProvider: platform.components?.gatewayProvider?.controlPlane ?? releaseFor(crd, "networking.istio.io"),
                    chartOverrides,
                    values: p.llmd.values,
                    skipAwait,
                },
                child,
            );
        }
        if (p.nimOperator.enabled !== false && (has("nim") || p.nimOperator.enabled === true)) {
            i.nimOperator = new NimOperator("nim-operator", { chartOverrides, values: p.nimOperator.values, skipAwait }, child);
            this.crdInstallers["apps.nvidia.com"] = i.nimOperator.release;
        }
        if (p.dynamo.enabled !== false && (has("dynamo") || p.dynamo.enabled === true)) {
            i.dynamo = new DynamoPlatform("dynamo", { chartOverrides, values: p.dynamo.values, skipAwait }, child);
            this.crdInstallers["nvidia.com/DynamoGraphDeployment"] = i.dynamo.crds;
        }

        // ── one component per served model ─────────────────────────────────────────────────
        placed.forEach(({ model, index: idx, pool, placement }) => {
            if (!SERVING_LAYER_MODES.includes(model.serving)) return;
            const base = { namespace: platform.namespace, model, pool, placement };
            switch (model.serving) {
                case "kserve": {
                    const c = new KServeModel(
                        model.name,
                        {
                            ...base,
                            mode: p.kserve.mode,
                            hfTokenSecretName: hfToken,
                            prometheusUrl: platform.prometheusUrl,
                            podMonitor: model.kserve.podMonitor && monitoringCrds !== undefined,
                            monitoringCrds,
                            kedaCrds: releaseFor(crd, "keda.sh"),
                            kserve: i.kserve?.ready,
                        },
                        child,
                    );
                    this.endpoints[model.name] = c.url;
                    break;
                }
                case "llmisvc": {
                    const c = new LlmInferenceService(
                        model.name,
                        { ...base, hfTokenSecretName: hfToken, gateway, kserve: i.kserve?.ready, lwsCrds: releaseFor(crd, "leaderworkerset.x-k8s.io"), monitoring: monitoringCrds !== undefined, monitoringCrds },
                        child,
                    );
                    this.endpoints[model.name] = c.url;
                    break;
                }
                case "llmd": {
                    const infraGateway = i.llmdInfra?.gateway ?? gateway;
                    if (!infraGateway) {
                        throw new pulumi.ResourceError(`ServingLayer: models[${idx}] uses serving "llmd" but no Gateway exists (platform.llmd.enabled is false and the platform has no gateway)`, this);
                    }
                    const c = new LlmD(
                        model.name,
                        {
                            ...base,
                            gateway: infraGateway,
                            provider: p.gateway.provider,
                            hfTokenSecretName: hfToken,
                            monitoring: monitoringCrds !== undefined,
                            monitoringCrds,
                            inferencePoolCrds: manifestsFor(crd, "inference.networking.k8s.io"),
                            gatewayCrds: manifestsFor(crd, "gateway.networking.k8s.io"),
                            lwsCrds: releaseFor(crd, "leaderworkerset.x-k8s.io"),
                            chartOverrides,
                            skipAwait,
                        },
                        child,
                    );
                    this.endpoints[model.name] = c.url;
                    break;
                }
                case "rayserve": {
                    const c = new RayServeLlm(
                        model.name,
                        { ...base, hfTokenSecretName: hfToken, rayCrds: releaseFor(crd, "ray.io"), podMonitor: monitoringCrds !== undefined, monitoringCrds },
                        child,
                    );
                    this.endpoints[model.name] = c.url;
                    break;
                }
                case "nim": {
                    const api = platform.workloads.ngcApiSecretName;
                    const pull = platform.workloads.ngcPullSecretName;
                    if (!api || !pull) {
                        throw new pulumi.ResourceError(
                            `ServingLayer: models[${idx}] uses serving "nim", which needs the NGC Secrets; set the ngcApiKey secret (\`pulumi config set --secret ngcApiKey <key>\`)`,
                            this,
                        );
                    }
                    const c = new NimService(
                        model.name,
                        {
                            ...base,
                            ngcApiSecretName: api,
                            ngcPullSecretName: pull,
                            operator: i.nimOperator?.release,
                            lwsCrds: releaseFor(crd, "leaderworkerset.x-k8s.io"),
                            serviceMonitor: monitoringCrds !== undefined,
                            monitoringCrds,
                        },
                        child,
                    );
                    this.endpoints[model.name] = c.url;
                    break;
                }
                case "dynamo": {
                    const c = new DynamoDeployment(
                        model.name,
                        { ...base, hfTokenSecretName: hfToken, platform: i.dynamo?.release },
                        child,
                    );
                    this.endpoints[model.name] = c.url;
                    break;
                }
            }
        });
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
