/** The pack as a CrossGuard pack: metadata, config schema, self-containment, and that it starts. */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { policies } from "../../policies/pack";
import { rules } from "../../policies/rules";
import { fleetFromPolicyConfig, parsePackConfig } from "../../policies/lib/config";
import { ruleNames } from "../../policies/rules";

const dir = path.join(__dirname, "..", "..", "policies");

function sources(d: string): string[] {
    return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
        if (e.name === "node_modules") return [];
        const full = path.join(d, e.name);
        return e.isDirectory() ? sources(full) : e.name.endsWith(".ts") ? [full] : [];
    });
}

describe("policies: the pack", () => {
    it("has every rule with the chosen default enforcement and severity", () => {
        const table = Object.fromEntries(policies.map((p) => [p.name, `${p.enforcementLevel}/${p.severity}`]));
        assert.deepEqual(table, {
            "gpu-whole-number-limits": "mandatory/high",
            "gpus-per-pod-fit-node": "mandatory/critical",
            "parallelism-matches-topology": "mandatory/high",
            "multi-node-rdma-and-group-restart": "mandatory/high",
            "multi-gpu-shm": "mandatory/high",
            "accelerator-vendor-consistent": "mandatory/high",
            "dra-and-device-plugin-not-mixed": "mandatory/high",
            "gpu-pods-pinned-to-pool": "mandatory/medium",
            "engine-images-pinned": "mandatory/high",
            "model-tokens-from-secrets": "mandatory/critical",
            "fleet-capacity-at-min-replicas": "mandatory/high",
            "fleet-capacity-at-max-replicas": "advisory/medium",
            "custom-resources-depend-on-crd-installer": "mandatory/high",
            "engines-scraped": "advisory/medium",
        });
        for (const p of policies) {
            assert.ok(p.description.length > 40 && (p.remediationSteps ?? "").length > 20, p.name);
            assert.notEqual(p.name, "all");
        }
    });

    it("gives fleet-aware policies the fleet configSchema (and no enforcementLevel property)", () => {
        for (const r of rules) {
            const p = policies.find((x) => x.name === r.name);
            assert.equal(p?.configSchema !== undefined, r.fleet !== "unused", r.name);
            assert.ok(!("enforcementLevel" in (p?.configSchema?.properties ?? {})));
        }
    });

    it("the example config validates against each policy's JSON schema and the zod schema; a bad one fails both", () => {
        const example = JSON.parse(fs.readFileSync(path.join(dir, "policy-config.example.json"), "utf8")) as Record<string, unknown>;
        const ajv = new Ajv({ strict: false });
        const cfg = parsePackConfig(example, ruleNames);
        for (const p of policies) {
            const entry = example[p.name];
            if (!p.configSchema || typeof entry !== "object" || entry === null) continue;
            const { enforcementLevel: _level, ...props } = entry as Record<string, unknown>;
            const validate = ajv.compile({ type: "object", ...p.configSchema });
            assert.ok(validate(props), `${p.name}: ${ajv.errorsText(validate.errors)}`);
            assert.equal(fleetFromPolicyConfig(props, p.name)?.pools.length, 2);
        }
        assert.equal(cfg.all, "mandatory");
        assert.equal(cfg.policies["engines-scraped"]?.enforcementLevel, "advisory");
        // Defaults applied as in stacks/config/schema.ts: nvlinkDomain = perNode, labels = {"inference-platform/pool": name}.
        const l40s = cfg.policies["gpus-per-pod-fit-node"]?.fleet?.pools[1];
        assert.deepEqual([l40s?.nvlinkDomain, l40s?.labels, l40s?.taints, l40s?.nodes], [4, { "inference-platform/pool": "l40s" }, [], 2]);
        const bad = { pools: [{ name: "a", accelerator: { vendor: "tpu", product: "v5", memoryGiB: 16, perNode: 4 }, extra: 1 }] };
        const fleetSchema = policies.find((p) => p.name === "gpus-per-pod-fit-node")?.configSchema;
        assert.equal(ajv.compile({ type: "object", ...fleetSchema })({ fleet: bad }), false);
        assert.throws(() => fleetFromPolicyConfig({ fleet: bad }, "x"), /x\.fleet\.pools\.0\.accelerator\.vendor/);
    });

    it("constructs the PolicyPack only in index.ts and imports nothing outside policies/", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        assert.equal(pkg.dependencies["@pulumi/policy"], "1.21.0");
        assert.equal(pkg.dependencies["@pulumi/pulumi"], "3.248.0");
        for (const f of sources(dir)) {
            const text = fs.readFileSync(f, "utf8");
            assert.equal(/new PolicyPack\(/.test(text), path.basename(f) === "index.ts" && path.dirname(f) === dir, f);
            for (const m of text.matchAll(/from "([^"]+)"/g)) {
                const spec = m[1];
                if (spec.startsWith(".")) assert.ok(path.resolve(path.dirname(f), spec).startsWith(dir + path.sep), `${f} imports ${spec}`);
                else if (!spec.startsWith("node:")) {
                    const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                    assert.ok(name in pkg.dependencies, `${f} imports ${spec}, not a dependency in policies/package.json`);
                }
            }
        }
        const manifest = parse(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")) as { runtime: string; description: string };
        assert.equal(manifest.runtime, "nodejs");
        assert.ok(manifest.description.length > 20);
    });

    it("starts as a policy pack: index.ts serves the analyzer and prints its port", async () => {
        const child = spawn(process.execPath, ["--import", "tsx", "index.ts"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stderr.on("data", (b: Buffer) => (err += b.toString()));
        const port = await new Promise<string>((resolve, reject) => {
            child.stdout.on("data", (b: Buffer) => {
                out += b.toString();
                if (/^\d+\n/.test(out)) resolve(out.trim());
            });
            child.on("exit", (code) => reject(new Error(`pack exited with ${code}: ${err}`)));
        }).finally(() => child.kill());
        assert.match(port, /^\d+$/);
    });
});
