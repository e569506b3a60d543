/**
 * Entry of the multi-language Pulumi package (PulumiPlugin.yaml at the repository root; package.json
 * `main`). `pulumi package add <this repository>` starts @pulumi/pulumi's component provider host
 * on it: every ComponentResource class exported here becomes the resource
 * `inference-platform:index:<Class>`, its schema inferred from the TypeScript source of its
 * constructor's `args` interface (inputs) and its public properties (outputs).
 *
 * Every component of the library is listed: their args are what the inference reads (interfaces, no
 * unions other than `as const` string enums, resource references typed as concrete @pulumi/kubernetes
 * classes, JSON values as `any`). The schema is pinned in test/package/schema.json (test/package/schema.test.ts).
 * TypeScript programs import the library entry (components/index.ts) instead.
 */
// Platform.
export { AmdGpuOperator } from "./platform/amd-gpu-operator";
export { CertManager } from "./platform/cert-manager";
export { GatewayApiCrds } from "./platform/gateway-api-crds";
export { GatewayProvider } from "./platform/gateway-provider";
export { GpuClaim } from "./platform/gpu-claim";
export { InferenceExtensionCrds } from "./platform/inference-extension-crds";
export { InferenceGateway } from "./platform/inference-gateway";
export { IntelGaudiOperator } from "./platform/intel-gaudi-operator";
export { Keda } from "./platform/keda";
export { KubeRay } from "./platform/kuberay";
export { LeaderWorkerSet } from "./platform/lws";
export { Monitoring } from "./platform/monitoring";
export { NodeFeatureDiscovery } from "./platform/nfd";
export { NvidiaDraDriver } from "./platform/dra-driver";
export { NvidiaGpuOperator } from "./platform/gpu-operator";
export { NvidiaNetworkOperator } from "./platform/network-operator";
export { WorkloadNamespace } from "./platform/namespace";

// Engine.
export { EngineAutoscaler } from "./engine/autoscaler";
export { LwsServer } from "./engine/lws";
export { RayVllmServer } from "./engine/ray";
export { SglangServer } from "./engine/sglang";
export { TritonTrtllmServer } from "./engine/triton-trtllm";
export { VllmServer } from "./engine/vllm";

// Serving.
export { DynamoDeployment } from "./serving/dynamo";
export { DynamoPlatform } from "./serving/dynamo-platform";
export { KServe } from "./serving/kserve";
export { KServeModel } from "./serving/kserve-model";
export { KnativeServing } from "./serving/knative";
export { LlmD } from "./serving/llmd";
export { LlmDInfra } from "./serving/llmd-infra";
export { LlmInferenceService } from "./serving/llm-inference-service";
export { NimOperator } from "./serving/nim-operator";
export { NimService } from "./serving/nim-service";
export { RayServeLlm } from "./serving/rayserve";
