/**
 * Parser tier, llm-d EPP: the endpoint picker of every inferencepool release of every shipped
 * stack and option stack, rendered with the pinned chart (helm template), started through the
 * pinned llm-d inference scheduler's own startup validation (scripts/parsers/epp-checker: GAIE's
 * runner flags, Complete/Validate, plugin registration, LoadRawConfig + InstantiateAndConfigure).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../helpers";
import { images } from "../../components/versions";
import { corpus, helmReleases, type K8sObject } from "./corpus";
import { helmTemplate, requireTool } from "./tools";

/**
 * helm comes from its own recipe (scripts/tools/helm.sh, the offline-render work). Until that
 * recipe is in the repo there is nothing CI could build: the rendered-EPP checks say so and skip;
 * once it is, a missing helm fails them on CI like any other tool.
 */
function helmOrSkip(ctx: Mocha.Context): string {
    if (!fs.existsSync(path.join(ROOT, "scripts", "tools", "helm.sh")) && !process.env["HELM"]) {
        console.warn("      SKIPPED (no helm recipe scripts/tools/helm.sh in the repo yet; set HELM=<helm binary> to run this check)");
        ctx.skip();
    }
    return requireTool(ctx, "helm");
}

interface CheckResult {
    ok: boolean;
    stage: string;
    error?: string;
    plugins?: string[];
    unchecked: string[];
}

/** Run the checker on EPP args, with the ConfigMap files the pod mounts at /config. */
export function runEppChecker(checker: string, args: string[], configFiles: Record<string, string> = {}, mountPath = "/config"): CheckResult {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "parsers-epp-"));
    try {
        const dir = path.join(root, mountPath);
        fs.mkdirSync(dir, { recursive: true });
        for (const [name, text] of Object.entries(configFiles)) fs.writeFileSync(path.join(dir, name), text);
        const r = spawnSync(checker, ["-config-root", root, "--", ...args], { encoding: "utf8" });
        const line = r.stdout.trim().split("\n").pop() ?? "";
        try {
            return JSON.parse(line) as CheckResult;
        } catch {
            throw new Error(`epp-checker printed no result (exit ${r.status}): ${r.stderr.slice(-500)}`);
        }
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

/** The EPP container and the config files its pod mounts, from a rendered inferencepool release. */
export function eppOf(objects: K8sObject[]): { args: string[]; files: Record<string, string>; mountPath: string; image: string } {
    const dep = objects.find((o) => o.kind === "Deployment" && ((o as { spec?: { template?: { spec?: { containers?: { name: string }[] } } } }).spec?.template?.spec?.containers ?? []).some((c) => c.name === "epp"));
    if (!dep) throw new Error("no EPP Deployment rendered");
    const pod = (dep as unknown as { spec: { template: { spec: { containers: Record<string, unknown>[]; volumes?: Record<string, unknown>[] } } } }).spec.template.spec;
    const epp = pod.containers.find((c) => c["name"] === "epp")!;
    const mounts = (epp["volumeMounts"] as { name: string; mountPath: string }[] | undefined) ?? [];
    let files: Record<string, string> = {};
    let mountPath = "/config";
    for (const m of mounts) {
        const vol = (pod.volumes ?? []).find((v) => v["name"] === m.name) as { configMap?: { name: string } } | undefined;
        if (!vol?.configMap) continue;
        const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === vol.configMap!.name) as { data?: Record<string, string> } | undefined;
        if (cm?.data) {
            files = cm.data;
            mountPath = m.mountPath;
        }
    }
    return { args: ((epp["args"] as unknown[]) ?? []).map(String), files, mountPath, image: String(epp["image"]) };
}

function recipeSchedulerVersion(): string {
    const m = /^EPP_SCHEDULER_VERSION="([^"]+)"/m.exec(fs.readFileSync(path.join(ROOT, "scripts", "tools", "epp-checker.sh"), "utf8"));
    return m![1];
}

describe("parsers: llm-d EPP through the pinned scheduler's own startup validation", function () {
    this.timeout(900_000);
    let checker = "";

    before(function () {
        checker = requireTool(this, "epp-checker");
    });

    it("the checker is built from the scheduler version the stacks deploy", () => {
        assert.equal(recipeSchedulerVersion(), images.llmdInferenceScheduler.tag, "scripts/tools/epp-checker.sh must build the scheduler tag of components/versions.ts");
    });

    it("fails what the EPP refuses at startup and passes what it accepts", () => {
        const pool = ["--pool-name", "p", "--pool-namespace", "ns"];
        const cfg = (plugins: string, profiles: string) =>
            `apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n${plugins}\nschedulingProfiles:\n- name: default\n  plugins:\n${profiles}\n`;
        const good = cfg("- type: queue-scorer\n- type: max-score-picker", "  - pluginRef: queue-scorer\n  - pluginRef: max-score-picker");
        assert.equal(runEppChecker(checker, [...pool, "--config-file", "/config/c.yaml"], { "c.yaml": good }).ok, true);
        const deprecated = runEppChecker(checker, [...pool, "--kv-cache-usage-percentage-metric", "vllm:kv_cache_usage_perc", "--config-file", "/config/c.yaml"], { "c.yaml": good });
        assert.equal(deprecated.stage, "flags");
        assert.match(deprecated.error!, /deprecated and cannot be used/);
        assert.match(runEppChecker(checker, [...pool, "--no-such-flag", "x"]).error!, /unknown flag/);
        const unknownPlugin = runEppChecker(checker, [...pool, "--config-file", "/config/c.yaml"], { "c.yaml": cfg("- type: no-such-scorer", "  - pluginRef: no-such-scorer") });
        assert.equal(unknownPlugin.stage, "config");
        const badParam = runEppChecker(checker, [...pool, "--config-file", "/config/c.yaml"], {
            "c.yaml": cfg("- type: pd-profile-handler\n  parameters:\n    threshold: 0\n    hashBlockSize: 5\n- type: max-score-picker", "  - pluginRef: max-score-picker"),
        });
        assert.equal(badParam.ok, false, "pd-profile-handler without a decider (v0.6+ parameters) must not start");
        const unchecked = runEppChecker(checker, [...pool, "--config-file", "/config/c.yaml"], { "c.yaml": cfg("- type: precise-prefix-cache-scorer", "  - pluginRef: precise-prefix-cache-scorer") });
        assert.equal(unchecked.stage, "unchecked");
        assert.deepEqual(unchecked.unchecked, ["tokenizer", "precise-prefix-cache-scorer", "context-length-aware"]);
    });

    it("catches chart/scheduler skew: inferencepool v1.5.0's default plugins config on scheduler v0.7.1", function () {
        // Chart v1.5.0 renders `core-metrics-extractor` (GAIE v1.5); scheduler v0.7.1 is built on GAIE v1.4.
        const helm = helmOrSkip(this);
        const rel = { chart: "inferencepool", version: "v1.5.0", releaseName: "p", namespace: "ns", values: { inferencePool: { modelServers: { matchLabels: { app: "m" } } } } };
        const epp = eppOf(helmTemplate(helm, rel));
        const r = runEppChecker(checker, epp.args, epp.files, epp.mountPath);
        assert.equal(r.ok, false);
        assert.match(r.error ?? "", /core-metrics-extractor/);
    });

    it("every generated EPP (every inferencepool release) starts", async function () {
        const helm = helmOrSkip(this);
        const problems: string[] = [];
        let checked = 0;
        for (const s of await corpus()) {
            for (const rel of helmReleases(s, "inferencepool")) {
                const epp = eppOf(helmTemplate(helm, rel, s.config.cluster.kubernetesVersion));
                assert.ok(epp.image.endsWith(`:${images.llmdInferenceScheduler.tag}`), `${s.file}: ${rel.releaseName}: EPP image ${epp.image} is not the checked scheduler ${images.llmdInferenceScheduler.tag}`);
                const r = runEppChecker(checker, epp.args, epp.files, epp.mountPath);
                checked++;
                if (!r.ok) problems.push(`${s.file}: inferencepool ${rel.releaseName}: EPP exits at ${r.stage}: ${r.error}`);
            }
        }
        console.log(`      EPPs checked: ${checked} (flags + plugins config), ${problems.length} would exit`);
        assert.ok(checked > 0, "no inferencepool release in any stack");
        assert.deepEqual(problems, [], problems.join("\n"));
    });
});
