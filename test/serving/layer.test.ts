/** ServingLayer: example stacks end to end on the mock engine, installs once, CRD ordering, config problems. */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { InferenceStack } from "../../stacks/stack/inference-stack";
import { parseStackConfig } from "../../stacks/config/load";
import { readStackFile, splitConfig } from "../../stacks/plan/plan";
import { servingConfigProblems } from "../../stacks/stack/layers/serving";
import { ancestry, promiseOf, registered, resetRecords, ROOT, waitsFor } from "../helpers";
import { config, H100_POOL } from "./fixtures";

/** Build the whole stack for an example file (secrets as dummy Pulumi secrets). */
function stackFor(file: string): InferenceStack {
    const sf = readStackFile(path.join(ROOT, file));
    const { structured, secretKeys } = splitConfig(sf);
    const secrets = Object.fromEntries(secretKeys.map((k) => [k, pulumi.secret("dummy")]));
    return new InferenceStack(path.basename(file, ".yaml"), { config: { ...parseStackConfig(structured), secrets } });
}

const EXPECTED: Record<string, Record<string, string>> = {
    "stacks/examples/serving-kserve.yaml": {
        "huggingface-llama3": "http://huggingface-llama3-predictor.inference.svc.cluster.local/openai/v1",
        fbopt: "http://fbopt-predictor.inference.svc.cluster.local/openai/v1",
    },
    "stacks/examples/serving-kserve-knative.yaml": { "qwen3-scale-to-zero": "http://qwen3-scale-to-zero-predictor.inference.svc.cluster.local/openai/v1" },
    "stacks/examples/serving-llmisvc.yaml": {
        "llama-3-8b": "http://inference-gateway-istio.inference.svc.cluster.local/inference/llama-3-8b/v1",
        "llama-3-8b-pd": "http://inference-gateway-istio.inference.svc.cluster.local/inference/llama-3-8b-pd/v1",
    },
    "stacks/examples/serving-llmd.yaml": {
        "qwen3-0-6b": "http://llm-d-inference-gateway-istio.llm-d.svc.cluster.local/qwen3-0-6b/v1",
        "qwen3-0-6b-pd": "http://llm-d-inference-gateway-istio.llm-d.svc.cluster.local/qwen3-0-6b-pd/v1",
    },
    "stacks/examples/serving-rayserve.yaml": { "qwen3-32b": "http://qwen3-32b-serve-svc.inference.svc.cluster.local:8000/v1" },
    "stacks/examples/serving-nim.yaml": { "llama-3-1-8b-nim": "http://llama-3-1-8b-nim.inference.svc.cluster.local:8000/v1" },
    "stacks/examples/serving-dynamo.yaml": {
        "qwen3-agg": "http://qwen3-agg-frontend.inference.svc.cluster.local:8000/v1",
        "qwen3-disagg": "http://qwen3-disagg-frontend.inference.svc.cluster.local:8000/v1",
    },
};

/** Kubernetes' own API groups with a dot in the name (no CRD, so no installer). */
const BUILT_IN_GROUPS = ["rbac.authorization.k8s.io", "networking.k8s.io", "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "resource.k8s.io"];

describe("serving: ServingLayer on the example stacks", function () {
    this.timeout(120000);
    beforeEach(resetRecords);

    for (const [file, endpoints] of Object.entries(EXPECTED)) {
        it(`${file}: every served model exports its endpoint; every custom resource depends (transitively) on its CRD installer`, async () => {
            const stack = stackFor(file);
            assert.deepEqual(await promiseOf(stack.endpoints), endpoints);
            const all = await registered();
            const layerUrn = await promiseOf(stack.serving.urn);
            const installers: Record<string, pulumi.Resource | undefined> = { ...stack.platform.crdInstallers, ...stack.serving.crdInstallers };
            const crs = all.filter(
                (r) =>
                    r.custom &&
                    ancestry(r, all).includes(layerUrn) &&
                    /^kubernetes:[a-z0-9.-]+\.[a-z]+\/v\w+:\w+$/.test(r.type) &&
                    !r.type.startsWith("kubernetes:helm.sh/") &&
                    !BUILT_IN_GROUPS.some((g) => r.type.startsWith(`kubernetes:${g}/`)),
            );
            assert.ok(crs.length > 0);
            for (const r of crs) {
                const [, group, kind] = /^kubernetes:([a-z0-9.-]+)\/v\w+:(\w+)$/.exec(r.type)!;
                const inst = installers[`${group}/${kind}`] ?? installers[group];
                assert.ok(inst, `${r.type} ${r.name}: no CRD installer for ${group} in this stack`);
                const urn = await promiseOf(inst.urn);
                // Directly or through a chain (an InferenceService waits for KServe's last release, which waits for the CRD chart).
                assert.ok(
                    waitsFor(r, all, (u) => u === urn),
                    `${r.type} ${r.name} must depend on ${urn}, directly or transitively; has ${r.dependsOn.join(", ")}`,
                );
            }
        });
    }

    it("installs once per stack, only what the models need", async () => {
        stackFor("stacks/examples/serving-kserve.yaml");
        const releases = (await registered("kubernetes:helm.sh/v3:Release")).map((r) => (r.inputs as { name: string }).name);
        assert.equal(releases.filter((n) => n === "kserve").length, 1);
        assert.ok(releases.includes("kserve-crd") && releases.includes("kserve-runtime-configs"));
        for (const absent of ["kserve-llmisvc", "llm-d-infra", "nim-operator", "dynamo-platform", "knative-operator"]) assert.ok(!releases.includes(absent), absent);
    });
});

describe("serving: servingConfigProblems", () => {
    it("names the config path, the bad value and what is allowed", () => {
        const cfg = config(
            [
                { name: "a", model: "Qwen/Qwen3-0.6B", serving: "llmd", autoscaling: { max: 2 } },
                { name: "b", model: "Qwen/Qwen3-0.6B", serving: "nim" },
                { name: "c", model: "meta-llama/Llama-3.1-405B-Instruct", serving: "kserve", parallelism: { tensor: 8, pipeline: 2 } },
                { name: "d", model: "Qwen/Qwen3-0.6B", serving: "rayserve", engine: "sglang" },
            ],
            [{ ...H100_POOL, nodes: 6 }],
            { gateway: { provider: "kgateway" } },
        );
        const p = servingConfigProblems(cfg);
        const has = (re: RegExp) => assert.ok(p.some((x) => re.test(x)), `${re} not in:\n${p.join("\n")}`);
        has(/^inference-platform:models\[0\]\.autoscaling: not supported with serving "llmd"; autoscaling works with serving: engine, kserve, rayserve$/);
        has(/^inference-platform:platform\.gateway\.provider: got "kgateway"; .* allowed with serving "llmd": "istio", "agentgateway"$/);
        has(/^inference-platform:models\[1\]\.nim\.image: required/);
        has(/^inference-platform:models\[1\]\.nim\.tag: required/);
        has(/^inference-platform:models\[2\]\.serving: got "kserve", but one replica spans 2 nodes/);
        has(/^inference-platform:models\[3\]\.engine: engine "sglang"/);
        assert.deepEqual(servingConfigProblems(config([{ name: "ok", model: "Qwen/Qwen3-0.6B", serving: "kserve" }])), []);
    });
});
