/**
 * What the charts really create, for every shipped stack (Pulumi.*.yaml, stacks/examples/*.yaml):
 * each Helm release rendered with helm template from the pinned charts in ../shared/charts, at the
 * stack's Kubernetes version with CRDs, then
 *  - every object (rendered or created by the program) is a kind the cluster serves or a CRD the
 *    stack installs;
 *  - every custom resource validates against the CRD the stack really installs;
 *  - one owner per CRD across releases;
 *  - the policy pack reaches the same conclusions from the rendered workloads as from values;
 *  - the image inventory has no floating tag.
 * helm comes from the tool cache (scripts/tools/helm.sh): without it these tests are skipped with
 * a loud message, and FAIL on CI.
 */
import { strict as assert } from "node:assert";
import { parsePackConfig } from "../../policies/lib/config";
import { evaluate } from "../../policies/lib/evaluate";
import type { StackItem } from "../../policies/lib/rule";
import { replicaGpus, subjectsFromDocument, workloadsOf } from "../../policies/lib/workload";
import { ruleNames, rules } from "../../policies/rules";
import { policyPackConfig } from "../../stacks/plan/extras";
import { policyItems } from "../../stacks/plan/guardrails";
import { builtinServed, isBuiltinGroup } from "../../stacks/plan/kube-api";
import { renderManifests } from "../../stacks/plan/plan";
import { upstreamChartName } from "../../components/common/helm";
import { splitApiVersion, checkObject } from "../conformance/upstream";
import { dependsOnTransitively, stackFiles } from "../helpers";
import { helmForTests, installedCrds, renderedStack, skippedCharts, validateAgainst, type InstalledCrd } from "./rendered-helpers";

/** CR groups of charts ../shared/charts could not assemble: their CRDs are not rendered (validated against ../shared/upstream where it has them). */
const GROUPS_OF_SKIPPED_CHARTS: Record<string, string[]> = {
    "dynamo-crds": ["nvidia.com/DynamoGraphDeployment", "nvidia.com/DynamoComponentDeployment"],
    "habana-ai-operator": ["habanalabs.habana.ai/"],
};

function objName(doc: Record<string, unknown>): string {
    const md = (doc["metadata"] ?? {}) as { name?: string; namespace?: string };
    return `${doc["kind"]} ${md.namespace ? `${md.namespace}/` : ""}${md.name ?? "?"}`;
}

describe("ops: every Helm release rendered, for every shipped stack", function () {
    this.timeout(600_000);
    let helm: string | undefined;
    before(function () {
        helm = helmForTests();
        if (!helm) this.skip();
    });

    const totals = { releases: 0, objects: 0, crs: 0, images: 0 };
    const duplicates: string[] = [];
    after(() => {
        if (!helm) return;
        console.log(`      rendered ${totals.releases} releases, ${totals.objects} objects, ${totals.crs} custom resources checked, ${totals.images} images inventoried`);
        for (const d of duplicates) console.log(`      duplicate CRD resolved: ${d}`);
    });

    for (const file of stackFiles()) {
        describe(file, () => {
            it("renders every release whose chart is pinned in ../shared/charts", async () => {
                const { render } = await renderedStack(file, helm!);
                const skipped = skippedCharts();
                const problems: string[] = [];
                for (const r of render.rendered.releases) {
                    if (!r.skipped) continue;
                    const id = `${upstreamChartName(r.release.chart)}-${r.release.version}`;
                    if (!skipped.has(id)) problems.push(`${r.release.releaseName}: ${r.skipped}`);
                }
                assert.deepEqual(problems, [], problems.join("\n"));
                const rendered = render.rendered.releases.filter((r) => !r.skipped);
                assert.ok(rendered.length > 0, "no release rendered");
                for (const r of rendered) assert.ok(r.objects.length > 0, `${r.release.releaseName}: rendered no object`);
                totals.releases += rendered.length;
                totals.objects += rendered.reduce((n, r) => n + r.objects.length, 0);
            });

            it("creates only kinds the cluster serves or CRDs the stack installs, and every CR validates against its installed CRD", async () => {
                const { plan, render } = await renderedStack(file, helm!);
                const kube = plan.config.cluster.kubernetesVersion;
                const crds = installedCrds(plan, render);
                const byKind = new Map<string, InstalledCrd>();
                for (const c of crds) if (!byKind.has(`${c.group}/${c.kind}`)) byKind.set(`${c.group}/${c.kind}`, c);
                const notRendered = render.rendered.releases.filter((r) => r.skipped).map((r) => upstreamChartName(r.release.chart));
                const fromSkipped = (group: string, kind: string) =>
                    notRendered.some((c) => (GROUPS_OF_SKIPPED_CHARTS[c] ?? []).some((g) => `${group}/${kind}` === g || `${group}/`.startsWith(g)));
                const objects = [
                    ...renderManifests(plan.resources).filter((m) => m.kind === "object").map((m) => ({ where: `program ${m.file}`, doc: m.doc })),
                    ...render.rendered.releases.flatMap((r) => r.objects.map((o) => ({ where: `${r.release.releaseName} ${o.source}`, doc: o.doc }))),
                ];
                const problems: string[] = [];
                let crs = 0;
                for (const { where, doc } of objects) {
                    const { group, version } = splitApiVersion(String(doc["apiVersion"]));
                    const kind = String(doc["kind"]);
                    const crd = byKind.get(`${group}/${kind}`);
                    if (crd) {
                        if (!crd.versions.includes(version)) {
                            problems.push(`${where}: ${objName(doc)}: ${doc["apiVersion"]} not served by the installed CRD ${crd.name} (${crd.owner}: ${crd.versions.join(", ")})`);
                            continue;
                        }
                        problems.push(...validateAgainst(crd, version, doc).map((e) => `${where}: ${objName(doc)} (CRD from ${crd.owner}): ${e}`));
                        crs++;
                    } else if (isBuiltinGroup(group) && !fromSkipped(group, kind)) {
                        const why = builtinServed(String(doc["apiVersion"]), kube);
                        if (why) problems.push(`${where}: ${objName(doc)}: ${why} (cluster ${kube})`);
                    } else if (fromSkipped(group, kind)) {
                        // The CRD's chart is not in ../shared/charts: validate against ../shared/upstream instead.
                        const r = checkObject(doc);
                        if (r.status === "invalid") problems.push(...r.errors.map((e) => `${where}: ${e}`));
                        crs++;
                    } else problems.push(`${where}: ${objName(doc)}: ${doc["apiVersion"]} is neither served by Kubernetes ${kube} nor a CRD this stack installs`);
                }
                assert.deepEqual(problems, [], problems.join("\n"));
                totals.crs += crs;
            });

            it("installs each CRD from one owner", async () => {
                const { plan, render } = await renderedStack(file, helm!);
                const byName = new Map<string, InstalledCrd[]>();
                for (const c of installedCrds(plan, render)) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
                const urnOf = new Map(render.rendered.releases.map((r) => [r.release.releaseName, r.release.urn]));
                const problems: string[] = [];
                for (const [name, copies] of byName) {
                    const owners = [...new Set(copies.map((c) => c.owner))];
                    if (owners.length < 2) continue;
                    // Resolved: one owner installs it first (every other release depends on it) and the
                    // others ship it in crds/, which helm install skips when the CRD exists.
                    const owner = owners.find((o) =>
                        copies.filter((c) => c.owner !== o).every((c) => {
                            const rel = plan.resources.find((r) => r.urn === urnOf.get(c.owner));
                            return /^[^/]+\/crds\//.test(c.source ?? "") && rel !== undefined && dependsOnTransitively(rel, plan.resources, (u) => u === urnOf.get(o));
                        }),
                    );
                    if (!owner) problems.push(`${name}: installed by ${owners.join(", ")} (${copies.map((c) => c.source ?? c.owner).join(", ")})`);
                    else duplicates.push(`${file}: ${name}: ${owner} owns it; ${owners.filter((o) => o !== owner).join(", ")} skip their copy (crds/, installed after)`);
                }
                assert.deepEqual(problems, [], `CRDs with more than one owner:\n${problems.join("\n")}`);
            });

            it("policies conclude the same from the rendered workloads as from the release values", async () => {
                const { plan, render } = await renderedStack(file, helm!);
                const cfg = parsePackConfig(JSON.parse(JSON.stringify(policyPackConfig(plan.config.fleet))), ruleNames);
                const fromValues = policyItems(plan.resources);
                const rendered = new Set(render.rendered.releases.filter((r) => !r.skipped).map((r) => r.release.releaseName));
                // Releases that rendered are replaced by their objects; the program's own objects stay.
                const fromRendered: StackItem[] = [
                    ...fromValues.filter((i) => i.subject.form !== "helm" || !rendered.has(i.subject.ref.name)),
                    ...render.rendered.releases.flatMap((r) => r.objects.flatMap((o, n) => subjectsFromDocument(o.doc, `${r.release.releaseName}-${n}`).map((subject) => ({ subject, id: `${r.release.releaseName}#${n}` })))),
                ];
                const gpus = (items: StackItem[]) =>
                    items.flatMap((i) => workloadsOf(i.subject)).filter((w) => w.engine).reduce((n, w) => n + replicaGpus(w) * w.replicas.min, 0);
                assert.equal(gpus(fromRendered), gpus(fromValues), "GPUs requested by engine workloads: rendered vs values");
                const summary = (items: StackItem[]) =>
                    [...new Set(evaluate(items, rules, cfg).findings.map((f) => `${f.enforcement} ${f.policy}`))].sort();
                assert.deepEqual(summary(fromRendered), summary(fromValues));
            });

            it("pulls no floating (untagged or :latest) image", async () => {
                const { render } = await renderedStack(file, helm!);
                const floating = render.images.filter((i) => i.floating).map((i) => `${i.image}: ${i.sources.join("; ")}`);
                assert.deepEqual(floating, [], floating.join("\n"));
                assert.ok(render.images.length > 0, "no image found");
                totals.images += render.images.length;
            });
        });
    }
});
