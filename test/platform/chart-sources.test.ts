/**
 * `platform.sources.charts.<key>.chart` pointing at a local chart (air-gapped installs, the e2e's
 * ../shared/charts archives): the file must exist and hold the pinned chart at the version in use,
 * read from the Chart.yaml inside the archive, before anything is registered.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig } from "../../stacks/config/load";
import { checkStack } from "../../stacks/config/validate";
import { program } from "../../stacks/stack/program";
import { charts, ChartKey } from "../../components/versions";
import { chartSourceProblems, readLocalChartMeta, upstreamChartName } from "../../components/common/helm";
import { refusals, registered, resetRecords } from "../helpers";

/** One ustar header + body (Go's archive/tar, what `helm package` writes, produces the same layout). */
function tarEntry(name: string, body: string, type = "0"): Buffer {
    const data = Buffer.from(body, "utf8");
    const h = Buffer.alloc(512, 0);
    h.write(name.slice(0, 100), 0, "utf8");
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write(type, 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512, 0)]);
}

function tgz(entries: Buffer[]): Buffer {
    return zlib.gzipSync(Buffer.concat([...entries, Buffer.alloc(1024, 0)]));
}

const chartYaml = (name: string, version: string) => `apiVersion: v2\nname: ${name}\ndescription: test\ntype: application\nversion: ${version}\nappVersion: "${version}"\n`;

const l4 = { name: "l4", nodes: 1, accelerator: { vendor: "nvidia", product: "L4", memoryGiB: 24, perNode: 1 } };

function problemsOf(raw: Record<string, unknown>): string[] {
    return refusals(() => checkStack(parseStackConfig(raw))) ?? [];
}

describe("platform.sources.charts: local chart archives", () => {
    let dir: string;
    let cwd: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-sources-"));
        cwd = process.cwd();
        // Subchart Chart.yaml first: only the top-level <chart>/Chart.yaml counts.
        fs.writeFileSync(
            path.join(dir, "gpu-operator-v26.7.0.tgz"),
            tgz([
                tarEntry("gpu-operator/charts/node-feature-discovery/Chart.yaml", chartYaml("node-feature-discovery", "0.18.3")),
                tarEntry("gpu-operator/Chart.yaml", chartYaml("gpu-operator", "v26.7.0")),
                tarEntry("gpu-operator/values.yaml", "operator: {}\n"),
            ]),
        );
        fs.writeFileSync(path.join(dir, "cert-manager-v1.21.1.tgz"), tgz([tarEntry("cert-manager/Chart.yaml", chartYaml("cert-manager", "v1.21.1"))]));
        fs.writeFileSync(path.join(dir, "gpu-operator-v25.3.0.tgz"), tgz([tarEntry("gpu-operator/Chart.yaml", chartYaml("gpu-operator", "v25.3.0"))]));
        fs.writeFileSync(path.join(dir, "no-chart.tgz"), tgz([tarEntry("gpu-operator/values.yaml", "a: 1\n")]));
        fs.writeFileSync(path.join(dir, "plain.txt"), "not gzip");
        fs.mkdirSync(path.join(dir, "knative-operator"));
        fs.writeFileSync(path.join(dir, "knative-operator", "Chart.yaml"), chartYaml("knative-operator", "1.20.0"));
        process.chdir(dir);
    });
    after(() => {
        process.chdir(cwd);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reads name and version from the archive's top-level Chart.yaml (not a subchart's), and from a chart directory", () => {
        assert.deepEqual(readLocalChartMeta(path.join(dir, "gpu-operator-v26.7.0.tgz")), { name: "gpu-operator", version: "v26.7.0" });
        assert.deepEqual(readLocalChartMeta(path.join(dir, "knative-operator")), { name: "knative-operator", version: "1.20.0" });
        assert.throws(() => readLocalChartMeta(path.join(dir, "no-chart.tgz")), /without a top-level <chart>\/Chart.yaml/);
        assert.throws(() => readLocalChartMeta(path.join(dir, "plain.txt")), /not a gzip'd chart archive/);
    });

    it("accepts the pinned chart (relative path, v-prefix differences ignored) and leaves remote sources to Helm", () => {
        assert.deepEqual(problemsOf({ fleet: { pools: [l4] }, platform: { sources: { charts: { gpuOperator: { chart: "./gpu-operator-v26.7.0.tgz" } } } } }), []);
        // knative-operator is pinned as v1.20.0; its Chart.yaml says 1.20.0.
        assert.deepEqual(chartSourceProblems("knativeOperator", { chart: "./knative-operator" }, "p"), []);
        assert.deepEqual(chartSourceProblems("gpuOperator", { chart: "oci://mirror.local/charts/gpu-operator" }, "p"), []);
        assert.deepEqual(chartSourceProblems("gpuOperator", { chart: "https://mirror.local/gpu-operator-v26.7.0.tgz" }, "p"), []);
        assert.deepEqual(chartSourceProblems("gpuOperator", { repo: "https://mirror.local" } as { chart?: string }, "p"), []);
    });

    it("a missing file: one line naming the key, the path and what was expected", () => {
        const ps = problemsOf({ fleet: { pools: [l4] }, platform: { sources: { charts: { gpuOperator: { chart: "../charts/gpu-operator-v26.7.0.tgz" } } } } });
        assert.equal(ps.length, 1, ps.join("\n"));
        assert.equal(
            ps[0],
            `inference-platform:platform.sources.charts.gpuOperator.chart: got ../charts/gpu-operator-v26.7.0.tgz (${path.resolve(dir, "../charts/gpu-operator-v26.7.0.tgz")}: no such file or directory); allowed: the gpu-operator chart at version v26.7.0 (a helm package .tgz or chart directory)`,
        );
    });

    it("an archive that holds another chart, or another version, names what it found", () => {
        const ps = problemsOf({
            fleet: { pools: [l4] },
            platform: {
                sources: {
                    charts: {
                        gpuOperator: { chart: "cert-manager-v1.21.1.tgz" },
                        certManager: { chart: "gpu-operator-v25.3.0.tgz" },
                    },
                },
            },
        });
        assert.deepEqual(ps, [
            "inference-platform:platform.sources.charts.gpuOperator.chart: got cert-manager-v1.21.1.tgz, which holds chart cert-manager version v1.21.1; allowed: the gpu-operator chart at version v26.7.0 (a helm package .tgz or chart directory)",
            "inference-platform:platform.sources.charts.certManager.chart: got gpu-operator-v25.3.0.tgz, which holds chart gpu-operator version v25.3.0; allowed: the cert-manager chart at version v1.21.1 (a helm package .tgz or chart directory)",
        ]);
        // The override's own version is what the archive must hold.
        assert.deepEqual(chartSourceProblems("gpuOperator", { chart: "gpu-operator-v25.3.0.tgz", version: "v25.3.0" }, "p"), []);
        assert.match(chartSourceProblems("gpuOperator", { chart: "gpu-operator-v26.7.0.tgz", version: "v25.3.0" }, "p")[0], /holds chart gpu-operator version v26.7.0; allowed: the gpu-operator chart at version v25.3.0/);
        assert.match(chartSourceProblems("gpuOperator", { chart: "no-chart.tgz" }, "p")[0], /^p: got no-chart.tgz \(.*an archive without a top-level <chart>\/Chart.yaml\); allowed/);
    });

    it("program() stops before registering anything", async () => {
        await resetRecords();
        pulumi.runtime.setAllConfig({
            "inference-platform:fleet": JSON.stringify({ pools: [l4] }),
            "inference-platform:platform": JSON.stringify({ sources: { charts: { gpuOperator: { chart: "./missing.tgz" } } } }),
            "inference-platform:models": JSON.stringify([{ model: "Qwen/Qwen3-0.6B" }]),
        });
        try {
            assert.throws(
                () => program(),
                (e: Error) => e instanceof pulumi.RunError && /inference-platform:platform\.sources\.charts\.gpuOperator\.chart: got \.\/missing\.tgz .*no such file/.test(e.message),
            );
            assert.equal((await registered()).length, 0);
        } finally {
            pulumi.runtime.setAllConfig({});
        }
    });
});

describe("../shared/charts: every pinned archive holds the chart and version components/versions.ts pins", () => {
    const shared = path.resolve(__dirname, "../../../shared/charts");
    const present = fs.existsSync(shared);
    if (!present) process.stderr.write(`\n  !! ../shared/charts not found at ${shared}: archive checks skipped\n`);
    (present ? it : it.skip)("each <chart>-<version>.tgz matches its pin (Dynamo and Gaudi are not packaged)", () => {
        const files = new Set(fs.readdirSync(shared).filter((f) => f.endsWith(".tgz")));
        let matched = 0;
        for (const [key, src] of Object.entries(charts) as [ChartKey, (typeof charts)[ChartKey]][]) {
            const name = "upstream" in src && src.upstream ? src.upstream.chart : upstreamChartName(src.chart);
            const file = `${name}-${src.version}.tgz`;
            if (!files.has(file)) continue;
            assert.deepEqual(chartSourceProblems(key, { chart: path.join(shared, file) }, `charts.${key}`), []);
            matched++;
        }
        // 22 archives, one of which (inferencepool v1.4.0) is not today's pin; kgateway/agentgateway are not packaged.
        assert.ok(matched >= 20, `only ${matched} pinned charts found in ${shared}`);
    });
});
