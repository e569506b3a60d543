/** InferenceStack wiring: one provider, layers in order under the stack, real dependencies. */
import { strict as assert } from "node:assert";
import { parseStackConfig, StackConfig } from "../../stacks/config/load";
import { InferenceStack } from "../../stacks/stack/inference-stack";
import { promiseOf, registered, resetRecords, one } from "../helpers";

function config(extra: Partial<StackConfig> = {}): StackConfig {
    const parsed = parseStackConfig({
        fleet: { pools: [{ name: "l4", nodes: 2, accelerator: { vendor: "nvidia", product: "L4", memoryGiB: 24, perNode: 1 } }] },
        models: [{ model: "Qwen/Qwen3-0.6B" }],
        platform: { monitoring: { enabled: false } },
    });
    return { ...parsed, secrets: {}, ...extra };
}

describe("InferenceStack", () => {
    beforeEach(resetRecords);

    it("creates one Kubernetes provider and the layers, in order, under the stack", async () => {
        new InferenceStack("t1", { config: config() });
        const all = await registered();
        const providers = all.filter((r) => r.type === "pulumi:providers:kubernetes");
        assert.equal(providers.length, 1);
        const stack = all.find((r) => r.type === "inference-platform:stack:InferenceStack")!;
        const layers = all.filter((r) => /Layer$/.test(r.type));
        assert.deepEqual(
            layers.map((l) => l.type),
            ["inference-platform:stack:PlatformLayer", "inference-platform:stack:EngineLayer", "inference-platform:stack:ServingLayer"],
        );
        for (const l of layers) assert.equal(l.parent, stack.urn, `${l.type} is a child of the stack`);
        assert.equal(providers[0].parent, stack.urn);
        // Provider inputs travel as strings on the wire.
        assert.equal(String(providers[0].inputs["enableServerSideApply"]), "true");
    });

    it("places engine workloads in the platform's namespace, depending on it", async () => {
        new InferenceStack("t2", { config: config() });
        const ns = await one("kubernetes:core/v1:Namespace", "workloads");
        const sts = await one("kubernetes:apps/v1:StatefulSet", "qwen3-0-6b");
        assert.ok(sts.dependsOn.includes(ns.urn), "the StatefulSet depends on the namespace it lives in");
        assert.equal((sts.inputs["metadata"] as { namespace: string }).namespace, "inference");
    });

    it("creates the HF token Secret only when a token is configured, and keeps it secret", async () => {
        new InferenceStack("t3", { config: config() });
        assert.equal((await registered("kubernetes:core/v1:Secret")).length, 0);
        await resetRecords();
        const { secret } = await import("@pulumi/pulumi");
        const s = new InferenceStack("t4", { config: config({ secrets: { hfToken: secret("hf_xyz") } }) });
        const sec = await one("kubernetes:core/v1:Secret", "workloads-hf-token");
        assert.equal(JSON.stringify(sec.inputs).includes("hf_xyz"), false, "the token never appears in plain text");
        // Masked per key, so the planned manifest is still a valid Secret (stringData: map of strings).
        assert.deepEqual(sec.inputs["stringData"], { HF_TOKEN: "[secret]" });
        const sts = await one("kubernetes:apps/v1:StatefulSet", "qwen3-0-6b");
        const env = ((sts.inputs as any).spec.template.spec.containers[0].env as { name: string; valueFrom?: unknown }[]);
        assert.deepEqual(env.find((e) => e.name === "HF_TOKEN")?.valueFrom, { secretKeyRef: { name: "hf-token", key: "HF_TOKEN" } });
        const endpoints = await promiseOf(s.endpoints);
        assert.deepEqual(endpoints, { "qwen3-0-6b": "http://qwen3-0-6b.inference.svc.cluster.local:8000/v1" });
    });
});
