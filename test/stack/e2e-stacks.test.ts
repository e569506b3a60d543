/**
 * The e2e stacks (stacks/e2e/*.yaml) stay valid as the program changes, and the platform stack
 * keeps covering every chart the project pins that ../shared/charts packages (docs/e2e.md).
 * The real install is `npm run e2e`; this is the cheap offline guard.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { planExample } from "../helpers";
import { charts } from "../../components/versions";
import { absoluteSources } from "../../scripts/e2e/stackfile";

const ROOT = path.resolve(__dirname, "../..");
const SHARED_CHARTS = path.resolve(ROOT, "../shared/charts");
/** Pinned charts the platform e2e stack cannot install, and why (printed by scripts/e2e.sh too). */
const OUT_OF_E2E: Record<string, string> = {
    intelGaudiOperator: "published only in Habana's own Helm repository; not in ../shared/charts",
    dynamoCrds: "Dynamo 0.7.1 source snapshot over the fetch limit; not in ../shared/charts",
    dynamoPlatform: "Dynamo 0.7.1 source snapshot over the fetch limit; not in ../shared/charts",
    kgatewayCrds: "the e2e's gateway provider is Istio (the shipped stacks' default); not in ../shared/charts",
    kgateway: "the e2e's gateway provider is Istio (the shipped stacks' default); not in ../shared/charts",
    agentgatewayCrds: "the e2e's gateway provider is Istio (the shipped stacks' default); not in ../shared/charts",
    agentgateway: "the e2e's gateway provider is Istio (the shipped stacks' default); not in ../shared/charts",
};

describe("stacks/e2e", () => {
    it("e2e.yaml plans: engines only, no chart", async () => {
        const plan = await planExample("stacks/e2e/e2e.yaml");
        assert.equal(plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").length, 0);
        assert.ok(plan.resources.some((r) => r.type === "kubernetes:apps/v1:StatefulSet"));
    });

    const present = fs.existsSync(SHARED_CHARTS);
    if (!present) process.stderr.write(`\n  !! ${SHARED_CHARTS} not found: the platform e2e stack's local chart sources cannot be checked; skipped\n`);
    (present ? it : it.skip)("platform.yaml plans, installs every pinned chart but the ones out of the e2e, each from its local archive", async () => {
        const plan = await planExample("stacks/e2e/platform.yaml");
        const releases = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
        const used = new Set(releases.map((r) => String(r.inputs["chart"])));
        for (const c of used) assert.match(c, /^\.\.\/shared\/charts\/[^/]+\.tgz$/, `release chart ${c} is not a local archive`);
        const wanted = Object.keys(charts).filter((k) => !(k in OUT_OF_E2E));
        const sources = (plan.config.platform.sources.charts ?? {}) as Record<string, { chart?: string }>;
        for (const k of wanted) {
            assert.ok(sources[k]?.chart, `platform.sources.charts.${k} missing from stacks/e2e/platform.yaml`);
            assert.ok(used.has(sources[k].chart!), `chart ${k} (${sources[k].chart}) is not installed by the platform e2e stack`);
        }
        // Every serving mode with charts here, and the Knative path of KServe.
        const modes = new Set(plan.config.models.map((m) => m.serving));
        for (const m of ["engine", "kserve", "llmisvc", "llmd", "rayserve", "nim"]) assert.ok(modes.has(m as never), `no model with serving: ${m}`);
        assert.equal(plan.config.platform.kserve.mode, "Knative");
        // cluster.skipAwait reaches every Kubernetes object, custom resources included: a destroy on
        // the e2e API server (no garbage collector) otherwise waits forever on foreground deletion.
        const objects = plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !/^kubernetes:(helm\.sh|yaml)\//.test(r.type));
        const crs = objects.filter((r) => !/^kubernetes:(core|apps|batch|rbac\.authorization\.k8s\.io|policy)\//.test(r.type));
        assert.ok(crs.length >= 15, `custom resources in the platform stack: ${crs.length}`);
        for (const r of objects) {
            const a = ((r.inputs["metadata"] ?? {}) as { annotations?: Record<string, string> }).annotations ?? {};
            assert.equal(a["pulumi.com/deletionPropagationPolicy"], "background", `${r.type} ${r.name}: no background deletion`);
            assert.equal(a["pulumi.com/skipAwait"], "true", `${r.type} ${r.name}: no skipAwait`);
        }
    });

    it("the e2e makes relative chart and manifest paths absolute against the repository root", () => {
        const cfg = {
            platform: {
                sources: {
                    charts: { gpuOperator: { chart: "../shared/charts/gpu-operator-v26.7.0.tgz" }, keda: { chart: "oci://mirror/keda" }, lws: { chart: "/abs/lws.tgz" }, kuberayOperator: { repo: "https://m" } },
                    manifests: { gatewayApi: { url: "crds/gw.yaml" }, gatewayApiInferenceExtension: { url: "https://x/y.yaml" } },
                },
            },
        };
        const changed = absoluteSources(cfg, "/repo/root");
        assert.deepEqual(changed, ["platform.sources.charts.gpuOperator.chart", "platform.sources.manifests.gatewayApi.url"]);
        assert.equal(cfg.platform.sources.charts.gpuOperator.chart, "/repo/shared/charts/gpu-operator-v26.7.0.tgz");
        assert.equal(cfg.platform.sources.charts.keda.chart, "oci://mirror/keda");
        assert.equal(cfg.platform.sources.charts.lws.chart, "/abs/lws.tgz");
        assert.equal(cfg.platform.sources.manifests.gatewayApi.url, "/repo/root/crds/gw.yaml");
        assert.equal(cfg.platform.sources.manifests.gatewayApiInferenceExtension.url, "https://x/y.yaml");
    });
});
