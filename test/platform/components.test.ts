/** Platform components: their options, emitted values/objects (checked against upstream), dependsOn edges. */
import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import { one, promiseOf, registered, RELEASE, resetRecords } from "../helpers";
import { checkValuesKeys, validateObject } from "../conformance/upstream";
import { NvidiaGpuOperator, gpuOperatorValues, nvidiaDriverRoot, DEVICE_PLUGIN_CONFIG } from "../../components/platform/gpu-operator";
import { NvidiaNetworkOperator, nicClusterPolicySpec, rdmaPluginResourceName } from "../../components/platform/network-operator";
import { AmdGpuOperator, amdGpuOperatorValues } from "../../components/platform/amd-gpu-operator";
import { IntelGaudiOperator } from "../../components/platform/intel-gaudi-operator";
import { NvidiaDraDriver, draDriverValues } from "../../components/platform/dra-driver";
import { GpuClaim, gpuClaimDevices } from "../../components/platform/gpu-claim";
import { Monitoring, monitoringValues } from "../../components/platform/monitoring";
import { CertManager, certManagerValues } from "../../components/platform/cert-manager";
import { Keda, kedaValues } from "../../components/platform/keda";
import { LeaderWorkerSet, lwsValues } from "../../components/platform/lws";
import { KubeRay, kuberayValues } from "../../components/platform/kuberay";
import { NodeFeatureDiscovery, nfdValues } from "../../components/platform/nfd";
import { GatewayApiCrds } from "../../components/platform/gateway-api-crds";
import { InferenceExtensionCrds } from "../../components/platform/inference-extension-crds";
import { GatewayProvider, gatewayProviderShape } from "../../components/platform/gateway-provider";
import { InferenceGateway, inferenceGatewaySpec } from "../../components/platform/inference-gateway";
import { manifests } from "../../components/versions";

const NAMESPACE = "kubernetes:core/v1:Namespace";

/** A stand-in (custom) resource to depend on: a component with no children would expand to no URNs. */
class Marker extends k8s.core.v1.ConfigMap {
    constructor(name: string) {
        super(name, { metadata: { name } });
    }
}

/** A Marker where args take a Helm release (e.g. `monitoringCrds`): only its URN matters (dependsOn). */
function releaseMarker(name: string): k8s.helm.v3.Release {
    return new Marker(name) as unknown as k8s.helm.v3.Release;
}

/** A Marker where args take CRD manifests (`gatewayApiCrds`): only its URN matters (dependsOn). */
function manifestsMarker(name: string): k8s.yaml.v2.ConfigFile {
    return new Marker(name) as unknown as k8s.yaml.v2.ConfigFile;
}

function values(r: { inputs: Record<string, unknown> }): Record<string, unknown> {
    return r.inputs["values"] as Record<string, unknown>;
}

describe("platform components", () => {
    beforeEach(resetRecords);

    describe("NvidiaGpuOperator", () => {
        it("defaults: operator driver, NFD off, device plugin on, ClusterPolicy from the chart only; keys exist upstream", async () => {
            const op = new NvidiaGpuOperator("gpu-op", {});
            const rel = await one(RELEASE, "gpu-op");
            const v = values(rel);
            assert.deepEqual(v["nfd"], { enabled: false });
            assert.deepEqual(v["driver"], { enabled: true });
            assert.deepEqual(v["devicePlugin"], { enabled: true });
            assert.deepEqual(v["clusterPolicy"], { deployCR: true });
            assert.deepEqual(checkValuesKeys("gpu-operator", "26.7.0", v), []);
            assert.equal(op.driverRoot, "/run/nvidia/driver");
            assert.equal((await registered("kubernetes:nvidia.com/v1:ClusterPolicy")).length, 0, "never a second ClusterPolicy");
            const ns = await one(NAMESPACE, "gpu-op-ns");
            const md = ns.inputs["metadata"] as { name: string; labels: Record<string, string> };
            assert.equal(md.name, "gpu-operator");
            assert.equal(md.labels["pod-security.kubernetes.io/enforce"], "privileged");
            assert.equal(ns.retainOnDelete, true);
            assert.ok(rel.dependsOn.includes(ns.urn), "the release waits for its namespace");
        });

        it("MIG mixed turns on the MIG manager with the mixed strategy", () => {
            const v = gpuOperatorValues({ mig: "mixed" });
            assert.deepEqual(v["mig"], { strategy: "mixed" });
            assert.deepEqual(v["migManager"], { enabled: true });
            assert.deepEqual(gpuOperatorValues({})["migManager"], { enabled: false });
            assert.deepEqual(checkValuesKeys("gpu-operator", "26.7.0", v), []);
        });

        it("host driver: driver off, driver root '/', version ignored", () => {
            const v = gpuOperatorValues({ driver: false, driverVersion: "580.1" });
            assert.deepEqual(v["driver"], { enabled: false });
            assert.equal(nvidiaDriverRoot(false), "/");
            assert.deepEqual(gpuOperatorValues({ driverVersion: "580.1" })["driver"], { enabled: true, version: "580.1" });
        });

        it("time-slicing and MPS write the device plugin config the chart creates", () => {
            const ts = gpuOperatorValues({ sharing: { mode: "time-slicing", replicas: 4 } })["devicePlugin"] as Record<string, { data: Record<string, string> } & Record<string, unknown>>;
            assert.equal(ts["config"]["name"], DEVICE_PLUGIN_CONFIG);
            assert.equal(ts["config"]["create"], true);
            assert.equal(ts["config"]["default"], "time-slicing");
            assert.match(ts["config"].data["time-slicing"], /timeSlicing:\n\s+resources:\n\s+- name: nvidia.com\/gpu\n\s+replicas: 4/);
            const mps = gpuOperatorValues({ sharing: { mode: "mps", replicas: 3 }, mig: "single" })["devicePlugin"] as Record<string, { data: Record<string, string> }>;
            assert.match(mps["config"].data["mps"], /migStrategy: single[\s\S]*mps:[\s\S]*replicas: 3/);
            assert.deepEqual(checkValuesKeys("gpu-operator", "26.7.0", { devicePlugin: ts }), []);
        });

        it("device plugin off (DRA), DCGM ServiceMonitor, pool taint tolerations without duplicating the chart's", () => {
            const v = gpuOperatorValues({
                devicePlugin: false,
                serviceMonitor: true,
                tolerations: [
                    { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
                    { key: "dedicated", operator: "Equal", value: "llm", effect: "NoSchedule" },
                ],
            });
            assert.deepEqual(v["devicePlugin"], { enabled: false });
            assert.deepEqual(v["dcgmExporter"], { enabled: true, serviceMonitor: { enabled: true } });
            assert.deepEqual((v["daemonsets"] as { tolerations: unknown[] }).tolerations, [
                { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
                { key: "dedicated", operator: "Equal", value: "llm", effect: "NoSchedule" },
            ]);
            assert.deepEqual(checkValuesKeys("gpu-operator", "26.7.0", v), []);
        });

        it("rejects time-slicing with the device plugin off, before registering anything", async () => {
            assert.throws(() => new NvidiaGpuOperator("bad", { devicePlugin: false, sharing: { mode: "time-slicing" } }), /sharing.mode "time-slicing" needs the device plugin/);
            assert.equal((await registered(RELEASE, "bad")).length, 0);
        });

        it("air-gapped chart override and user values are applied", async () => {
            new NvidiaGpuOperator("gpu-air", {
                chartOverrides: { gpuOperator: { chart: "oci://mirror.local/nvidia/gpu-operator" } },
                values: { driver: { repository: "mirror.local/nvidia" } },
                createNamespace: false,
                namespace: "gpu-shared",
            });
            const rel = await one(RELEASE, "gpu-air");
            assert.equal(rel.inputs["chart"], "oci://mirror.local/nvidia/gpu-operator");
            assert.equal(rel.inputs["repositoryOpts"], undefined);
            assert.equal(rel.inputs["version"], "v26.7.0");
            assert.equal(rel.inputs["namespace"], "gpu-shared");
            assert.deepEqual(values(rel)["driver"], { enabled: true, repository: "mirror.local/nvidia" });
            assert.equal((await registered(NAMESPACE, "gpu-air-ns")).length, 0);
        });
    });

    describe("NvidiaNetworkOperator", () => {
        it("NicClusterPolicy nic-cluster-policy: RDMA resource name from the fleet, prefix rdma; validates; depends on the release", async () => {
            const op = new NvidiaNetworkOperator("net", { rdmaResourceNames: ["rdma/rdma_shared_device_a", "rdma/rdma_shared_device_a"] });
            const rel = await one(RELEASE, "net");
            const ncp = await one("kubernetes:mellanox.com/v1alpha1:NicClusterPolicy", "net-nic-cluster-policy");
            assert.ok(ncp.dependsOn.includes(rel.urn));
            const doc = { apiVersion: "mellanox.com/v1alpha1", kind: "NicClusterPolicy", metadata: ncp.inputs["metadata"], spec: ncp.inputs["spec"] };
            assert.deepEqual(validateObject(doc), []);
            assert.equal((ncp.inputs["metadata"] as { name: string }).name, "nic-cluster-policy");
            const spec = ncp.inputs["spec"] as { rdmaSharedDevicePlugin: { config: string }; secondaryNetwork: Record<string, unknown>; nvIpam: unknown };
            const cfg = JSON.parse(spec.rdmaSharedDevicePlugin.config) as { configList: { resourceName: string; resourcePrefix: string; selectors: unknown }[] };
            assert.deepEqual(cfg.configList.map((c) => [c.resourceName, c.resourcePrefix]), [["rdma_shared_device_a", "rdma"]]);
            assert.deepEqual(cfg.configList[0].selectors, { vendors: ["15b3"] });
            assert.ok(spec.secondaryNetwork["multus"] && spec.secondaryNetwork["cniPlugins"] && spec.nvIpam);
            assert.deepEqual(values(rel), { nfd: { enabled: false, deployNodeFeatureRules: true }, sriovNetworkOperator: { enabled: false } });
            assert.deepEqual(checkValuesKeys("network-operator", "26.4.1", values(rel)), []);
            assert.deepEqual(op.rdmaResourceNames, ["rdma/rdma_shared_device_a"]);
            assert.equal((await one(NAMESPACE, "net-ns")).retainOnDelete, true);
        });

        it("SR-IOV, interface selection and an image mirror", () => {
            const spec = nicClusterPolicySpec({ rdmaResourceNames: ["rdma/hca"], sriov: true, ifNames: ["ens1f0"], imageRepository: "mirror.local/mellanox" });
            assert.ok(spec["sriovDevicePlugin"]);
            const rdma = spec["rdmaSharedDevicePlugin"] as { repository: string; config: string };
            assert.equal(rdma.repository, "mirror.local/mellanox");
            assert.deepEqual(JSON.parse(rdma.config).configList[0].selectors, { ifNames: ["ens1f0"] });
            assert.deepEqual(validateObject({ apiVersion: "mellanox.com/v1alpha1", kind: "NicClusterPolicy", metadata: { name: "nic-cluster-policy" }, spec }), []);
        });

        it("rejects a resource name that is not rdma/<name>", () => {
            assert.equal(rdmaPluginResourceName("rdma/a_b"), "a_b");
            assert.throws(() => rdmaPluginResourceName("nvidia.com/hca"), /must be "rdma\/<name>"/);
            assert.throws(() => new NvidiaNetworkOperator("net-bad", { rdmaResourceNames: [] }), /at least one name/);
        });
    });

    describe("AmdGpuOperator", () => {
        it("chart default CR off, NFD sub-chart off, DeviceConfig created after the release, release after cert-manager", async () => {
            const cm = releaseMarker("cm");
            new AmdGpuOperator("amd", { certManager: cm, tolerations: [{ key: "amd.com/gpu", operator: "Exists", effect: "NoSchedule" }] });
            const rel = await one(RELEASE, "amd");
            assert.ok(rel.dependsOn.some((u) => u.endsWith("::cm")), "AMD operator waits for cert-manager");
            assert.deepEqual(values(rel), amdGpuOperatorValues());
            assert.deepEqual((values(rel)["node-feature-discovery"] as { enabled: boolean }).enabled, false);
            assert.deepEqual(checkValuesKeys("gpu-operator-charts", "1.5.1", values(rel)), []);
            const dc = await one("kubernetes:amd.com/v1alpha1:DeviceConfig", "amd-device-config");
            assert.ok(dc.dependsOn.includes(rel.urn));
            const doc = { apiVersion: "amd.com/v1alpha1", kind: "DeviceConfig", metadata: dc.inputs["metadata"], spec: dc.inputs["spec"] };
            assert.deepEqual(validateObject(doc), []);
            const spec = dc.inputs["spec"] as { devicePlugin: { enableDevicePlugin: boolean }; selector: Record<string, string> };
            assert.equal(spec.devicePlugin.enableDevicePlugin, true);
            assert.deepEqual(spec.selector, { "feature.node.kubernetes.io/amd-gpu": "true" });
        });

        it("DRA mode swaps the device plugin for AMD's DRA driver", async () => {
            new AmdGpuOperator("amd-dra", { certManager: releaseMarker("cm2"), dra: true });
            const dc = await one("kubernetes:amd.com/v1alpha1:DeviceConfig", "amd-dra-device-config");
            const spec = dc.inputs["spec"] as { devicePlugin: { enableDevicePlugin: boolean }; draDriver: { enable: boolean } };
            assert.equal(spec.devicePlugin.enableDevicePlugin, false);
            assert.equal(spec.draDriver.enable, true);
            assert.deepEqual(validateObject({ apiVersion: "amd.com/v1alpha1", kind: "DeviceConfig", metadata: dc.inputs["metadata"], spec }), []);
        });
    });

    describe("IntelGaudiOperator (no upstream schema: shape pinned here)", () => {
        it("sets no values of its own; user values pass through; privileged namespace habana-ai-operator", async () => {
            new IntelGaudiOperator("gaudi", {});
            const rel = await one(RELEASE, "gaudi");
            assert.deepEqual(values(rel), {});
            assert.equal(rel.inputs["chart"], "habana-ai-operator");
            assert.equal(rel.inputs["version"], "1.23.0-695");
            assert.deepEqual(rel.inputs["repositoryOpts"], { repo: "https://vault.habana.ai/artifactory/api/helm/gaudi-helm" });
            const ns = await one(NAMESPACE, "gaudi-ns");
            assert.equal((ns.inputs["metadata"] as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"], "privileged");
            new IntelGaudiOperator("gaudi2", { values: { image_registry: "mirror.local" } });
            assert.deepEqual(values(await one(RELEASE, "gaudi2")), { image_registry: "mirror.local" });
        });
    });

    describe("NvidiaDraDriver", () => {
        it("GPUs on with the GPU operator's driver root; compute domain for an NVL72 pool; CRs validate and depend on the release", async () => {
            const dra = new NvidiaDraDriver("dra", { driverRoot: nvidiaDriverRoot(true), computeDomains: [{ name: "gb200-imex" }], workloadNamespace: "inference" });
            const rel = await one(RELEASE, "dra");
            const v = values(rel);
            assert.equal(v["nvidiaDriverRoot"], "/run/nvidia/driver");
            assert.equal(v["gpuResourcesEnabledOverride"], true);
            assert.deepEqual(v["resources"], { gpus: { enabled: true }, computeDomains: { enabled: true } });
            assert.deepEqual(checkValuesKeys("dra-driver-nvidia-gpu", "0.4.0", v), []);
            const cd = await one("kubernetes:resource.nvidia.com/v1beta1:ComputeDomain", "dra-gb200-imex");
            assert.ok(cd.dependsOn.includes(rel.urn));
            const doc = { apiVersion: "resource.nvidia.com/v1beta1", kind: "ComputeDomain", metadata: cd.inputs["metadata"], spec: cd.inputs["spec"] };
            assert.deepEqual(validateObject(doc), []);
            assert.deepEqual(cd.inputs["spec"], { numNodes: 0, channel: { resourceClaimTemplate: { name: "gb200-imex-channel" } } });
            assert.deepEqual(dra.computeDomainChannels, { "gb200-imex": "gb200-imex-channel" });
        });

        it("host driver root, compute domains off without domains; validation", () => {
            const v = draDriverValues({ driverRoot: "/" });
            assert.equal(v["nvidiaDriverRoot"], "/");
            assert.deepEqual(v["resources"], { gpus: { enabled: true }, computeDomains: { enabled: false } });
            assert.throws(() => new NvidiaDraDriver("dra-bad", { computeDomains: [{ name: "x" }] }), /workloadNamespace is required/);
            assert.throws(() => new NvidiaDraDriver("dra-bad2", { gpus: false }), /both off/);
        });
    });

    describe("GpuClaim", () => {
        it("ResourceClaimTemplate with ExactCount and CEL selectors on productName, uuid and memory", async () => {
            const claim = new GpuClaim("llm-gpus", { namespace: "inference", count: 2, productName: "H100", uuids: ["GPU-a", "GPU-b"], minMemoryGiB: 80 });
            const tpl = await one("kubernetes:resource.k8s.io/v1:ResourceClaimTemplate", "llm-gpus");
            const req = ((tpl.inputs["spec"] as { spec: { devices: { requests: { name: string; exactly: Record<string, unknown> }[] } } }).spec.devices.requests)[0];
            assert.equal(req.name, "gpu");
            assert.equal(req.exactly["deviceClassName"], "gpu.nvidia.com");
            assert.equal(req.exactly["allocationMode"], "ExactCount");
            assert.equal(req.exactly["count"], 2);
            const cel = (req.exactly["selectors"] as { cel: { expression: string } }[]).map((s) => s.cel.expression);
            assert.deepEqual(cel, [
                "device.attributes['gpu.nvidia.com'].productName.lowerAscii().contains('h100')",
                "device.attributes['gpu.nvidia.com'].uuid in ['GPU-a', 'GPU-b']",
                "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('80Gi')) >= 0",
            ]);
            assert.deepEqual(await promiseOf(claim.podResourceClaim), { name: "gpu", resourceClaimTemplateName: "llm-gpus" });
        });

        it("All mode, shared ResourceClaim, and a NIC on the same PCIe root", async () => {
            const all = gpuClaimDevices({ namespace: "x", allDevices: true });
            assert.deepEqual(all["requests"], [{ name: "gpu", exactly: { deviceClassName: "gpu.nvidia.com", allocationMode: "All" } }]);
            const driver = releaseMarker("dra-release");
            const shared = new GpuClaim("shared-gpu", { namespace: "inference", shared: true, nic: { deviceClassName: "nic.example.com" }, driver });
            const rc = await one("kubernetes:resource.k8s.io/v1:ResourceClaim", "shared-gpu");
            assert.ok(rc.dependsOn.some((u) => u.endsWith("::dra-release")));
            const devices = (rc.inputs["spec"] as { devices: { requests: { name: string }[]; constraints: unknown } }).devices;
            assert.deepEqual(devices.requests.map((r) => r.name), ["gpu", "nic"]);
            assert.deepEqual(devices.constraints, [{ requests: ["gpu", "nic"], matchAttribute: "resource.kubernetes.io/pcieRoot" }]);
            assert.deepEqual(await promiseOf(shared.podResourceClaim), { name: "gpu", resourceClaimName: "shared-gpu" });
        });

        it("rejects impossible requests", () => {
            assert.throws(() => new GpuClaim("c1", { namespace: "x", count: 3, uuids: ["GPU-a"] }), /exceeds the 1 uuids/);
            assert.throws(() => new GpuClaim("c2", { namespace: "x", vendor: "amd", productName: "mi300" }), /write the selector in cel/);
            assert.throws(() => new GpuClaim("c3", { namespace: "x", count: 0 }), /positive integer \(or allDevices: true\)/);
        });
    });

    describe("cluster services", () => {
        it("Monitoring selects monitors in every namespace and exposes the Prometheus URL", async () => {
            const m = new Monitoring("mon", {});
            const v = values(await one(RELEASE, "mon"));
            const spec = (v["prometheus"] as { prometheusSpec: Record<string, unknown> }).prometheusSpec;
            for (const k of ["serviceMonitor", "podMonitor", "rule", "probe"]) assert.equal(spec[`${k}SelectorNilUsesHelmValues`], false, k);
            assert.deepEqual(checkValuesKeys("kube-prometheus-stack", "88.5.3", v), []);
            assert.equal(m.prometheusUrl, "http://kube-prometheus-stack-prometheus.monitoring.svc:9090");
            assert.deepEqual(checkValuesKeys("kube-prometheus-stack", "88.5.3", monitoringValues({ retention: "30d", grafana: false })), []);
        });

        it("cert-manager installs and keeps its CRDs; NFD tolerates pool taints; values keys exist upstream", async () => {
            assert.deepEqual(certManagerValues(), { crds: { enabled: true, keep: true } });
            assert.deepEqual(checkValuesKeys("cert-manager", "1.21.1", certManagerValues()), []);
            new CertManager("cm-real", {});
            assert.equal((await one(RELEASE, "cm-real")).inputs["chart"], "oci://quay.io/jetstack/charts/cert-manager");
            const nfd = nfdValues({ tolerations: [{ key: "amd.com/gpu", operator: "Exists", effect: "NoSchedule" }] });
            assert.deepEqual(nfd, { worker: { tolerations: [{ key: "amd.com/gpu", operator: "Exists", effect: "NoSchedule" }] } });
            assert.deepEqual(checkValuesKeys("node-feature-discovery", "0.19.0", nfd), []);
            new NodeFeatureDiscovery("nfd-real", {});
            assert.equal((await one(RELEASE, "nfd-real")).inputs["version"], "0.19.0");
        });

        it("KEDA, LWS and KubeRay render ServiceMonitors only with monitoring, and then wait for its CRDs", async () => {
            for (const on of [false, true]) {
                assert.deepEqual(checkValuesKeys("keda", "2.20.2", kedaValues(on)), []);
                assert.deepEqual(checkValuesKeys("lws", "0.10.0", lwsValues(on)), []);
                assert.deepEqual(checkValuesKeys("kuberay-operator", "1.7.0", kuberayValues(on)), []);
            }
            assert.equal(lwsValues(false)["enablePrometheus"], false);
            assert.deepEqual((lwsValues(false)["image"] as { manager: { tag: string } }).manager.tag, "v0.10.0");
            const mon = releaseMarker("mon-crds");
            new Keda("keda-x", { monitoringCrds: mon });
            new LeaderWorkerSet("lws-x", { monitoringCrds: mon });
            new KubeRay("ray-x", {});
            for (const n of ["keda-x", "lws-x"]) assert.ok((await one(RELEASE, n)).dependsOn.some((u) => u.endsWith("::mon-crds")), n);
            const ray = await one(RELEASE, "ray-x");
            assert.ok(!ray.dependsOn.some((u) => u.endsWith("::mon-crds")));
            assert.deepEqual(values(ray), {});
        });
    });

    describe("Gateway API, GAIE and the gateway provider", () => {
        it("CRD manifests come from the pinned release URLs, or an air-gapped override; retained on delete", async () => {
            new GatewayApiCrds("gw-api", {});
            new InferenceExtensionCrds("gaie", { manifestOverrides: { gatewayApiInferenceExtension: { url: "/opt/mirror/gaie-v1.5.0.yaml" } } });
            const gw = await one("kubernetes:yaml/v2:ConfigFile", "gw-api-crds");
            assert.equal(gw.inputs["file"], manifests.gatewayApi.url);
            assert.equal(gw.retainOnDelete, true);
            const gaie = await one("kubernetes:yaml/v2:ConfigFile", "gaie-crds");
            assert.equal(gaie.inputs["file"], "/opt/mirror/gaie-v1.5.0.yaml");
            new GatewayApiCrds("gw-api-2", { retainOnDelete: false });
            assert.equal((await one("kubernetes:yaml/v2:ConfigFile", "gw-api-2-crds")).retainOnDelete, undefined);
        });

        it("istio: base then istiod with the inference extension; istiod waits for Gateway API and GAIE CRDs", async () => {
            const api = manifestsMarker("api-crds");
            const gaie = manifestsMarker("gaie-crds");
            const p = new GatewayProvider("gwp", { gatewayApiCrds: api, inferenceExtensionCrds: gaie });
            assert.equal(p.className, "istio");
            const base = await one(RELEASE, "gwp-istio-base");
            const istiod = await one(RELEASE, "gwp-istiod");
            assert.deepEqual(values(base), {});
            // No upstream istiod defaults in shared/: the values are pinned here.
            assert.deepEqual(values(istiod), { pilot: { env: { ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" } } });
            assert.ok(istiod.dependsOn.includes(base.urn));
            assert.ok(istiod.dependsOn.some((u) => u.endsWith("::api-crds")));
            assert.ok(istiod.dependsOn.some((u) => u.endsWith("::gaie-crds")));
            assert.ok(!base.dependsOn.some((u) => u.endsWith("::api-crds")), "istio base does not need the Gateway API CRDs");
            assert.equal(base.inputs["namespace"], "istio-system");
        });

        it("kgateway and agentgateway shapes are pinned", () => {
            assert.deepEqual(gatewayProviderShape("kgateway").controlValues, { inferenceExtension: { enabled: true } });
            assert.equal(gatewayProviderShape("kgateway").className, "kgateway");
            assert.equal(gatewayProviderShape("agentgateway").className, "agentgateway");
            assert.equal(gatewayProviderShape("agentgateway").namespace, "agentgateway-system");
        });

        it("the inference Gateway validates upstream and depends on the CRDs and the control plane", async () => {
            const crds = manifestsMarker("gw-crds");
            const cp = releaseMarker("gw-cp");
            new InferenceGateway("igw", { namespace: "inference", className: "istio", gatewayApiCrds: crds, controlPlane: cp });
            const gw = await one("kubernetes:gateway.networking.k8s.io/v1:Gateway", "igw");
            assert.ok(gw.dependsOn.some((u) => u.endsWith("::gw-crds")) && gw.dependsOn.some((u) => u.endsWith("::gw-cp")));
            const doc = { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: gw.inputs["metadata"], spec: gw.inputs["spec"] };
            assert.deepEqual(validateObject(doc), []);
            assert.deepEqual(validateObject({ ...doc, spec: inferenceGatewaySpec({ className: "kgateway", port: 8080, allowedRoutes: "All" }) }), []);
            assert.equal((gw.inputs["metadata"] as { name: string }).name, "inference-gateway");
        });
    });
});
