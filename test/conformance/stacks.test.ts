/**
 * Conformance of every stack config in the repo (Pulumi.*.yaml and stacks/examples/*.yaml):
 * plan it, then check every custom resource against its upstream CRD schema and every Helm
 * values path against the chart's upstream defaults.
 */
import { strict as assert } from "node:assert";
import { planExample, stackFiles } from "../helpers";
import { checkObject, checkValuesKeys, hasChartDefaults, upstreamDir } from "./upstream";
import { upstreamChartName } from "../../components/common/helm";

/** Charts with no upstream defaults in shared/ (README of shared/upstream); their components pin values in tests. */
const NO_UPSTREAM_CHART = new Set(["habana-ai-operator", "base", "istiod", "kgateway", "kgateway-crds", "agentgateway", "agentgateway-crds", "knative-operator", "dynamo-platform", "dynamo-crds", "kserve-crd", "kserve-llmisvc-crd", "kserve-runtime-configs"]);

describe("conformance: every stack config against upstream schemas", function () {
    before(() => upstreamDir()); // fails loudly when shared/upstream is missing

    for (const file of stackFiles()) {
        it(`${file}: custom resources validate and chart values exist upstream`, async () => {
            const plan = await planExample(file);
            const problems: string[] = [];
            let checked = 0;
            for (const m of plan.manifests) {
                if (m.kind === "object") {
                    const r = checkObject(m.doc);
                    if (r.status === "invalid") problems.push(...r.errors.map((e) => `${m.file}: ${e}`));
                    if (r.status === "valid") checked++;
                } else {
                    const chart = upstreamChartName(String(m.doc["chart"]));
                    const version = String(m.doc["version"]);
                    if (NO_UPSTREAM_CHART.has(chart)) continue;
                    if (!hasChartDefaults(chart, version)) {
                        problems.push(`${m.file}: chart ${chart} ${version} has no upstream defaults in shared/upstream/charts; pin a version that does`);
                        continue;
                    }
                    problems.push(...checkValuesKeys(chart, version, m.doc["values"]).map((e) => `${m.file}: ${e}`));
                    checked++;
                }
            }
            assert.deepEqual(problems, [], problems.join("\n"));
            assert.ok(plan.resources.length > 0, "the plan registered nothing");
            void checked;
        });
    }
});
