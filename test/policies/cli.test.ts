/** The YAML CLI: exit codes 0/1/2, text and JSON output, multi-document files, directories, Helm release documents. */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../../policies/cli";
import { fixtures } from "./harness";

const root = path.join(__dirname, "..", "..");
const example = path.join(root, "policies", "policy-config.example.json");
const upstream = path.join(fixtures, "upstream");
/** The five seed-deck examples (the corpus/ subdirectory next to them has cases that must fail). */
const seed = fs.readdirSync(upstream).filter((f) => f.endsWith(".yaml")).map((f) => path.join(upstream, f));
const plan = path.join(fixtures, "plan");

function tmp(files: Record<string, string>): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"));
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
        fs.writeFileSync(path.join(d, name), text);
    }
    return d;
}

const badStatefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: bad, namespace: inference }
spec:
  template:
    metadata: { labels: { app: bad } }
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:latest
          args: ["--tensor-parallel-size", "2"]
          resources: { limits: { nvidia.com/gpu: "2" } }
`;

describe("policies: CLI", () => {
    it("exits 0 on the upstream examples and a plan with Helm release documents, counting multi-doc files and nested directories", () => {
        const r = runCli(["check", ...seed, plan, "--config", example]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        // 15 objects in the 5 upstream files; 2 Helm releases + 2 objects (nested platform/ dir) in the plan.
        assert.match(r.stdout, /^19 object\(s\) in 8 file\(s\): 0 mandatory, 0 advisory violation\(s\)\.$/m);
        assert.match(r.stderr, /note: custom-resources-depend-on-crd-installer: needs the Pulumi resource graph/);
    });

    it("checks Helm release documents of workload charts (llm-d-modelservice values)", () => {
        const d = tmp({ "ms.yaml": fs.readFileSync(path.join(plan, "manifests", "llm-d-modelservice.yaml"), "utf8").replace("tensor: 2", "tensor: 8") });
        const r = runCli(["check", d, "--config", example, "--format", "json"]);
        assert.equal(r.code, 1);
        const findings = JSON.parse(r.stdout) as { policy: string; kind: string; name: string }[];
        assert.ok(findings.some((f) => f.policy === "gpus-per-pod-fit-node" && f.kind === "HelmRelease" && f.name === "ms"), r.stdout);
    });

    it("exits 1 on a mandatory violation and prints JSON with exactly the documented fields", () => {
        const d = tmp({ "bad.yaml": badStatefulSet });
        const r = runCli(["check", path.join(d, "bad.yaml"), "--format", "json"]);
        assert.equal(r.code, 1);
        const findings = JSON.parse(r.stdout) as Record<string, unknown>[];
        assert.ok(findings.length >= 2);
        for (const f of findings) assert.deepEqual(Object.keys(f).sort(), ["enforcement", "kind", "message", "name", "namespace", "policy", "severity"]);
        const img = findings.find((f) => f.policy === "engine-images-pinned");
        assert.deepEqual({ ...img, message: undefined }, { policy: "engine-images-pinned", severity: "high", enforcement: "mandatory", kind: "StatefulSet", namespace: "inference", name: "bad", message: undefined });
        assert.ok(findings.some((f) => f.policy === "multi-gpu-shm"));
    });

    it("prints text findings with level, severity and policy", () => {
        const d = tmp({ "bad.yaml": badStatefulSet });
        const r = runCli(["check", d]);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /^MANDATORY \[high\] engine-images-pinned: StatefulSet inference\/bad: pod container "vllm" .*"vllm\/vllm-openai:latest"/m);
        assert.match(r.stderr, /note: gpus-per-pod-fit-node: no fleet/);
    });

    it("exits 0 when only advisory rules fire, and honours per-policy enforcement from the config", () => {
        const d = tmp({ "s.yaml": fs.readFileSync(path.join(upstream, "vllm-statefulset-tp4.yaml"), "utf8").split("---")[0] });
        const advisory = runCli(["check", d, "--config", example, "--format", "json"]);
        assert.equal(advisory.code, 0, advisory.stdout);
        assert.deepEqual((JSON.parse(advisory.stdout) as { policy: string; enforcement: string }[]).map((f) => [f.policy, f.enforcement]), [["engines-scraped", "advisory"]]);
        const cfg = path.join(d, "cfg.json");
        fs.writeFileSync(cfg, JSON.stringify({ "engines-scraped": "mandatory" }));
        assert.equal(runCli(["check", path.join(d, "s.yaml"), "--config", cfg]).code, 1);
        fs.writeFileSync(cfg, JSON.stringify({ "engines-scraped": { enforcementLevel: "disabled" } }));
        assert.equal(runCli(["check", path.join(d, "s.yaml"), "--config", cfg, "--format=json"]).stdout.trim(), "[]");
    });

    it("accepts the { fleet } shorthand config", () => {
        const r = runCli(["check", ...seed, "--config", path.join(fixtures, "policy-config.h100.json")]);
        assert.equal(r.code, 0, r.stdout);
        assert.doesNotMatch(r.stderr, /no fleet/);
    });

    it("exits 2 naming the file and the reason for unreadable input", () => {
        const missing = path.join(os.tmpdir(), "no-such-dir-policy", "x.yaml");
        const r1 = runCli(["check", missing]);
        assert.equal(r1.code, 2);
        assert.equal(r1.stderr, `error: ${missing}: cannot read: no such file or directory\n`);
        const d = tmp({ "broken.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n" });
        const r2 = runCli(["check", d]);
        assert.equal(r2.code, 2);
        assert.match(r2.stderr, new RegExp(`error: ${path.join(d, "broken.yaml").replace(/[/.]/g, "\\$&")}: not valid YAML \\(document 1\\)`));
        assert.equal(r2.stdout, "");
    });

    it("exits 2 on a file it may not read (when not running as root)", function () {
        if (process.getuid?.() === 0) this.skip();
        const d = tmp({ "secret.yaml": badStatefulSet });
        fs.chmodSync(path.join(d, "secret.yaml"), 0o000);
        const r = runCli(["check", path.join(d, "secret.yaml")]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /secret\.yaml: cannot read: permission denied/);
    });

    it("exits 2 on a bad config, naming the path and allowed values", () => {
        const d = tmp({ "cfg.json": JSON.stringify({ fleet: { pools: [{ name: "a", accelerator: { vendor: "tpu", product: "v5", memoryGiB: 16, perNode: 4 } }] } }) });
        const r = runCli(["check", upstream, "--config", path.join(d, "cfg.json")]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /cfg\.json: invalid fleet config:\n\s+fleet\.pools\.0\.accelerator\.vendor: .*"nvidia"/);
        fs.writeFileSync(path.join(d, "cfg.json"), JSON.stringify({ "no-such-policy": "advisory" }));
        assert.match(runCli(["check", upstream, "--config", path.join(d, "cfg.json")]).stderr, /unknown config key "no-such-policy"/);
    });

    it("exits 2 on bad usage", () => {
        assert.equal(runCli([]).code, 2);
        assert.equal(runCli(["check"]).code, 2);
        assert.equal(runCli(["check", upstream, "--format", "xml"]).code, 2);
        assert.equal(runCli(["check", upstream, "--bogus"]).code, 2);
    });

    it("runs as `npm run --silent policy -- check …` with the process exit code", () => {
        const d = tmp({ "bad.yaml": badStatefulSet });
        const r = spawnSync("npm", ["run", "--silent", "policy", "--", "check", d, "--format", "json"], { cwd: root, encoding: "utf8" });
        assert.equal(r.status, 1, r.stderr);
        assert.ok((JSON.parse(r.stdout) as unknown[]).length > 0);
    });
});
