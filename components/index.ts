/**
 * The component library: `import { VllmServer, NvidiaGpuOperator } from "inference-platform"`.
 * Compiled by `npm run build` to bin/components/index.js + .d.ts (package.json `exports`).
 *
 * Layers (docs/ARCHITECTURE.md): physical (fleet, catalog, planner: pure functions), platform
 * (operators, CRDs, gateway, namespace), engine (one model server each) and serving (model-serving
 * frameworks). Components never import stacks/: a stack is one way to wire them, not the only one.
 *
 * The multi-language Pulumi package (PulumiPlugin.yaml) serves the components listed in
 * components/package.ts, a subset of these whose args the schema inference reads.
 */

// Physical: fleet helpers, model catalog, sizing planner.
export * from "./physical";

// The fleet vocabulary the engine and serving components take (NodePool, ModelSpec, Placement, …) and its defaults.
export * from "./types";

// Platform.
export { AmdGpuOperator, type AmdGpuOperatorArgs } from "./platform/amd-gpu-operator";
export { CertManager, type CertManagerArgs } from "./platform/cert-manager";
export {
    type ManifestOverride,
    type ManifestOverrides,
    type OperatorArgs,
    PodSecurityLevel,
    type Toleration,
    TolerationOperator,
    tolerationsFor,
} from "./platform/common";
export { type ComputeDomainSpec, NvidiaDraDriver, type NvidiaDraDriverArgs } from "./platform/dra-driver";
export { GATEWAY_API_GROUPS, GatewayApiCrds, type GatewayApiCrdsArgs } from "./platform/gateway-api-crds";
export { GatewayProvider, type GatewayProviderArgs, GatewayProviderKind } from "./platform/gateway-provider";
export { type ContainerClaim, GpuClaim, type GpuClaimArgs, type GpuClaimNic, type PodResourceClaim } from "./platform/gpu-claim";
export { GpuSharingMode, type GpuSharing, MigStrategy, NvidiaGpuOperator, type NvidiaGpuOperatorArgs } from "./platform/gpu-operator";
export { INFERENCE_EXTENSION_GROUPS, InferenceExtensionCrds, type InferenceExtensionCrdsArgs } from "./platform/inference-extension-crds";
export { AllowedRoutes, InferenceGateway, type InferenceGatewayArgs } from "./platform/inference-gateway";
export { IntelGaudiOperator, type IntelGaudiOperatorArgs } from "./platform/intel-gaudi-operator";
export { Keda, type KedaArgs } from "./platform/keda";
export { KubeRay, type KubeRayArgs } from "./platform/kuberay";
export { LeaderWorkerSet, type LeaderWorkerSetArgs } from "./platform/lws";
export { Monitoring, type MonitoringArgs } from "./platform/monitoring";
export { HF_TOKEN_SECRET, NGC_API_SECRET, NGC_PULL_SECRET, WorkloadNamespace, type WorkloadNamespaceArgs } from "./platform/namespace";
export { NvidiaNetworkOperator, type NvidiaNetworkOperatorArgs } from "./platform/network-operator";
export { NodeFeatureDiscovery, type NodeFeatureDiscoveryArgs } from "./platform/nfd";

// Engine: one model server each.
export { EngineAutoscaler, type EngineAutoscalerArgs } from "./engine/autoscaler";
export { LwsServer } from "./engine/lws";
export { RayVllmServer } from "./engine/ray";
export { SglangServer } from "./engine/sglang";
export { TritonTrtllmServer } from "./engine/triton-trtllm";
export type { ComputeDomainRef, EngineServerArgs, LwsServerArgs, MultiNodeServerArgs } from "./engine/types";
export { VllmServer } from "./engine/vllm";

// Serving frameworks.
export type { ChartInstallArgs, GatewayRef, ServingInstallArgs } from "./serving/common";
export { DynamoDeployment, type DynamoDeploymentArgs } from "./serving/dynamo";
export { DynamoPlatform, type DynamoPlatformArgs } from "./serving/dynamo-platform";
export { KnativeNetworking, KnativeServing, type KnativeServingArgs } from "./serving/knative";
export { KServe, type KServeArgs, KServeMode } from "./serving/kserve";
export { KServeModel, type KServeModelArgs } from "./serving/kserve-model";
export { LlmD, type LlmDArgs } from "./serving/llmd";
export { LlmDGatewayProvider, LlmDInfra, type LlmDInfraArgs } from "./serving/llmd-infra";
export { LlmInferenceService, type LlmInferenceServiceArgs } from "./serving/llm-inference-service";
export { NimOperator, type NimOperatorArgs } from "./serving/nim-operator";
export { NimService, type NimServiceArgs } from "./serving/nim-service";
export { RayServeLlm, type RayServeLlmArgs } from "./serving/rayserve";

// Pinned chart, manifest and image versions, and the Kubernetes helpers every component uses.
export { charts, componentVersions, images, manifests, type ChartKey, type ChartSource, type ManifestKey, type ManifestSource } from "./versions";
export { type ChartOverride, type ChartOverrides } from "./common/helm";
export { componentType, PACKAGE, standardLabels } from "./common/k8s";
