/** Stack config parsing: defaults for a minimal config, and one clear line per bad value. */
import { strict as assert } from "node:assert";
import { ConfigError, parseStackConfig, loadStackConfig, defaultModelName } from "../../stacks/config/load";
import * as pulumi from "@pulumi/pulumi";
import { refusals, registered, resetRecords } from "../helpers";

const pool = { name: "h100", accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 } };

function problems(raw: Record<string, unknown>): string[] {
    return refusals(() => parseStackConfig(raw)) ?? assert.fail("expected the config to be rejected");
}

describe("stack config", () => {
    it("accepts a minimal config (one pool, one model) and fills the defaults", () => {
        const cfg = parseStackConfig({ fleet: { pools: [pool] }, models: [{ model: "Qwen/Qwen3-0.6B" }] });
        const p = cfg.fleet.pools[0];
        assert.equal(p.nodes, 1);
        assert.equal(p.nvlinkDomain, 8, "NVLink domain defaults to GPUs per node");
        assert.deepEqual(p.labels, { "inference-platform/pool": "h100" });
        const m = cfg.models[0];
        assert.equal(m.name, "qwen3-0-6b");
        assert.equal(m.engine, "vllm");
        assert.equal(m.parallelism, undefined, "auto is the absence of explicit parallelism");
        assert.equal(m.serving, "engine");
        assert.equal(m.replicas, 1);
        assert.equal(cfg.cluster.namespace, "inference");
        assert.equal(cfg.platform.gateway.provider, "istio");
    });

    it("derives DNS-safe model names from model ids", () => {
        assert.equal(defaultModelName("meta-llama/Llama-3.1-8B-Instruct"), "llama-3-1-8b-instruct");
        assert.equal(defaultModelName("facebook/opt-125m"), "opt-125m");
    });

    const bad: [string, Record<string, unknown>, RegExp][] = [
        ["an unknown vendor", { fleet: { pools: [{ ...pool, accelerator: { ...pool.accelerator, vendor: "nvida" } }] } }, /^inference-platform:fleet\.pools\[0\]\.accelerator\.vendor: got "nvida"; allowed: "nvidia", "amd", "intel"$/],
        ["a zero tensor degree", { fleet: { pools: [pool] }, models: [{ model: "x", parallelism: { tensor: 0 } }] }, /^inference-platform:models\[0\]\.parallelism\.tensor: got 0; must be >0$/],
        ["a parallelism word", { fleet: { pools: [pool] }, models: [{ model: "x", parallelism: "max" }] }, /^inference-platform:models\[0\]\.parallelism: got "max"; allowed: "auto" or \{tensor, pipeline, data\}/],
        ["an unknown serving mode", { fleet: { pools: [pool] }, models: [{ model: "x", serving: "triton" }] }, /^inference-platform:models\[0\]\.serving: got "triton"; allowed: "engine", "kserve", "llmisvc", "llmd", "rayserve", "nim", "dynamo"$/],
        ["an unknown field", { fleet: { pools: [pool] }, models: [{ model: "x", tp: 4 }] }, /^inference-platform:models\[0\]\.tp: unknown field; allowed: name, model, engine, pool, parallelism/],
        ["no pools", { fleet: { pools: [] } }, /^inference-platform:fleet\.pools: got \[\]; needs at least one node pool$/],
        ["a missing accelerator", { fleet: { pools: [{ name: "a" }] } }, /^inference-platform:fleet\.pools\[0\]\.accelerator: required \(object\)$/],
        ["an unknown pool", { fleet: { pools: [pool] }, models: [{ model: "x", pool: "a100" }] }, /^inference-platform:models\[0\]\.pool: got "a100"; allowed: h100$/],
        ["a latest image", { fleet: { pools: [pool] }, models: [{ model: "x", image: "vllm/vllm-openai:latest" }] }, /^inference-platform:models\[0\]\.image: got "vllm\/vllm-openai:latest"; must be pinned/],
        ["an untagged image", { fleet: { pools: [pool] }, models: [{ model: "x", image: "vllm/vllm-openai" }] }, /^inference-platform:models\[0\]\.image: .*must be pinned/],
        ["autoscaling min above max", { fleet: { pools: [pool] }, models: [{ model: "x", autoscaling: { min: 4, max: 2 } }] }, /^inference-platform:models\[0\]\.autoscaling\.min: got 4; min must be ≤ max$/],
        ["a bad model name", { fleet: { pools: [pool] }, models: [{ model: "x", name: "Llama_3" }] }, /^inference-platform:models\[0\]\.name: got "Llama_3"; must be a DNS-1123 label/],
        ["an unknown top-level key", { fleet: { pools: [pool] }, modles: [] }, /^inference-platform:modles: unknown config key; allowed: cluster, fleet, platform, models, hfToken, ngcApiKey, kubeconfig$/],
        ["a gateway provider typo", { fleet: { pools: [pool] }, platform: { gateway: { provider: "nginx" } } }, /^inference-platform:platform\.gateway\.provider: got "nginx"; allowed: "istio", "kgateway", "agentgateway"$/],
    ];
    for (const [what, raw, expected] of bad) {
        it(`rejects ${what} with one line naming the path, the value and what is allowed`, () => {
            const ps = problems(raw);
            assert.ok(ps.some((p) => expected.test(p)), `got:\n${ps.join("\n")}`);
        });
    }

    it("requires a pool per model when the fleet has several pools", () => {
        const ps = problems({ fleet: { pools: [pool, { ...pool, name: "l4" }] }, models: [{ model: "x" }] });
        assert.deepEqual(ps, ["inference-platform:models[0].pool: required when the fleet has more than one pool; allowed: h100, l4"]);
    });

    it("rejects duplicate pool and model names", () => {
        const ps = problems({ fleet: { pools: [pool, pool] }, models: [{ model: "a/x", pool: "h100" }, { model: "b/x", pool: "h100" }] });
        assert.equal(ps.length, 2, ps.join("\n"));
    });

    describe("loadStackConfig (Pulumi config)", () => {
        afterEach(() => pulumi.runtime.setAllConfig({}));

        it("reads structured keys as objects and secrets as secret outputs", async () => {
            pulumi.runtime.setAllConfig(
                {
                    "inference-platform:fleet": JSON.stringify({ pools: [pool] }),
                    "inference-platform:models": JSON.stringify([{ model: "Qwen/Qwen3-0.6B" }]),
                    "inference-platform:hfToken": "hf_abc",
                },
                ["inference-platform:hfToken"],
            );
            const cfg = loadStackConfig();
            assert.equal(cfg.models[0].name, "qwen3-0-6b");
            assert.ok(cfg.secrets.hfToken);
            assert.equal(await pulumi.isSecret(cfg.secrets.hfToken!), true);
            assert.equal(cfg.secrets.ngcApiKey, undefined);
        });

        it("names the missing fleet key and registers nothing", async () => {
            await resetRecords();
            pulumi.runtime.setAllConfig({});
            assert.throws(() => loadStackConfig(), /inference-platform:fleet: .*at least one node pool/);
            assert.equal((await registered()).length, 0);
        });

        it("rejects a misspelled config key instead of ignoring it", () => {
            pulumi.runtime.setAllConfig({
                "inference-platform:fleet": JSON.stringify({ pools: [pool] }),
                "inference-platform:modles": "[]",
            });
            assert.throws(() => loadStackConfig(), /^ConfigError: inference-platform:modles: unknown config key; allowed: cluster, fleet, platform, models, hfToken, ngcApiKey, kubeconfig$/m);
        });

        it("requires ngcApiKey when a model is served by NIM", () => {
            pulumi.runtime.setAllConfig({
                "inference-platform:fleet": JSON.stringify({ pools: [pool] }),
                "inference-platform:models": JSON.stringify([{ model: "meta/llama-3.1-8b-instruct", serving: "nim" }]),
            });
            assert.throws(() => loadStackConfig(), /inference-platform:ngcApiKey: required because models\[0\] uses serving "nim"/);
        });
    });
});
