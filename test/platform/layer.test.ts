/** PlatformLayer wiring: what turns on from fleet/models, validation, and the all-vendors plan (conformance, edges, depth). */
import { strict as assert } from "node:assert";
import { parseStackConfig, ConfigError, StackConfigInput } from "../../stacks/config/load";
import { platformDecisions } from "../../stacks/stack/layers/platform";
import { planExample } from "../helpers";
import { checkObject, checkValuesKeys } from "../conformance/upstream";
import { upstreamChartName } from "../../components/common/helm";
import type { RecordedResource } from "../../stacks/plan/mock-engine";

const nvidia = { name: "h100", nodes: 1, accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 8 } } as const;
const amd = { name: "mi300x", nodes: 1, accelerator: { vendor: "amd", product: "MI300X", memoryGiB: 192, perNode: 8 } } as const;
const intel = { name: "gaudi3", nodes: 1, accelerator: { vendor: "intel", product: "Gaudi3", memoryGiB: 128, perNode: 8 } } as const;

function decide(raw: Record<string, unknown>) {
    return platformDecisions(parseStackConfig(raw as StackConfigInput as Record<string, unknown>));
}

/** Longest chain (in edges) of dependsOn/parent links among `rs`, ending at any resource; returns the chain. */
export function longestChain(rs: RecordedResource[], from: (r: RecordedResource) => boolean, within: (r: RecordedResource) => boolean): string[] {
    const byUrn = new Map(rs.map((r) => [r.urn, r]));
    const memo = new Map<string, string[]>();
    // Longest path from a `from` resource to r, following "r depends on / is a child of x" backwards.
    const best = (urn: string, seen: Set<string>): string[] | undefined => {
        if (memo.has(urn)) return memo.get(urn);
        const r = byUrn.get(urn);
        if (!r || seen.has(urn)) return undefined;
        seen.add(urn);
        let out: string[] | undefined = from(r) ? [urn] : undefined;
        const preds = [...r.dependsOn, ...(r.parent && within(byUrn.get(r.parent) ?? r) && byUrn.get(r.parent)?.custom ? [r.parent] : [])];
        for (const p of preds) {
            const sub = best(p, seen);
            if (sub && (!out || sub.length + 1 > out.length)) out = [...sub, urn];
        }
        seen.delete(urn);
        memo.set(urn, out as string[]);
        return out;
    };
    let longest: string[] = [];
    for (const r of rs.filter(within)) {
        const c = best(r.urn, new Set());
        if (c && c.length > longest.length) longest = c;
    }
    return longest;
}

describe("PlatformLayer", () => {
    describe("platformDecisions", () => {
        it("auto-enables vendor operators, NFD and monitoring from the fleet", () => {
            const d = decide({ fleet: { pools: [nvidia, amd, intel] } });
            assert.deepEqual([d.gpuOperator, d.amdGpuOperator, d.intelGaudiOperator, d.nfd, d.monitoring], [true, true, true, true, true]);
            assert.equal(d.certManager, true, "AMD needs cert-manager");
            assert.deepEqual([d.networkOperator, d.nvidiaDra, d.keda, d.lws, d.kuberay, d.gateway], [false, false, false, false, false, false]);
            const only = decide({ fleet: { pools: [nvidia] } });
            assert.deepEqual([only.gpuOperator, only.amdGpuOperator, only.intelGaudiOperator, only.certManager], [true, false, false, false]);
        });

        it("explicit enabled overrides the fleet", () => {
            const d = decide({ fleet: { pools: [nvidia] }, platform: { gpuOperator: { enabled: false }, monitoring: { enabled: false }, nfd: { enabled: false } } });
            assert.deepEqual([d.gpuOperator, d.monitoring, d.nfd], [false, false, false]);
        });

        it("RDMA pools turn on the Network Operator with their resource names", () => {
            const d = decide({ fleet: { pools: [{ ...nvidia, rdma: { nicsPerNode: 8, resourceName: "rdma/ib_a" } }] } });
            assert.equal(d.networkOperator, true);
            assert.deepEqual(d.rdmaResourceNames, ["rdma/ib_a"]);
            assert.throws(() => decide({ fleet: { pools: [nvidia] }, platform: { networkOperator: { enabled: true } } }), /platform.networkOperator.enabled: got true, but no pool sets rdma.resourceName/);
        });

        it("DRA from a model: GPU operator device plugin off, and every NVIDIA model must use DRA", () => {
            const d = decide({ fleet: { pools: [nvidia] }, models: [{ model: "Qwen/Qwen3-0.6B", dra: true }] });
            assert.equal(d.nvidiaDra, true);
            assert.equal(d.draGpus, true);
            assert.equal(d.gpuDevicePlugin, false);
            assert.throws(
                () => decide({ fleet: { pools: [nvidia] }, platform: { dra: { enabled: true } }, models: [{ model: "Qwen/Qwen3-0.6B" }] }),
                (e: unknown) => e instanceof ConfigError && /models\[0\]\.dra: must be true/.test(e.message),
            );
            assert.throws(
                () => decide({ cluster: { kubernetesVersion: "1.33" }, fleet: { pools: [nvidia] }, models: [{ model: "Qwen/Qwen3-0.6B", dra: true }] }),
                /cluster.kubernetesVersion: got "1.33"/,
            );
        });

        it("an NVL72 pool gets a ComputeDomain (DRA driver with GPUs left to the device plugin)", () => {
            const gb200 = { name: "gb200", nodes: 18, nvlinkDomain: 72, accelerator: { vendor: "nvidia", product: "GB200", memoryGiB: 186, perNode: 4 } };
            const d = decide({ fleet: { pools: [gb200] } });
            assert.equal(d.nvidiaDra, true);
            assert.equal(d.draGpus, false);
            assert.equal(d.gpuDevicePlugin, true);
            assert.deepEqual(d.computeDomains, [{ pool: "gb200", name: "gb200-imex" }]);
            assert.deepEqual(decide({ fleet: { pools: [nvidia] } }).computeDomains, []);
        });

        it("workload operators and the gateway follow the models", () => {
            const d = decide({
                fleet: { pools: [{ ...nvidia, nodes: 4 }] },
                models: [
                    { name: "big", model: "Qwen/Qwen3-0.6B", parallelism: { tensor: 8, pipeline: 2 } },
                    { name: "ray", model: "Qwen/Qwen3-0.6B", serving: "rayserve" },
                    { name: "auto", model: "Qwen/Qwen3-0.6B", autoscaling: { max: 3 } },
                    { name: "routed", model: "Qwen/Qwen3-0.6B", serving: "llmd" },
                ],
            });
            assert.deepEqual([d.lws, d.kuberay, d.keda, d.gateway, d.certManager], [true, true, true, true, false]);
            const k = decide({ fleet: { pools: [nvidia] }, models: [{ model: "Qwen/Qwen3-0.6B", serving: "kserve" }] });
            assert.deepEqual([k.gateway, k.certManager, k.lws], [true, true, false]);
        });

        it("the platform's inference Gateway only when KServe uses it (llm-d-infra brings its own)", () => {
            const llmd = decide({ fleet: { pools: [nvidia] }, models: [{ model: "Qwen/Qwen3-0.6B", serving: "llmd" }] });
            assert.deepEqual([llmd.gateway, llmd.inferenceGateway], [true, false]);
            const both = decide({ fleet: { pools: [nvidia] }, models: [{ name: "a", model: "Qwen/Qwen3-0.6B", serving: "llmd" }, { name: "b", model: "Qwen/Qwen3-0.6B", serving: "llmisvc" }] });
            assert.deepEqual([both.gateway, both.inferenceGateway], [true, true]);
        });

        it("KubeRay only for Ray Serve, and KEDA only where KEDA scales", () => {
            const rayEngine = decide({
                fleet: { pools: [{ ...nvidia, nodes: 4 }] },
                models: [{ name: "big", model: "Qwen/Qwen3-0.6B", parallelism: { tensor: 8, pipeline: 2 }, multiNode: "ray" }],
            });
            assert.equal(rayEngine.kuberay, false, "multiNode: ray engines are StatefulSets running their own Ray cluster");
            const knative = decide({
                fleet: { pools: [nvidia] },
                platform: { kserve: { mode: "Knative" } },
                models: [{ model: "Qwen/Qwen3-0.6B", serving: "kserve", autoscaling: { min: 0, max: 3 } }],
            });
            assert.equal(knative.keda, false, "Knative scales its own revisions");
            const standard = decide({ fleet: { pools: [nvidia] }, models: [{ model: "Qwen/Qwen3-0.6B", serving: "kserve", autoscaling: { max: 3 } }] });
            assert.equal(standard.keda, true);
        });

        it("air-gapped override keys must exist in the versions table", () => {
            assert.throws(
                () => decide({ fleet: { pools: [nvidia] }, platform: { sources: { charts: { gpuOperatr: { repo: "https://mirror" } } } } }),
                /platform.sources.charts.gpuOperatr: unknown chart key; allowed: gpuOperator/,
            );
            assert.throws(() => decide({ fleet: { pools: [nvidia] }, platform: { sources: { manifests: { gatewayAPI: { url: "/x.yaml" } } } } }), /sources.manifests.gatewayAPI: unknown manifest key/);
            assert.throws(() => decide({ fleet: { pools: [amd] }, platform: { certManager: { enabled: false } } }), /AMD GPU operator needs cert-manager/);
        });
    });

    describe("stacks/examples/platform-all-vendors.yaml", () => {
        let plan: Awaited<ReturnType<typeof planExample>>;
        before(async () => {
            plan = await planExample("stacks/examples/platform-all-vendors.yaml");
        });

        it("plans all three vendors, DRA, RDMA and monitoring; every CR and values key conforms upstream", () => {
            const types = new Set(plan.resources.map((r) => r.type));
            for (const t of [
                "inference-platform:index:NvidiaGpuOperator",
                "inference-platform:index:NvidiaNetworkOperator",
                "inference-platform:index:AmdGpuOperator",
                "inference-platform:index:IntelGaudiOperator",
                "inference-platform:index:NvidiaDraDriver",
                "inference-platform:index:Monitoring",
                "inference-platform:index:NodeFeatureDiscovery",
                "inference-platform:index:CertManager",
            ]) {
                assert.ok(types.has(t), t);
            }
            const problems: string[] = [];
            for (const m of plan.manifests) {
                if (m.kind === "object") {
                    const r = checkObject(m.doc);
                    if (r.status === "invalid") problems.push(...r.errors);
                } else if (upstreamChartName(String(m.doc["chart"])) !== "habana-ai-operator") {
                    problems.push(...checkValuesKeys(upstreamChartName(String(m.doc["chart"])), String(m.doc["version"]), m.doc["values"]));
                }
            }
            assert.deepEqual(problems, []);
            const gpu = plan.manifests.find((m) => m.doc["releaseName"] === "gpu-operator")!;
            assert.deepEqual((gpu.doc["values"] as Record<string, unknown>)["devicePlugin"], { enabled: false });
            const ncp = plan.manifests.find((m) => m.doc["kind"] === "NicClusterPolicy")!;
            const cfg = JSON.parse(((ncp.doc["spec"] as Record<string, { config: string }>)["rdmaSharedDevicePlugin"]).config);
            assert.deepEqual(cfg.configList.map((c: { resourceName: string }) => c.resourceName), ["rdma_shared_device_a", "rdma_shared_device_b"]);
            assert.ok(plan.manifests.some((m) => m.doc["kind"] === "ComputeDomain" && (m.doc["metadata"] as { name: string }).name === "gb200-imex"));
        });

        it("every platform CR depends on the release that installs its CRD; operator namespaces are retained", () => {
            const installerOf: Record<string, string> = {
                NicClusterPolicy: "network-operator",
                DeviceConfig: "amd-gpu-operator",
                ComputeDomain: "dra-driver",
            };
            for (const [kind, rel] of Object.entries(installerOf)) {
                const cr = plan.resources.find((r) => r.type.endsWith(`:${kind}`))!;
                const release = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === rel)!;
                assert.ok(cr.dependsOn.includes(release.urn), `${kind} → ${rel}`);
            }
            const amdRel = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "amd-gpu-operator")!;
            const cm = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "cert-manager")!;
            assert.ok(amdRel.dependsOn.includes(cm.urn));
            const gpuRel = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "gpu-operator")!;
            assert.ok(!gpuRel.dependsOn.includes(cm.urn), "independent operators are not chained");
            const nsRetained = plan.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.name.endsWith("-ns"));
            assert.ok(nsRetained.length >= 8);
            assert.ok(nsRetained.every((r) => r.retainOnDelete === true));
        });

        it("dependency depth from a namespace to the last platform resource is 3 (ns → cert-manager → AMD operator → DeviceConfig)", () => {
            const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
            const inPlatform = (r: RecordedResource) => {
                for (let cur: RecordedResource | undefined = r; cur; cur = byUrn.get(cur.parent)) if (cur.type === "inference-platform:stack:PlatformLayer") return true;
                return false;
            };
            const chain = longestChain(plan.resources, (r) => r.type === "kubernetes:core/v1:Namespace", (r) => r.custom && inPlatform(r));
            const names = chain.map((u) => byUrn.get(u)!.name);
            assert.equal(chain.length - 1, 3, names.join(" → "));
            assert.deepEqual(names, ["cert-manager-ns", "cert-manager", "amd-gpu-operator", "amd-gpu-operator-device-config"]);
        });
    });
});
