/** Rules 11–13 (stack policies) through the CrossGuard harness, each both ways. */
import { strict as assert } from "node:assert";
import { validateStack, h100Config, urnOf, type FakeResource, type Props } from "./harness";
import { container, CR, DEPLOY, RELEASE, statefulSet, STS } from "./builders";

const scaledObject = (target: string, min: number, max: number, kind?: string): FakeResource => ({
    type: CR,
    name: `so-${target}`,
    props: { apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", metadata: { name: `so-${target}`, namespace: "inference" }, spec: { scaleTargetRef: { name: target, ...(kind ? { kind } : {}) }, minReplicaCount: min, maxReplicaCount: max } },
});
const deployment = (name: string, gpus: number, replicas = 1): FakeResource => {
    const s = statefulSet({ name, replicas, containers: [container({ gpus: String(gpus) })] });
    return { type: DEPLOY, name, props: { ...s, kind: "Deployment" } };
};

describe("policies: stack rules (CrossGuard)", () => {
    describe("11 fleet-capacity (min mandatory, max advisory)", () => {
        // h100Config: 3 nodes × 8 = 24 GPUs.
        it("passes when minimum and maximum replicas fit", async () => {
            const rs = [deployment("a", 8, 2), deployment("b", 4, 1), scaledObject("b", 1, 2)];
            assert.deepEqual((await validateStack("fleet-capacity-at-min-replicas", rs, h100Config)).violations, []);
            assert.deepEqual((await validateStack("fleet-capacity-at-max-replicas", rs, h100Config)).violations, []);
        });
        it("fails at minimum replicas, naming the pool, the numbers and the biggest users", async () => {
            const r = await validateStack("fleet-capacity-at-min-replicas", [deployment("a", 8, 3), deployment("b", 4, 1)], h100Config);
            assert.match(r.violations.map((v) => v.message).join("\n"), /pool "h100" needs 28 GPUs at minimum replicas but has 24 \(3 nodes × 8\); biggest users: Deployment inference\/a pod: 3 pod\(s\) × 8/);
        });
        it("uses KEDA minReplicaCount/maxReplicaCount: max over the fleet is an advisory finding only", async () => {
            const rs = [deployment("a", 8, 1), scaledObject("a", 1, 5)];
            assert.deepEqual((await validateStack("fleet-capacity-at-min-replicas", rs, h100Config)).violations, []);
            const r = await validateStack("fleet-capacity-at-max-replicas", rs, h100Config);
            assert.match(r.violations[0]?.message ?? "", /needs 40 GPUs at maximum \(autoscaling\) replicas but has 24/);
        });
        it("uses KServe minReplicas/maxReplicas", async () => {
            const isvc: FakeResource = { type: CR, name: "i", props: { apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", metadata: { name: "i" }, spec: { predictor: { minReplicas: 2, maxReplicas: 7, nodeSelector: { "inference-platform/pool": "h100" }, model: { modelFormat: { name: "huggingface" }, resources: { limits: { "nvidia.com/gpu": "4" } } } } } } };
            assert.deepEqual((await validateStack("fleet-capacity-at-min-replicas", [isvc], h100Config)).violations, []);
            assert.match((await validateStack("fleet-capacity-at-max-replicas", [isvc], h100Config)).violations[0]?.message ?? "", /needs 28 GPUs/);
        });
        it("counts DRA claims from ResourceClaimTemplates, per vendor", async () => {
            const tmpl: FakeResource = { type: "kubernetes:resource.k8s.io/v1:ResourceClaimTemplate", name: "double-gpu", props: { metadata: { name: "double-gpu", namespace: "inference" }, spec: { spec: { devices: { requests: [{ name: "g", exactly: { deviceClassName: "gpu.nvidia.com", count: 2 } }] } } } } };
            const s = statefulSet({ name: "d", replicas: 13, nodeSelector: null, resourceClaims: [{ name: "g", resourceClaimTemplateName: "double-gpu" }], containers: [container({ claims: ["g"] })] });
            const r = await validateStack("fleet-capacity-at-min-replicas", [tmpl, { type: STS, name: "d", props: s }], h100Config);
            assert.match(r.violations.map((v) => v.message).join("\n"), /needs 26 nvidia GPUs at minimum replicas but the fleet has 24/);
        });
        it("is not applicable without a fleet when there are GPU workloads", async () => {
            const r = await validateStack("fleet-capacity-at-min-replicas", [deployment("a", 8, 9)], {});
            assert.match(r.notApplicable ?? "", /no fleet/);
        });
    });

    describe("12 custom-resources-depend-on-crd-installer", () => {
        const P = "custom-resources-depend-on-crd-installer";
        const lwsRelease: FakeResource = { type: RELEASE, name: "lws", props: { chart: "oci://registry.k8s.io/lws/charts/lws", values: {} } };
        const lwsCr = (extra: Partial<FakeResource> = {}): FakeResource => ({ type: CR, name: "big", props: { apiVersion: "leaderworkerset.x-k8s.io/v1", kind: "LeaderWorkerSet", metadata: { name: "big" } }, ...extra });
        const comp = (name: string, extra: Partial<FakeResource> = {}): FakeResource => ({ type: "inference-platform:engine:VllmMultiNode", name, props: {}, ...extra });
        it("passes a CR that depends on the Release installing its CRD", async () => {
            assert.deepEqual((await validateStack(P, [lwsRelease, lwsCr({ dependsOn: ["lws"] })])).violations, []);
        });
        it("passes through the parent chain and transitive dependencies", async () => {
            assert.deepEqual((await validateStack(P, [lwsRelease, comp("engine", { dependsOn: ["lws"] }), lwsCr({ parent: "engine" })])).violations, []);
            assert.deepEqual((await validateStack(P, [lwsRelease, comp("ns", { dependsOn: ["lws"] }), lwsCr({ dependsOn: ["ns"] })])).violations, []);
        });
        it("passes CRs rendered by a Helm v4 Chart or yaml ConfigGroup", async () => {
            const chart: FakeResource = { type: "kubernetes:helm.sh/v4:Chart", name: "kps", props: { chart: "kube-prometheus-stack" } };
            const pm: FakeResource = { type: CR, name: "pm", parent: "kps", props: { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor" } };
            assert.deepEqual((await validateStack(P, [chart, pm])).violations, []);
        });
        it("fails a CR without the dependency, with its URN and the fix", async () => {
            const r = await validateStack(P, [lwsRelease, lwsCr()]);
            assert.equal(r.violations.length, 1);
            assert.equal(r.violations[0].urn, urnOf(CR, "big"));
            assert.match(r.violations[0].message, /LeaderWorkerSet "big" \(leaderworkerset\.x-k8s\.io\) does not depend on what installs its CRD \(one of: lws\).*dependsOn/);
        });
        it("when the CRD itself is in the stack, depending on another installer is not enough", async () => {
            const crds: FakeResource = { type: "kubernetes:yaml/v2:ConfigGroup", name: "gaie-crds", props: {} };
            const crd: FakeResource = { type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", name: "inferencepools", parent: "gaie-crds", props: { spec: { group: "inference.networking.k8s.io", names: { kind: "InferencePool" } } } };
            const pool = (deps: string[]): FakeResource => ({ type: CR, name: "pool", dependsOn: deps, props: { apiVersion: "inference.networking.k8s.io/v1", kind: "InferencePool" } });
            assert.match((await validateStack(P, [lwsRelease, crds, crd, pool(["lws"])])).violations[0]?.message ?? "", /does not depend on what installs its CRD \(inferencepools/);
            assert.deepEqual((await validateStack(P, [lwsRelease, crds, crd, pool(["gaie-crds"])])).violations, []);
            assert.deepEqual((await validateStack(P, [lwsRelease, crds, crd, pool(["inferencepools"])])).violations, []);
        });
        it("ignores built-in kinds (crd2pulumi-style typed CRs are checked)", async () => {
            assert.deepEqual((await validateStack(P, [{ type: STS, name: "s", props: statefulSet() }, { type: "kubernetes:networking.k8s.io/v1:Ingress", name: "i", props: {} }])).violations, []);
            assert.equal((await validateStack(P, [{ type: "kubernetes:monitoring.coreos.com/v1:PodMonitor", name: "pm", props: {} }])).violations.length, 1);
        });
    });

    describe("13 engines-scraped (advisory)", () => {
        const P = "engines-scraped";
        const sts: FakeResource = { type: STS, name: "llm", props: statefulSet() };
        const podMonitor = (matchLabels: Record<string, string>, ns = "inference", nsSel?: Props): FakeResource => ({
            type: CR,
            name: "pm",
            props: { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata: { name: "pm", namespace: ns }, spec: { selector: { matchLabels }, ...(nsSel ? { namespaceSelector: nsSel } : {}), podMetricsEndpoints: [{ port: "http" }] } },
        });
        it("passes an engine selected by a PodMonitor", async () => {
            assert.deepEqual((await validateStack(P, [sts, podMonitor({ app: "llm" })])).violations, []);
            assert.deepEqual((await validateStack(P, [sts, podMonitor({ app: "llm" }, "monitoring", { matchNames: ["inference"] })])).violations, []);
        });
        it("passes an engine selected by a ServiceMonitor through a Service", async () => {
            const svc: FakeResource = { type: "kubernetes:core/v1:Service", name: "svc", props: { metadata: { name: "svc", namespace: "inference", labels: { scrape: "yes" } }, spec: { selector: { app: "llm" } } } };
            const sm: FakeResource = { type: CR, name: "sm", props: { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "sm", namespace: "inference" }, spec: { selector: { matchLabels: { scrape: "yes" } }, endpoints: [{ port: "http" }] } } };
            assert.deepEqual((await validateStack(P, [sts, svc, sm])).violations, []);
            const noSm = await validateStack(P, [sts, svc]);
            assert.equal(noSm.violations.length, 1);
        });
        it("fails an engine no monitor selects, naming its labels", async () => {
            const r = await validateStack(P, [sts, podMonitor({ app: "other" })]);
            assert.equal(r.violations[0]?.urn, urnOf(STS, "llm"));
            assert.match(r.violations[0]?.message ?? "", /StatefulSet inference\/llm runs an inference engine but no PodMonitor.*\{"app":"llm"\}/);
        });
        it("fails a PodMonitor in another namespace without a namespaceSelector", async () => {
            assert.equal((await validateStack(P, [sts, podMonitor({ app: "llm" }, "monitoring")])).violations.length, 1);
        });
        it("accepts chart/operator monitoring (llm-d podmonitor, NIM metrics) and flags NIM without metrics", async () => {
            const llmd: FakeResource = { type: RELEASE, name: "ms", props: { chart: "llm-d-modelservice", values: { decode: { monitoring: { podmonitor: { enabled: true } }, containers: [{ name: "vllm", image: "ghcr.io/llm-d/llm-d-cuda:v0.3.0" }] } } } };
            assert.deepEqual((await validateStack(P, [llmd])).violations, []);
            const nim = (metrics: boolean): FakeResource => ({ type: CR, name: "nim", props: { apiVersion: "apps.nvidia.com/v1alpha1", kind: "NIMService", metadata: { name: "nim" }, spec: { image: { repository: "nvcr.io/nim/meta/llama-3.1-8b-instruct", tag: "1.8.5" }, metrics: { enabled: metrics } } } });
            assert.deepEqual((await validateStack(P, [nim(true)])).violations, []);
            assert.match((await validateStack(P, [nim(false)])).violations[0]?.message ?? "", /spec\.metrics\.enabled: true/);
        });
        it("does not count Ray workers (ray start without --head) as engines, but does count the head", async () => {
            const ray = (name: string, cmd: string): FakeResource => ({ type: STS, name, props: statefulSet({ name, containers: [container({ gpus: "8", command: ["/bin/bash", "-c"], args: [cmd] })] }) });
            assert.deepEqual((await validateStack(P, [ray("w", "ray start --address=head:6379 --num-gpus=8 --block")])).violations, []);
            assert.equal((await validateStack(P, [ray("h", "ray start --head --port=6379; vllm serve m --tensor-parallel-size 8 --pipeline-parallel-size 2")])).violations.length, 1);
        });
        it("ignores non-engine workloads", async () => {
            assert.deepEqual((await validateStack(P, [{ type: DEPLOY, name: "web", props: { metadata: { name: "web" }, spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } } } }])).violations, []);
        });
    });
});
