/**
 * Image references, the inventory's extraction rules, the registry mirror's rewriting rules, the
 * chart image table against the pinned charts' defaults, and two plan fixes (P/D GPU count,
 * masked Secret shape). No helm needed here (see rendered.test.ts / mirror.test.ts for that).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { inMirror, isFloatingImage, mirrorImage, mirrorRepository, normalizeImage, parseImage } from "../../components/common/images";
import { chartImageDefaults } from "../../components/common/chart-images";
import { mapImageFields, mirrorReleaseValues } from "../../components/common/mirror";
import { imageInventory, imagesInObject } from "../../stacks/plan/images";
import { gpuMaps, planJson, planModels } from "../../stacks/plan/fleet-plan";
import { parseStackConfig } from "../../stacks/config/load";
import { planExample, promiseOf } from "../helpers";
import { CHARTS_DIR } from "./rendered-helpers";
import * as pulumi from "@pulumi/pulumi";

const M = "registry.internal:5000";

describe("ops: image references and the mirror", () => {
    it("parses and normalises references (Docker Hub, library, ports, digests)", () => {
        assert.equal(normalizeImage("vllm/vllm-openai:v0.11.0"), "docker.io/vllm/vllm-openai:v0.11.0");
        assert.equal(normalizeImage("busybox:1.36"), "docker.io/library/busybox:1.36");
        assert.equal(normalizeImage("nvcr.io/nvidia/gpu-operator:v26.7.0"), "nvcr.io/nvidia/gpu-operator:v26.7.0");
        assert.deepEqual(parseImage("localhost:5000/a/b@sha256:abc"), { registry: "localhost:5000", path: "a/b", digest: "sha256:abc" });
        assert.equal(isFloatingImage("rocm/k8s-device-plugin:latest"), true);
        assert.equal(isFloatingImage("kserve/sklearnserver"), true);
        assert.equal(isFloatingImage("a/b@sha256:abc"), false);
        assert.equal(isFloatingImage("quay.io/kuberay/operator:v1.7.0"), false);
    });

    it("mirrors images and repositories keeping path and tag", () => {
        assert.equal(mirrorImage("nvcr.io/nvidia/gpu-operator:v26.7.0", M), `${M}/nvidia/gpu-operator:v26.7.0`);
        assert.equal(mirrorImage("vllm/vllm-openai:v0.11.0", M), `${M}/vllm/vllm-openai:v0.11.0`);
        assert.equal(mirrorImage("busybox:1.36", M), `${M}/library/busybox:1.36`);
        assert.equal(mirrorImage(`${M}/x/y:1`, M), `${M}/x/y:1`, "already mirrored stays");
        assert.equal(mirrorImage("x/y:1", undefined), "x/y:1");
        assert.equal(mirrorRepository("nvcr.io/nvidia", M), `${M}/nvidia`);
        assert.equal(mirrorRepository("nvcr.io", M), M);
        assert.equal(mirrorRepository("kserve/agent", M), `${M}/kserve/agent`);
        assert.equal(mirrorImage("nvcr.io/nvidia/x:1", `${M}/mirror/`), `${M}/mirror/nvidia/x:1`, "a path prefix is kept, trailing slash dropped");
        assert.ok(inMirror(`${M}/a:1`, M) && !inMirror("docker.io/a:1", M));
    });

    it("finds images where operators read them", () => {
        const uses = (doc: unknown) => imagesInObject(doc, "t").map((u) => u.ref).sort();
        assert.deepEqual(uses({ spec: { operator: { repository: "nvcr.io/nvidia", image: "gpu-operator", version: "v26.7.0" } } }), ["nvcr.io/nvidia/gpu-operator:v26.7.0"]);
        assert.deepEqual(uses({ spec: { image: { repository: "nvcr.io/nim/meta/llama", tag: "1.13.1" } } }), ["nvcr.io/nim/meta/llama:1.13.1"]);
        assert.deepEqual(uses({ spec: { devicePlugin: { devicePluginImage: "rocm/k8s-device-plugin:1.0" } } }), ["rocm/k8s-device-plugin:1.0"]);
        assert.deepEqual(
            uses({ spec: { template: { spec: { containers: [{ image: "a/b:1", env: [{ name: "RELATED_IMAGE_X", value: "c/d:2" }, { name: "OTHER", value: "e/f:3" }], args: ["--prometheus-config-reloader=q/r:4", "--x=1"] }] } } } }),
            ["a/b:1", "c/d:2", "q/r:4"],
        );
        assert.deepEqual(uses({ kind: "ConfigMap", data: { storageInitializer: '{"image": "kserve/storage-initializer:v0.20.0"}', other: "x" } }), ["kserve/storage-initializer:v0.20.0"]);
        assert.deepEqual(uses({ spec: { imagePullPolicy: "IfNotPresent", containers: [{ image: "" }] } }), []);
        const inv = imageInventory([{ ref: "vllm/vllm-openai:v0.11.0", source: "a" }, { ref: "docker.io/vllm/vllm-openai:v0.11.0", source: "b" }, { ref: "x:latest", source: "c" }]);
        assert.deepEqual(inv.map((e) => [e.image, e.sources.join(","), e.floating]), [
            ["docker.io/library/x:latest", "c", true],
            ["docker.io/vllm/vllm-openai:v0.11.0", "a,b", false],
        ]);
    });

    it("maps every image field it recognises through the mirror (the same shapes the inventory reads)", () => {
        const doc = {
            operator: { repository: "nvcr.io/nvidia", image: "gpu-operator", version: "v1" },
            image: { registry: "docker.io", repository: "busybox", tag: "1.36" },
            keda: { registry: "ghcr.io", repository: "kedacore/keda", tag: "2" },
            nim: { repository: "nvcr.io/nim/x", tag: "1" },
            istio: { hub: "docker.io/istio", image: "pilot" },
            imageRegistry: "quay.io",
            containers: [{ image: "vllm/vllm-openai:v0.11.0", env: [{ name: "RELATED_IMAGE_W", value: "a/b:1" }], args: ["--sidecar-image=c/d:2"] }],
            devicePluginImage: "rocm/k8s-device-plugin:1",
        };
        assert.deepEqual(mapImageFields(doc, M), {
            operator: { repository: `${M}/nvidia`, image: "gpu-operator", version: "v1" },
            image: { registry: M, repository: "library/busybox", tag: "1.36" },
            keda: { registry: M, repository: "kedacore/keda", tag: "2" },
            nim: { repository: `${M}/nim/x`, tag: "1" },
            istio: { hub: `${M}/istio`, image: "pilot" },
            imageRegistry: M,
            containers: [{ image: `${M}/vllm/vllm-openai:v0.11.0`, env: [{ name: "RELATED_IMAGE_W", value: `${M}/a/b:1` }], args: [`--sidecar-image=${M}/c/d:2`] }],
            devicePluginImage: `${M}/rocm/k8s-device-plugin:1`,
        });
        // Each found image of the mapped document is in the mirror.
        for (const u of imagesInObject(mapImageFields(doc, M), "t")) assert.ok(inMirror(u.ref, M), `${u.ref} (${u.source})`);
    });

    it("maps Outputs inside values where they sit (known stays known)", async () => {
        const v = mapImageFields({ a: { image: pulumi.output("x/y:1") }, b: pulumi.output({ repository: "nvcr.io/n", tag: "1" }) }, M) as Record<string, any>;
        assert.equal(await promiseOf(v.a.image as pulumi.Output<string>), `${M}/x/y:1`);
        assert.deepEqual(await promiseOf(v.b as pulumi.Output<unknown>), { repository: `${M}/n`, tag: "1" });
    });

    it("sets a chart's default image paths in release values, keeping what the release sets", () => {
        const v = mirrorReleaseValues("oci://registry.k8s.io/lws/charts/lws", "0.10.0", { image: { manager: { repository: "registry.k8s.io/lws/lws", tag: "v0.10.0" } } }, M) as any;
        assert.deepEqual(v.image.manager, { repository: `${M}/lws/lws`, tag: "v0.10.0" });
        const g = mirrorReleaseValues("gpu-operator", "v26.7.0", { driver: { enabled: false } }, M) as any;
        assert.equal(g.operator.repository, `${M}/nvidia`);
        assert.equal(g.driver.enabled, false);
        assert.equal(g.driver.repository, `${M}/nvidia`);
        assert.equal(g.toolkit.repository, `${M}/nvidia/k8s`);
    });
});

/** values.yaml of a pinned chart archive, subcharts' defaults under their names (parent wins). */
function archiveDefaults(chart: string, version: string): Record<string, unknown> {
    const a = [`${chart}-v${version}.tgz`, `${chart}-${version}.tgz`].map((f) => path.join(CHARTS_DIR, f)).find((f) => fs.existsSync(f));
    assert.ok(a, `no archive for ${chart} ${version} in ${CHARTS_DIR}`);
    const entries = spawnSync("tar", ["tzf", a], { encoding: "utf8" }).stdout.split("\n");
    const read = (e: string) => YAML.parse(spawnSync("tar", ["xzOf", a, e], { encoding: "utf8" }).stdout) ?? {};
    const top = read(`${chart}/values.yaml`) as Record<string, unknown>;
    for (const e of entries) {
        const m = new RegExp(`^${chart}/charts/([^/]+)/values\\.yaml$`).exec(e);
        if (m) top[m[1]] = deepMerge(read(e), top[m[1]]);
    }
    return top;
}

function deepMerge(base: unknown, over: unknown): unknown {
    if (!over || typeof over !== "object" || Array.isArray(over) || !base || typeof base !== "object" || Array.isArray(base)) return over ?? base;
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
    return out;
}

describe("ops: the chart image table matches the pinned charts", () => {
    for (const [key, paths] of Object.entries(chartImageDefaults)) {
        it(`${key}: every image path exists with that default`, function () {
            if (!fs.existsSync(CHARTS_DIR)) this.skip();
            const [chart, version] = key.split("@");
            const d = archiveDefaults(chart, version);
            const problems: string[] = [];
            for (const [p, def] of Object.entries(paths)) {
                let cur: unknown = chart === "istiod" ? (d["_internal_defaults_do_not_set"] as object) : d;
                for (const k of p.split(".")) cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined;
                // Subchart values may be overridden by the parent: only the presence of the path is required there.
                if (cur === undefined) problems.push(`${p}: not in the chart's defaults`);
                else if (cur !== def && !p.includes("-")) problems.push(`${p}: default is ${JSON.stringify(cur)}, table has ${JSON.stringify(def)}`);
            }
            assert.deepEqual(problems, [], problems.join("\n"));
        });
    }
});

describe("ops: plan fixes", () => {
    it("plan.json counts the GPUs of prefill pods (serving-llmd: 2 decode + 1 decode + 1 prefill = 4)", async () => {
        const plan = await planExample("stacks/examples/serving-llmd.yaml");
        const planned = planModels(plan.config);
        const json = planJson("serving-llmd", plan.config, planned, gpuMaps(plan.config, planned));
        assert.equal(json.pools[0].gpusUsed, 4);
        const cells = gpuMaps(plan.config, planned)[0].grid.flat().filter((c) => c?.role === "prefill");
        assert.deepEqual(cells.map((c) => c!.model), ["qwen3-0-6b-pd"]);
    });

    it("sizes prefill pods by their own tensor degree, and counts KServe and Dynamo prefill workers", () => {
        const fleet = { pools: [{ name: "h", nodes: 2, accelerator: { vendor: "nvidia", product: "H100", memoryGiB: 80, perNode: 8 } }] };
        const used = (models: unknown[]) => {
            const c = parseStackConfig({ fleet, models });
            const p = planModels(c);
            return planJson("t", c, p, gpuMaps(c, p)).pools[0].gpusUsed;
        };
        assert.equal(used([{ model: "meta-llama/Llama-3.1-8B-Instruct", serving: "llmd", replicas: 1, parallelism: { tensor: 2 }, llmd: { prefillReplicas: 2, prefillTensor: 1 } }]), 2 + 2);
        assert.equal(used([{ model: "meta-llama/Llama-3.1-8B-Instruct", serving: "llmisvc", replicas: 1, parallelism: { tensor: 2 }, llmisvc: { prefillReplicas: 1 } }]), 2 + 2);
        assert.equal(used([{ model: "meta-llama/Llama-3.1-8B-Instruct", serving: "dynamo", replicas: 1, parallelism: { tensor: 2 }, dynamo: { disaggregated: true, prefillReplicas: 2 } }]), 2 + 4);
        assert.equal(used([{ model: "meta-llama/Llama-3.1-8B-Instruct", serving: "dynamo", replicas: 1, parallelism: { tensor: 2 } }]), 2);
    });

    it("writes a masked Secret as a valid Secret (each key \"[secret]\")", async () => {
        const plan = await planExample("stacks/examples/serving-kserve.yaml");
        const secrets = plan.manifests.filter((m) => m.kind === "object" && m.doc["kind"] === "Secret");
        assert.ok(secrets.length > 0, "serving-kserve plans the HF token Secret");
        for (const s of secrets) {
            const data = (s.doc["stringData"] ?? s.doc["data"]) as unknown;
            assert.ok(data && typeof data === "object" && !Array.isArray(data), `${s.file}: stringData must be a map, got ${JSON.stringify(data)}`);
            for (const [k, v] of Object.entries(data as object)) assert.equal(v, "[secret]", `${s.file}: ${k}`);
        }
    });
});
