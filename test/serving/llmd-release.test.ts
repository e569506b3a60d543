/**
 * llm-d EPP startup: the pinned parts form one upstream release set, the EPP gets no flag its
 * library refuses, and every plugins config it loads (the chart's default and the P/D one) names
 * only plugins — with only parameters — that the pinned scheduler registers.
 *
 * Plugin registries, from the pinned sources (the `parsers` tier runs the scheduler's real loader):
 *  - sigs.k8s.io/gateway-api-inference-extension@v1.4.0 (the scheduler v0.7.1's go.mod):
 *    cmd/epp/runner/runner.go `registerInTreePlugins`;
 *  - llm-d-inference-scheduler@v0.7.1: pkg/plugins/register.go `RegisterAllPlugins`.
 */
import { strict as assert } from "node:assert";
import * as YAML from "yaml";
import { inferencePoolValues, PD_PLUGINS_CONFIG } from "../../components/serving/llmd";
import { charts, images, LLMD_RELEASE, LLMD_RELEASES, llmdReleaseOf, pinnedLlmdSet } from "../../components/versions";
import { servingConfigProblems } from "../../stacks/stack/layers/serving";
import { chartArchive, fileInTgz } from "./chart-files";
import { config } from "./fixtures";

/** Plugin types the EPP of scheduler v0.7.1 registers (GAIE v1.4.0 in-tree + llm-d's). */
const SCHEDULER_V0_7_1_PLUGINS = new Set([
    // GAIE v1.4.0 cmd/epp/runner/runner.go registerInTreePlugins
    "prefix-cache-scorer", "max-score-picker", "random-picker", "weighted-random-picker", "single-profile-handler",
    "kv-cache-utilization-scorer", "queue-scorer", "running-requests-size-scorer", "lora-affinity-scorer",
    "global-strict-fairness-policy", "round-robin-fairness-policy", "fcfs-ordering-policy", "edf-ordering-policy",
    "predicted-latency-scorer", "metrics-data-source", "model-server-protocol-metrics",
    // llm-d-inference-scheduler@v0.7.1 pkg/plugins/register.go
    "by-label", "by-label-selector", "encode-filter", "decode-filter", "prefill-filter", "disagg-headers-handler",
    "prefill-header-handler", "data-parallel-profile-handler", "disagg-profile-handler", "pd-profile-handler",
    "precise-prefix-cache-scorer", "load-aware-scorer", "session-affinity-scorer", "active-request-scorer", "no-hit-lru-scorer",
    "models-data-source", "model-server-protocol-models", "prefix-based-pd-decider", "always-disagg-pd-decider", "tokenizer",
    "always-disagg-multimodal-decider", "context-length-aware",
]);
/** JSON fields of the parameter structs (json.Unmarshal ignores others: a removed parameter is silently dropped). */
const PARAMETERS: Record<string, string[]> = {
    // pkg/plugins/profile/pd_profile_handler.go pdProfileHandlerParameters
    "pd-profile-handler": ["decodeProfile", "prefillProfile", "prefixPluginType", "prefixPluginName", "primaryPort", "deciderPluginName"],
    // pkg/plugins/profile/prefix_based_pd_decider.go PrefixBasedPDDeciderConfig
    "prefix-based-pd-decider": ["nonCachedTokens"],
    // GAIE v1.4.0 pkg/epp/framework/plugins/scheduling/scorer/prefix/plugin.go Config
    "prefix-cache-scorer": ["autoTune", "blockSizeTokens", "blockSize", "maxPrefixBlocksToMatch", "lruCapacityPerServer"],
};
const DECIDERS = new Set(["prefix-based-pd-decider", "always-disagg-pd-decider"]);
/** GAIE v1.4.0 pkg/epp/server/options.go: flags that make the EPP exit at startup when set. */
const FATAL_EPP_FLAGS = ["total-queued-requests-metric", "total-running-requests-metric", "kv-cache-usage-percentage-metric", "lora-info-metric", "cache-info-metric"];

interface PluginsConfig {
    featureGates?: string[];
    plugins: { type: string; name?: string; parameters?: Record<string, unknown> }[];
    schedulingProfiles: { name: string; plugins: { pluginRef: string }[] }[];
}

/** Why the pinned scheduler would refuse this EndpointPickerConfig (empty when it loads). */
function pluginsConfigProblems(cfg: PluginsConfig): string[] {
    const out: string[] = [];
    const names = new Map(cfg.plugins.map((p) => [p.name ?? p.type, p.type]));
    for (const p of cfg.plugins) {
        if (!SCHEDULER_V0_7_1_PLUGINS.has(p.type)) out.push(`plugin type "${p.type}" is not registered by scheduler ${images.llmdInferenceScheduler.tag}`);
        const known = PARAMETERS[p.type];
        for (const k of Object.keys(p.parameters ?? {})) if (known && !known.includes(k)) out.push(`${p.type}: parameter "${k}" does not exist`);
    }
    for (const p of cfg.plugins.filter((x) => x.type === "pd-profile-handler")) {
        const decider = String(p.parameters?.["deciderPluginName"] ?? "prefix-based-pd-decider");
        if (!DECIDERS.has(names.get(decider) ?? "")) out.push(`pd-profile-handler: decider plugin "${decider}" is not configured`);
    }
    if (cfg.plugins.some((p) => p.type === "prefix-based-pd-decider") && !(cfg.featureGates ?? []).includes("prepareDataPlugins")) {
        out.push("prefix-based-pd-decider needs the prepareDataPlugins feature gate");
    }
    for (const prof of cfg.schedulingProfiles) for (const r of prof.plugins) if (!names.has(r.pluginRef)) out.push(`profile ${prof.name}: pluginRef "${r.pluginRef}" is not a plugin`);
    return out;
}

/** The chart's `default-plugins.yaml` with the template conditionals at their defaults (latency predictor off). */
function chartDefaultPlugins(version: string): PluginsConfig {
    const tpl = fileInTgz(chartArchive(`inferencepool-${version}`), "inference-extension/templates/_config.yaml");
    const body = tpl.split("default-plugins.yaml: |")[1].split(/\n\s*\{\{-\s*if \(hasKey/)[0];
    // Keep the `else` branches of `latencyPredictor.enabled` and drop template-only lines.
    const lines: string[] = [];
    let skip = 0;
    let depth = 0;
    for (const line of body.split("\n")) {
        const t = line.trim();
        if (/^\{\{-?\s*if .*latencyPredictor\.enabled/.test(t)) { depth++; skip = depth; continue; }
        if (/^\{\{-?\s*if /.test(t) || /^\{\{-?\s*with /.test(t) || /^\{\{-?\s*range /.test(t)) { depth++; continue; }
        if (/^\{\{-?\s*else\s*-?\}\}/.test(t) && skip === depth) { skip = 0; continue; }
        if (/^\{\{-?\s*end\s*-?\}\}/.test(t)) { if (skip === depth) skip = 0; depth--; continue; }
        if (skip || t.includes("{{")) continue; // template-computed lines: their defaults render nothing the EPP needs here
        lines.push(line.replace(/^ {4}/, ""));
    }
    return YAML.parse(lines.join("\n")) as PluginsConfig;
}

describe("serving: llm-d release set and EPP startup", () => {
    it(`pins one llm-d release (${LLMD_RELEASE.release}): chart, scheduler, routing sidecar and model server as that release ships them`, () => {
        assert.deepEqual(llmdReleaseOf(pinnedLlmdSet()), { release: LLMD_RELEASE.release });
        assert.deepEqual(pinnedLlmdSet(), LLMD_RELEASES[LLMD_RELEASE.release]);
    });

    it("refuses any combination no upstream llm-d release ships", () => {
        const pinned = pinnedLlmdSet();
        for (const [k, v] of [["inferencePoolChart", "v1.5.0"], ["scheduler", "v0.8.0"], ["routingSidecar", "v0.7.0"], ["modelServer", "v0.7.0"]] as const) {
            const r = llmdReleaseOf({ ...pinned, [k]: v });
            assert.ok("problem" in r, `${k} ${v} with the rest of ${LLMD_RELEASE.release} must be refused`);
            assert.match(r.problem, new RegExp(`^no llm-d release ships .*${k} ${v.replace(/\./g, "\\.")}.*; allowed: llm-d v0\\.6\\.0 \\(`));
        }
        for (const [release, set] of Object.entries(LLMD_RELEASES)) assert.deepEqual(llmdReleaseOf(set), { release });
    });

    it("a stack that moves the inferencepool chart off the release set fails with one line naming the path", () => {
        const cfg = config([{ name: "q", model: "Qwen/Qwen3-0.6B", serving: "llmd" }], undefined, {
            gateway: { provider: "istio" },
            sources: { charts: { inferencePool: { version: "v1.5.0" } } },
        } as never);
        const problems = servingConfigProblems(cfg);
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^inference-platform:platform\.sources\.charts\.inferencePool\.version: got "v1\.5\.0"; no llm-d release ships .*; allowed: llm-d v0\.6\.0/);
        const ok = config([{ name: "q", model: "Qwen/Qwen3-0.6B", serving: "llmd" }], undefined, { sources: { charts: { inferencePool: { version: charts.inferencePool.version } } } } as never);
        assert.deepEqual(servingConfigProblems(ok), []);
    });

    it("chart deviations from the release's guides are only the declared ones, each with its reason", () => {
        assert.deepEqual(Object.keys(LLMD_RELEASE.chartDeviations).sort(), ["llmdInfra", "llmdModelservice"]);
        for (const why of Object.values(LLMD_RELEASE.chartDeviations)) assert.ok(why.length > 40);
    });

    it("the EPP gets no flag its library refuses at startup (GAIE v1.4.0 options.go)", () => {
        for (const m of [{ llmd: { prefillReplicas: 0 } }, { llmd: { prefillReplicas: 1 } }]) {
            const cfg = config([{ name: "q", model: "Qwen/Qwen3-0.6B", serving: "llmd", ...m }]);
            const v = inferencePoolValues({ model: cfg.models[0], monitoring: true, provider: "istio" }) as { inferenceExtension: { flags?: Record<string, unknown> } };
            for (const f of Object.keys(v.inferenceExtension.flags ?? {})) assert.ok(!FATAL_EPP_FLAGS.includes(f), `--${f} makes the EPP exit`);
        }
    });

    it(`the chart's default plugins config (inferencepool ${charts.inferencePool.version}) loads on scheduler ${images.llmdInferenceScheduler.tag}; v1.5.0's does not`, () => {
        const pinned = chartDefaultPlugins(charts.inferencePool.version);
        assert.deepEqual(pinned.plugins.map((p) => p.type), ["queue-scorer", "kv-cache-utilization-scorer", "prefix-cache-scorer"]);
        assert.deepEqual(pluginsConfigProblems(pinned), []);
        assert.deepEqual(pluginsConfigProblems(chartDefaultPlugins("v1.5.0")), [`plugin type "core-metrics-extractor" is not registered by scheduler v0.7.1`]);
    });

    it("the P/D plugins config loads: registered plugins, existing parameters, a configured decider, its feature gate", () => {
        const cfg = YAML.parse(PD_PLUGINS_CONFIG) as PluginsConfig;
        assert.deepEqual(pluginsConfigProblems(cfg), []);
        // The old shape: threshold/hashBlockSize and no decider plugin.
        const old = YAML.parse(PD_PLUGINS_CONFIG.replace(/- type: prefix-based-pd-decider\n {2}parameters:\n {4}nonCachedTokens: 16\n/, "").replace("primaryPort: 0", "threshold: 0")) as PluginsConfig;
        assert.deepEqual(pluginsConfigProblems(old), ['pd-profile-handler: parameter "threshold" does not exist', 'pd-profile-handler: decider plugin "prefix-based-pd-decider" is not configured']);
        const noGate = YAML.parse(PD_PLUGINS_CONFIG.replace(/featureGates:\n- prepareDataPlugins\n/, "")) as PluginsConfig;
        assert.deepEqual(pluginsConfigProblems(noGate), ["prefix-based-pd-decider needs the prepareDataPlugins feature gate"]);
    });
});
