/** The offline plan command: runs with no CLI and no cluster, writes its outputs, fails cleanly. */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { ROOT } from "../helpers";

function plan(args: string[]) {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "compiled.js"), "plan", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, PATH: "/usr/bin:/bin" }, // no pulumi on PATH
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run plan", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("plans the dev stack into resources.json, manifests/ and plan.md", () => {
        const out = path.join(tmp, "dev");
        const r = plan(["--stack", "dev", "--out", out]);
        assert.equal(r.code, 0, r.stderr);
        const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as { type: string; urn: string; parent: string; dependsOn: string[]; inputs: unknown }[];
        assert.ok(resources.some((x) => x.type === "kubernetes:apps/v1:StatefulSet"));
        for (const x of resources) assert.deepEqual(Object.keys(x), ["urn", "type", "name", "parent", "dependsOn", "inputs"]);
        const files = fs.readdirSync(path.join(out, "manifests"));
        const sts = files.find((f) => f.startsWith("statefulset-"));
        assert.ok(sts, files.join(", "));
        const doc = YAML.parse(fs.readFileSync(path.join(out, "manifests", sts!), "utf8"));
        assert.equal(doc.apiVersion, "apps/v1");
        assert.equal(doc.kind, "StatefulSet");
        assert.match(fs.readFileSync(path.join(out, "plan.md"), "utf8"), /## Engine layer/);
    });

    it("masks secrets from the stack file", () => {
        const file = path.join(tmp, "Pulumi.sec.yaml");
        fs.writeFileSync(
            file,
            YAML.stringify({
                config: {
                    "inference-platform:fleet": { pools: [{ name: "a", accelerator: { vendor: "nvidia", product: "L4", memoryGiB: 24, perNode: 1 } }] },
                    "inference-platform:hfToken": { secure: "v1:c2VjcmV0LWNpcGhlcnRleHQ=" },
                },
            }),
        );
        const out = path.join(tmp, "sec");
        const r = plan(["--config", file, "--out", out]);
        assert.equal(r.code, 0, r.stderr);
        const text = fs.readFileSync(path.join(out, "resources.json"), "utf8");
        // Masked per key: the planned Secret stays a valid Secret.
        assert.match(text, /"stringData": \{\s*"HF_TOKEN": "\[secret\]"\s*\}/);
        assert.equal(text.includes("c2VjcmV0"), false);
    });

    it("exits non-zero with one line naming the bad path, and writes nothing", () => {
        const file = path.join(tmp, "Pulumi.bad.yaml");
        fs.writeFileSync(
            file,
            YAML.stringify({ config: { "inference-platform:fleet": { pools: [{ name: "a", accelerator: { vendor: "nvida", product: "L4", memoryGiB: 24, perNode: 1 } }] } } }),
        );
        const out = path.join(tmp, "bad");
        const r = plan(["--config", file, "--out", out]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^invalid stack config:\ninference-platform:fleet\.pools\[0\]\.accelerator\.vendor: got "nvida"; allowed: "nvidia", "amd", "intel"\n$/);
        assert.equal(fs.existsSync(out), false, "nothing is written for a bad config");
    });

    it("says what is wrong with a missing stack file", () => {
        const r = plan(["--stack", "nope", "--out", path.join(tmp, "nope")]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /Pulumi\.nope\.yaml: cannot read \(ENOENT\)/);
    });
});
