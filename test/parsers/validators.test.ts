/**
 * Level 4 (parsers), component validators: what the project generates for every stack of the
 * corpus (shipped stacks, option stacks, and their autoscaled variants: test/parsers/corpus.ts) is
 * run through the pinned components' OWN code (docs/conformance.md, "Component validators"), in two
 * Go binaries built by scripts/tools/validators.sh (`npm run tools`):
 *  - `kserve` (github.com/kserve/kserve@v0.20.0 on its own pins): the InferenceService mutating +
 *    validating webhooks, then the predictor reconciler on a fake API server; what it builds
 *    (KEDA ScaledObject, HPA, Knative Service, Deployment, Service) goes on to
 *  - `keda-knative-kuberay`: KEDA v2.20.2's ScaledObject webhook and scaler builder (Prometheus
 *    trigger metadata), Knative Serving v0.47.0's Service webhook with the config the stack's
 *    KnativeServing sets, KubeRay ray-operator v1.6.0's RayService/RayCluster validation (v1.7.0,
 *    the chart's, is refused by the Go module proxy).
 * (Ray Serve's own config model: validators-ray.test.ts.) Missing binaries skip loudly here and
 * fail on CI.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ROOT } from "../helpers";
import { corpus, objects, type CorpusStack } from "./corpus";
import { requireTool, sharedChartsDir } from "./tools";
import { charts, componentVersions } from "../../components/versions";

type Obj = Record<string, any>;

/** A file inside one of the pinned chart archives in ../shared/charts. */
function chartFile(tgz: string, file: string): string {
    const archive = path.join(sharedChartsDir(), tgz);
    if (!fs.existsSync(archive)) throw new Error(`${archive} is missing: the component-validator tier needs the pinned charts in ../shared/charts`);
    return execFileSync("tar", ["-xzOf", archive, file], { encoding: "utf8", maxBuffer: 64 << 20 });
}

/**
 * KServe's inferenceservice-config and ClusterServingRuntimes as the pinned charts ship them (the
 * charts' base files; the project's values only patch image tags and ingress, which no validator
 * here reads).
 */
function kserveInputs(): { configMap: unknown; runtimes: unknown[] } {
    const tag = charts.kserveResources.upstream.version;
    const cm = YAML.parse(chartFile(`kserve-resources-v${tag}.tgz`, "kserve-resources/files/common/configmap.yaml"));
    const runtimes = YAML.parseAllDocuments(chartFile(`kserve-runtime-configs-v${tag}.tgz`, "kserve-runtime-configs/files/runtimes/resources.yaml"))
        .map((d) => d.toJSON())
        .filter((d) => d && d.kind === "ClusterServingRuntime");
    assert.ok(runtimes.length > 5, "no ClusterServingRuntimes found in the kserve-runtime-configs chart");
    return { configMap: cm, runtimes };
}

export interface Verdict {
    validator: string;
    kind: string;
    namespace?: string;
    name: string;
    errors: string[];
    warnings?: string[];
    derived?: Obj[];
    info?: Obj;
}

interface Bins {
    kserve: string;
    kedaKnativeKuberay: string;
}

function bins(ctx: Mocha.Context): Bins {
    const dir = requireTool(ctx, "validators");
    return { kserve: path.join(dir, "kserve"), kedaKnativeKuberay: path.join(dir, "keda-knative-kuberay") };
}

function run(bin: string, input: unknown): { versions: Record<string, string>; verdicts: Verdict[] } {
    const r = spawnSync(bin, [], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`${path.basename(bin)} exited ${r.status}: ${r.stderr.slice(-4000)}`);
    return JSON.parse(r.stdout);
}

/**
 * One stack through both binaries, as in a cluster: KServe first; then the stack's objects plus
 * what KServe's reconciler built go to KEDA / Knative / KubeRay.
 */
function check(b: Bins, objs: Obj[], kserve: ReturnType<typeof kserveInputs>): { verdicts: Verdict[]; derived: Obj[] } {
    const a = run(b.kserve, { objects: objs, kserve });
    const derived = a.verdicts.flatMap((v) => v.derived ?? []);
    const rest = run(b.kedaKnativeKuberay, { objects: [...objs, ...derived] });
    return { verdicts: [...a.verdicts, ...rest.verdicts], derived };
}

const V_KSERVE_WEBHOOK = "kserve@v0.20.0 InferenceService webhooks";
const V_KSERVE_BUILD = "kserve@v0.20.0 predictor reconciler";
const V_KEDA_WEBHOOK = "keda@v2.20.2 ScaledObject webhook";
const V_KEDA_SCALER = "keda@v2.20.2 scaler builder";
const V_KNATIVE = "knative serving@v0.47.0 Service webhook";
const V_KUBERAY = "kuberay ray-operator@v1.6.0";

/** Which validator must answer for an object of this kind (group-qualified). */
function validatorsFor(o: Obj): string[] {
    const group = String(o.apiVersion).split("/")[0];
    if (o.kind === "InferenceService" && group === "serving.kserve.io") return [V_KSERVE_WEBHOOK, V_KSERVE_BUILD];
    if (o.kind === "ScaledObject" && group === "keda.sh") return [V_KEDA_WEBHOOK, V_KEDA_SCALER];
    if (o.kind === "Service" && group === "serving.knative.dev") return [V_KNATIVE];
    if ((o.kind === "RayService" || o.kind === "RayCluster") && group === "ray.io") return [V_KUBERAY];
    return [];
}

/**
 * Checks that compare what the project asked for with what the component really builds (the
 * validators accept both, so a verdict alone would not catch these): an InferenceService's KEDA
 * `target.type` must be the one KServe's KEDA reconciler + KEDA's Prometheus scaler put in the HPA.
 */
export function contractProblems(objs: Obj[], verdicts: Verdict[]): string[] {
    const problems: string[] = [];
    for (const isvc of objs.filter((o) => o.kind === "InferenceService")) {
        const name = isvc.metadata.name as string;
        const build = verdicts.find((v) => v.validator.startsWith(V_KSERVE_BUILD) && v.name === name);
        if (!build || build.errors.length) continue;
        const metrics = (isvc.spec?.predictor?.autoScaling?.metrics ?? []) as Obj[];
        const so = build.derived?.find((d) => d.kind === "ScaledObject");
        for (const m of metrics) {
            if (m.type !== "External") continue;
            if (!so) {
                problems.push(`InferenceService ${name}: asks for an External (KEDA) metric but KServe's reconciler built no ScaledObject`);
                continue;
            }
            const scaler = verdicts.find((v) => v.validator.startsWith(V_KEDA_SCALER) && v.name === so.metadata.name);
            const emitted = ((scaler?.info?.["hpaMetrics"] ?? []) as Obj[]).map((x) => x.external?.target?.type);
            const asked = m.external?.target?.type;
            if (!emitted.includes(asked)) {
                problems.push(`InferenceService ${name}: autoScaling target.type ${asked} is not what KServe's KEDA reconciler builds (the HPA gets ${emitted.join(", ") || "nothing"})`);
            }
        }
    }
    return problems;
}

/** Problems of one checked stack: validator errors, contract mismatches, objects nobody checked. */
function problemsOf(label: string, objs: Obj[], r: { verdicts: Verdict[]; derived: Obj[] }): string[] {
    const problems: string[] = [];
    for (const v of r.verdicts) for (const e of v.errors) problems.push(`${label}: ${v.validator}: ${v.kind} ${v.name}: ${e.split("\n")[0]}`);
    problems.push(...contractProblems(objs, r.verdicts).map((p) => `${label}: ${p}`));
    for (const o of [...objs, ...r.derived]) {
        for (const want of validatorsFor(o)) {
            if (!r.verdicts.some((v) => v.validator.startsWith(want) && v.kind === o.kind && v.name === o.metadata.name)) {
                problems.push(`${label}: ${o.kind} ${o.metadata.name}: no verdict from ${want}`);
            }
        }
    }
    return problems;
}

describe("parsers: component validators (KServe, KEDA, Knative, KubeRay) on every stack and option", function () {
    this.timeout(900_000);
    let b: Bins;
    let kserve: ReturnType<typeof kserveInputs>;
    let stacks: CorpusStack[];

    before(async function () {
        b = bins(this);
        kserve = kserveInputs();
        stacks = await corpus();
    });

    it("the binaries are built from the pinned modules", function () {
        const a = JSON.parse(execFileSync(b.kserve, ["--versions"], { encoding: "utf8" }));
        assert.equal(a["github.com/kserve/kserve"], `v${charts.kserveResources.upstream.version}`);
        // KServe's own pins (github.com/kserve/kserve@v0.20.0:go.mod replaces).
        assert.equal(a["sigs.k8s.io/controller-runtime"], "v0.22.5");
        assert.equal(a["github.com/kedacore/keda/v2"], "v2.18.0");
        const k = JSON.parse(execFileSync(b.kedaKnativeKuberay, ["--versions"], { encoding: "utf8" }));
        assert.equal(k["github.com/kedacore/keda/v2"], `v${charts.keda.version}`);
        assert.equal(k["sigs.k8s.io/controller-runtime"], "v0.23.3");
        // knative-operator v1.20.0 installs Knative Serving 1.20.0 = module knative.dev/serving v0.47.0,
        // with the knative.dev/networking revision its go.mod requires.
        assert.equal(componentVersions.knativeServing, "1.20.0");
        assert.equal(k["knative.dev/serving"], "v0.47.0");
        assert.equal(k["knative.dev/networking"], "v0.0.0-20251021092443-0bde19154dce");
        assert.equal(k["github.com/ray-project/kuberay/ray-operator"], "v1.6.0");
        assert.equal(charts.kuberayOperator.version, "1.7.0", "KubeRay moved: re-check which ray-operator module the proxy serves and update kuberay.go");
    });

    it("the two modules share one copy of common.go", function () {
        const dir = path.join(ROOT, "scripts", "parsers", "validators");
        assert.equal(fs.readFileSync(path.join(dir, "kserve", "common.go"), "utf8"), fs.readFileSync(path.join(dir, "keda-knative-kuberay", "common.go"), "utf8"));
    });

    it("every stack and option: each component's validator accepts what the project generates", function () {
        const problems: string[] = [];
        const counts: string[] = [];
        for (const s of stacks) {
            const objs = objects(s) as Obj[];
            const r = check(b, objs, kserve);
            problems.push(...problemsOf(s.file, objs, r));
            const per = new Map<string, number>();
            for (const v of r.verdicts) per.set(v.validator.split(" ")[0], (per.get(v.validator.split(" ")[0]) ?? 0) + 1);
            counts.push(`${s.file}: ${r.verdicts.length} verdicts (${[...per].map(([k, n]) => `${k} ${n}`).join(", ")}); KServe built ${r.derived.map((d) => d.kind).join(", ") || "nothing"}`);
        }
        if (process.env["VALIDATORS_REPORT"]) console.log(counts.join("\n"));
        assert.deepEqual(problems, [], problems.join("\n"));
        // The tier checks something of each kind somewhere in the corpus.
        const all = stacks.flatMap((s) => objects(s) as Obj[]);
        for (const kind of ["InferenceService", "ScaledObject", "RayService"]) assert.ok(all.some((o) => o.kind === kind), `no ${kind} in the corpus`);
    });
});

/** A deep copy of the first generated object of `kind` (matching `pick`) in any stack, changed by `edit`. */
function mutated(stacks: CorpusStack[], kind: string, edit: (o: Obj) => void, pick: (o: Obj) => boolean = () => true): { objs: Obj[]; obj: Obj } {
    for (const s of stacks) {
        const objs = objects(s) as Obj[];
        const i = objs.findIndex((x) => x.kind === kind && pick(x));
        if (i < 0) continue;
        const obj = JSON.parse(JSON.stringify(objs[i]));
        edit(obj);
        return { objs: objs.map((o, j) => (j === i ? obj : o)), obj };
    }
    throw new Error(`no generated ${kind} in any stack`);
}

describe("parsers: component validators reject what the components reject", function () {
    this.timeout(900_000);
    let b: Bins;
    let kserve: ReturnType<typeof kserveInputs>;
    let stacks: CorpusStack[];

    before(async function () {
        b = bins(this);
        kserve = kserveInputs();
        stacks = await corpus();
    });

    function errorsOn(objs: Obj[], validator: string, kind: string, name: string): string {
        const r = check(b, objs, kserve);
        const vs = r.verdicts.filter((v) => v.validator.startsWith(validator) && v.kind === kind && v.name === name);
        assert.ok(vs.length > 0, `no ${validator} verdict on ${kind} ${name}`);
        return vs.flatMap((v) => v.errors).join("\n");
    }

    it("KServe's webhooks: minReplicas above maxReplicas; an upper-case name", function () {
        const a = mutated(stacks, "InferenceService", (o) => { o.spec.predictor.minReplicas = 4; o.spec.predictor.maxReplicas = 2; });
        assert.match(errorsOn(a.objs, V_KSERVE_WEBHOOK, "InferenceService", a.obj.metadata.name), /MinReplicas.? cannot be greater than MaxReplicas/);
        const n = mutated(stacks, "InferenceService", (o) => { o.metadata.name = "Bad-Name"; });
        assert.match(errorsOn(n.objs, V_KSERVE_WEBHOOK, "InferenceService", "Bad-Name"), /name/i);
    });

    it("KEDA: minReplicaCount above maxReplicaCount; a Prometheus trigger without a query", function () {
        const a = mutated(stacks, "ScaledObject", (o) => { o.spec.minReplicaCount = 5; o.spec.maxReplicaCount = 2; });
        assert.match(errorsOn(a.objs, V_KEDA_WEBHOOK, "ScaledObject", a.obj.metadata.name), /MinReplicaCount=5 must be less than MaxReplicaCount=2/);
        const q = mutated(stacks, "ScaledObject", (o) => { delete o.spec.triggers[0].metadata.query; }, (o) => o.spec?.triggers?.[0]?.type === "prometheus");
        assert.match(errorsOn(q.objs, V_KEDA_SCALER, "ScaledObject", q.obj.metadata.name), /query/);
    });

    it("the contract check: an InferenceService asking KEDA for target.type Value (KServe builds AverageValue)", function () {
        const a = mutated(stacks, "InferenceService", (o) => {
            for (const m of o.spec.predictor.autoScaling.metrics) if (m.type === "External") m.external.target.type = "Value";
        }, (o) => (o.spec?.predictor?.autoScaling?.metrics ?? []).some((m: Obj) => m.type === "External"));
        const r = check(b, a.objs, kserve);
        assert.match(contractProblems(a.objs, r.verdicts).join("\n"), new RegExp(`InferenceService ${a.obj.metadata.name}: autoScaling target.type Value is not what KServe's KEDA reconciler builds \\(the HPA gets AverageValue\\)`));
    });

    it("KubeRay: a RayService that names its head Service", function () {
        const r = mutated(stacks, "RayService", (o) => { o.spec.rayClusterConfig.headGroupSpec.headService = { metadata: { name: "fixed" } }; });
        assert.match(errorsOn(r.objs, V_KUBERAY, "RayService", r.obj.metadata.name), /headService\.metadata\.name should not be set/);
    });

    it("Knative: the Service KServe builds, with a nodeSelector while the node-selector feature is off", function () {
        const s = stacks.find((x) => objects(x).some((o) => o.kind === "KnativeServing") && objects(x).some((o) => o.kind === "InferenceService"));
        assert.ok(s, "no Knative-mode stack");
        const objs = JSON.parse(JSON.stringify(objects(s))) as Obj[];
        for (const o of objs) {
            if (o.kind === "KnativeServing" && o.spec.config?.features) delete o.spec.config.features["kubernetes.podspec-nodeselector"];
            if (o.kind === "InferenceService") o.spec.predictor.nodeSelector = { "example.com/pool": "a" };
        }
        const r = check(b, objs, kserve);
        const errs = r.verdicts.filter((v) => v.validator.startsWith(V_KNATIVE)).flatMap((v) => v.errors);
        assert.match(errs.join("\n"), /must not set the field\(s\)[^\n]*nodeSelector/);
    });
});
