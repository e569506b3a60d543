/**
 * Real-world regression corpus (fixtures/upstream/corpus): one case per file, each reproducing a
 * manifest pattern of an upstream project (cited in its `# reproduces:` header), with the expected
 * MANDATORY findings labelled in the header from the README's rules before the pack was run:
 *   # expect: <policy> <Kind>/<name>      (one line per finding; `# expect: none` for a clean case)
 *   # expect-note: <policy> <text>        (the pack must say it could not judge something)
 *   # crossguard: no-installer-dependency (as Pulumi resources, the custom resources do not depend on
 *                                          their CRD installer: rule 12, which needs the resource graph)
 * The test compares the set of (policy, object) mandatory findings exactly, through the YAML path
 * (CLI semantics) and through the CrossGuard policies (Pulumi resources), and prints precision and
 * recall per rule. Fleet: corpus/policy-config.json (pools named after the clouds' own node labels).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { fixtures, pulumiTypeOf, readYaml, validateResource, validateStack, type FakeResource, type Props } from "./harness";
import { evaluate } from "../../policies/lib/evaluate";
import { parsePackConfig } from "../../policies/lib/config";
import { subjectsFromDocument } from "../../policies/lib/workload";
import { policies } from "../../policies/pack";
import { ruleNames, rules } from "../../policies/rules";
import type { StackItem } from "../../policies/lib/rule";

const dir = path.join(fixtures, "upstream", "corpus");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
const rawConfig = JSON.parse(fs.readFileSync(path.join(dir, "policy-config.json"), "utf8")) as { fleet: object };
const cfg = parsePackConfig(rawConfig, ruleNames);
const mandatoryByDefault = new Set(rules.filter((r) => r.enforcementLevel === "mandatory").map((r) => r.name));

interface Case {
    file: string;
    reproduces: string[];
    expect: Set<string>;
    notes: { policy: string; text: string }[];
    /** Custom resources lack dependsOn their installer under CrossGuard (rule 12 must fire there). */
    noInstallerDependency: boolean;
}

function parseCase(file: string): Case {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const header = text.split("\n").filter((l) => l.startsWith("#"));
    const c: Case = { file, reproduces: [], expect: new Set(), notes: [], noInstallerDependency: header.includes("# crossguard: no-installer-dependency") };
    let none = false;
    for (const l of header) {
        let m: RegExpExecArray | null;
        if ((m = /^# reproduces: (.+)$/.exec(l))) c.reproduces.push(m[1]);
        else if (/^# expect: none\s*$/.test(l)) none = true;
        else if ((m = /^# expect: (\S+) (\S+\/\S+)\s*$/.exec(l))) c.expect.add(`${m[1]} ${m[2]}`);
        else if ((m = /^# expect-note: (\S+) (.+)$/.exec(l))) c.notes.push({ policy: m[1], text: m[2].trim() });
    }
    assert.ok(c.reproduces.length > 0 && /\S+\/\S+@\S+:\S+/.test(c.reproduces[0]), `${file}: needs "# reproduces: owner/repo@tag:path"`);
    assert.ok(none !== c.expect.size > 0, `${file}: label the expected findings ("# expect: none" or "# expect: <policy> <Kind>/<name>")`);
    return c;
}

const cases = files.map(parseCase);
const docsOf = (file: string): Props[] => readYaml(path.join(dir, file)).filter((d) => d !== null && typeof d === "object");

function yamlRun(c: Case): { found: Set<string>; notes: string[] } {
    const items: StackItem[] = docsOf(c.file).flatMap((d, i) => subjectsFromDocument(d, c.file.replace(/\.yaml$/, "")).map((subject) => ({ subject, id: `${c.file}#${i + 1}` })));
    const ev = evaluate(items, rules, cfg);
    return { found: new Set(ev.findings.filter((f) => f.enforcement === "mandatory").map((f) => `${f.policy} ${f.kind}/${f.name}`)), notes: ev.notes };
}

/** The same documents as Pulumi resources (custom resources depend on a CRD installer; release documents are Helm v3 Releases). */
function asResources(file: string, noInstallerDependency = false): FakeResource[] {
    const installer: FakeResource = { type: "kubernetes:helm.sh/v3:Release", name: "crd-installer", props: { chart: "operators", values: {} } };
    return [
        installer,
        ...docsOf(file).map((d, i): FakeResource => {
            if (!d.apiVersion && d.chart) return { type: "kubernetes:helm.sh/v3:Release", name: String(d.name ?? `release-${i}`), props: { chart: d.chart, name: d.name, namespace: d.namespace, values: d.values } };
            const type = pulumiTypeOf(d);
            return { type, name: `${String((d.metadata as Props)?.name)}-${i}`, props: d, dependsOn: type.includes("CustomResource") && !noInstallerDependency ? ["crd-installer"] : [] };
        }),
    ];
}

async function crossGuardRun(c: Case): Promise<Set<string>> {
    const found = new Set<string>();
    const resources = asResources(c.file, c.noInstallerDependency);
    for (const p of policies) {
        if (!mandatoryByDefault.has(p.name)) continue;
        const config = rawConfig;
        if ("validateResource" in p) {
            for (const r of resources) {
                const out = await validateResource(p.name, r.type, r.props, config, r.name);
                if (out.violations.length === 0) continue;
                const props = r.props;
                const name = props.metadata ? String((props.metadata as Props).name) : String(props.name);
                const kind = props.kind ? String(props.kind) : "HelmRelease";
                found.add(`${p.name} ${kind}/${name}`);
            }
        } else {
            const out = await validateStack(p.name, resources, config);
            if (out.violations.length > 0) found.add(`${p.name} (stack)`);
        }
    }
    return found;
}

/** Project "policy Kind/name" onto what a stack policy reports under CrossGuard (the policy only). */
function crossGuardView(s: Set<string>): Set<string> {
    const stackRules = new Set(rules.filter((r) => r.scope !== "resource").map((r) => r.name));
    return new Set([...s].map((k) => (stackRules.has(k.split(" ")[0]) ? `${k.split(" ")[0]} (stack)` : k)));
}

const sorted = (s: Set<string>): string[] => [...s].sort();

describe("policies: real-world corpus", function () {
    this.timeout(120_000);
    const stats = new Map<string, { tp: number; fp: number; fn: number }>();
    const stat = (policy: string) => stats.get(policy) ?? (stats.set(policy, { tp: 0, fp: 0, fn: 0 }), stats.get(policy) as { tp: number; fp: number; fn: number });

    it("has at least 60 cases, each citing its upstream file and labelled", () => {
        assert.ok(cases.length >= 60, `only ${cases.length} cases`);
    });

    it("covers every mandatory rule and every input form of the README", () => {
        const expected = new Set(cases.flatMap((c) => [...c.expect].map((e) => e.split(" ")[0])));
        if (cases.some((c) => c.noInstallerDependency)) expected.add("custom-resources-depend-on-crd-installer");
        for (const r of rules) if (r.enforcementLevel === "mandatory") assert.ok(expected.has(r.name), `no case expects ${r.name}`);
        const kinds = new Set(cases.flatMap((c) => docsOf(c.file).map((d) => (d.kind ? `${String(d.apiVersion).split("/")[0]}/${String(d.kind)}` : "helm-release"))));
        for (const k of ["v1/Pod", "apps/Deployment", "apps/StatefulSet", "leaderworkerset.x-k8s.io/LeaderWorkerSet", "ray.io/RayCluster", "ray.io/RayService", "serving.kserve.io/InferenceService", "serving.kserve.io/LLMInferenceService", "apps.nvidia.com/NIMService", "keda.sh/ScaledObject", "autoscaling/HorizontalPodAutoscaler", "resource.k8s.io/ResourceClaimTemplate", "helm-release"]) {
            assert.ok(kinds.has(k), `no case has a ${k}`);
        }
    });

    for (const c of cases) {
        it(`${c.file}: exactly the labelled mandatory findings (YAML and CrossGuard)`, async () => {
            const { found, notes } = yamlRun(c);
            for (const e of c.expect) (found.has(e) ? (stat(e.split(" ")[0]).tp++) : stat(e.split(" ")[0]).fn++);
            for (const f of found) if (!c.expect.has(f)) stat(f.split(" ")[0]).fp++;
            assert.deepEqual(sorted(found), sorted(c.expect), `${c.file} (YAML path)`);
            for (const n of c.notes) {
                assert.ok(notes.some((x) => x.startsWith(`${n.policy}:`) && x.includes(n.text)), `${c.file}: expected a note from ${n.policy} mentioning "${n.text}", got:\n${notes.join("\n")}`);
            }
            const graph = "custom-resources-depend-on-crd-installer";
            const cgExpected = crossGuardView(c.expect);
            if (c.noInstallerDependency) cgExpected.add(`${graph} (stack)`);
            const cg = await crossGuardRun(c);
            if (c.noInstallerDependency) (cg.has(`${graph} (stack)`) ? stat(graph).tp++ : stat(graph).fn++);
            else if (cg.has(`${graph} (stack)`)) stat(graph).fp++;
            assert.deepEqual(sorted(cg), sorted(cgExpected), `${c.file} (CrossGuard)`);
        });
    }

    after(() => {
        const rows = [...stats.entries()].sort().map(([p, s]) => {
            const precision = s.tp + s.fp === 0 ? "-" : (s.tp / (s.tp + s.fp)).toFixed(2);
            const recall = s.tp + s.fn === 0 ? "-" : (s.tp / (s.tp + s.fn)).toFixed(2);
            return `      ${p.padEnd(36)} expected ${String(s.tp + s.fn).padStart(3)}  reported ${String(s.tp + s.fp).padStart(3)}  precision ${precision}  recall ${recall}`;
        });
        const expected = cases.reduce((n, c) => n + c.expect.size, 0);
        console.log(`\n    corpus: ${cases.length} files, ${expected} expected mandatory findings\n${rows.join("\n")}`);
    });
});
