/**
 * The corpus covers every shipped stack and every option value the stack schema offers: when the
 * schema grows an option (an engine, a serving mode, a per-mode switch), this fails until
 * OPTION_STACKS (test/parsers/corpus.ts) generates it, so the parser checks see it.
 */
import { strict as assert } from "node:assert";
import { stackFiles } from "../helpers";
import { corpus, OPTION_STACKS, shellSplit, expandVars, VARIANTS, variantsRefused } from "./corpus";
import { engines, servingModes } from "../../stacks/config/schema";

describe("parsers: corpus of every shipped stack and option", function () {
    this.timeout(600_000);

    it("plans every shipped stack and every option stack, and their variants", async () => {
        const c = await corpus();
        const bases = [...stackFiles(), ...Object.keys(OPTION_STACKS).map((n) => `options:${n}`)];
        assert.deepEqual(
            c.map((s) => s.file).filter((f) => !f.includes(" [")),
            bases,
        );
        for (const s of c) assert.ok(s.resources.length > 0, `${s.file}: registered nothing`);
        assert.deepEqual(variantsRefused(), [], "a variant switched on something the config refuses");
        const autoscaled = c.filter((s) => s.file.endsWith(`[${VARIANTS[0].name}]`));
        assert.ok(autoscaled.length > 0 && autoscaled.every((s) => s.config.models.some((m) => m.autoscaling !== undefined)), "no autoscaled variant");
    });

    it("exercises every engine, serving mode and per-mode option", async () => {
        const models = (await corpus()).flatMap((s) => s.config.models);
        const seen = (f: (m: (typeof models)[number]) => unknown) => new Set(models.map(f));
        for (const e of engines) assert.ok(seen((m) => m.engine).has(e), `no stack uses engine ${e}`);
        for (const m of servingModes) assert.ok(seen((x) => x.serving).has(m), `no stack uses serving ${m}`);
        // multiNode matters only on multi-node placements: look for what each value generates.
        const objs = (await corpus()).flatMap((s) => s.manifests.map((m) => m.doc));
        assert.ok(objs.some((o) => o["kind"] === "LeaderWorkerSet"), "no stack generates a multi-node LeaderWorkerSet (multiNode lws)");
        assert.ok(objs.some((o) => o["kind"] === "StatefulSet" && /-ray-head$/.test(String((o["metadata"] as { name?: string })?.name))), "no stack generates a Ray cluster (multiNode ray)");
        for (const w of ["StatefulSet", "Deployment"]) assert.ok(seen((m) => m.workload).has(w), `no stack uses workload ${w}`);
        const has = (label: string, f: (m: (typeof models)[number]) => boolean) => assert.ok(models.some(f), `no stack uses ${label}`);
        has("kserve.storageUri=false", (m) => m.serving === "kserve" && !m.kserve.storageUri);
        has("llmisvc.router=false", (m) => m.serving === "llmisvc" && !m.llmisvc.router);
        has("llmisvc.prefillReplicas", (m) => m.serving === "llmisvc" && m.llmisvc.prefillReplicas > 0);
        has("llmisvc.kvCacheOffloadCpu", (m) => m.serving === "llmisvc" && m.llmisvc.kvCacheOffloadCpu !== undefined);
        has("llmd.prefillReplicas", (m) => m.serving === "llmd" && m.llmd.prefillReplicas > 0);
        has("llmd.prefillTensor", (m) => m.serving === "llmd" && m.llmd.prefillTensor !== undefined);
        has("llmd.expertParallel", (m) => m.serving === "llmd" && m.llmd.expertParallel);
        has("dynamo.disaggregated", (m) => m.serving === "dynamo" && m.dynamo.disaggregated);
        has("autoscaling", (m) => m.autoscaling !== undefined);
        const modes = new Set((await corpus()).map((s) => s.config.platform.kserve.mode));
        for (const mode of ["Standard", "Knative"]) assert.ok(modes.has(mode as "Standard"), `no stack uses platform.kserve.mode ${mode}`);
    });
});

describe("parsers: shell helpers", () => {
    it("splits words as sh does and expands kubelet/shell references", () => {
        assert.deepEqual(shellSplit(`exec vllm serve 'a b' "c \\"d\\"" e\\ f $X`), ["exec", "vllm", "serve", "a b", 'c "d"', "e f", "$X"]);
        assert.throws(() => shellSplit("echo 'open"), /unterminated/);
        assert.equal(expandVars("$(LWS_LEADER_ADDRESS):20000", { LWS_LEADER_ADDRESS: "l" }), "l:20000");
        assert.equal(expandVars("${LWS_WORKER_INDEX:-0}", {}), "0");
        assert.equal(expandVars("$TP_SIZE", { TP_SIZE: "8" }), "8");
        assert.equal(expandVars("$UNKNOWN", {}), "$UNKNOWN");
    });
});
