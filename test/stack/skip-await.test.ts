/** cluster.skipAwait: no readiness or deletion waits on anything that needs kubelets or controllers. */
import { strict as assert } from "node:assert";
import { parseStackConfig } from "../../stacks/config/load";
import { InferenceStack } from "../../stacks/stack/inference-stack";
import * as pulumi from "@pulumi/pulumi";
import { registered, resetRecords } from "../helpers";

const SKIP = { "pulumi.com/skipAwait": "true", "pulumi.com/deletionPropagationPolicy": "background" };

function build(name: string, skipAwait: boolean) {
    const cfg = parseStackConfig({
        cluster: { skipAwait },
        fleet: { pools: [{ name: "l4", nodes: 3, accelerator: { vendor: "nvidia", product: "L4", memoryGiB: 24, perNode: 1 } }] },
        platform: { monitoring: { enabled: false } },
        models: [
            { name: "v", model: "Qwen/Qwen3-0.6B", cacheSize: "20Gi", workload: "Deployment" },
            { name: "t", model: "meta-llama/Llama-3.2-3B-Instruct", engine: "trtllm", cacheSize: "30Gi" },
        ],
    });
    new InferenceStack(name, { config: { ...cfg, secrets: { hfToken: pulumi.secret("hf_x") } } });
}

const annotationsOf = (r: { inputs: Record<string, unknown> }) => ((r.inputs["metadata"] ?? {}) as { annotations?: Record<string, string> }).annotations ?? {};

describe("cluster.skipAwait", () => {
    beforeEach(resetRecords);

    it("annotates the namespace, its Secret, workloads, Services and PVCs", async () => {
        build("sa1", true);
        const kinds = ["core/v1:Namespace", "core/v1:Secret", "core/v1:Service", "core/v1:PersistentVolumeClaim", "apps/v1:Deployment", "apps/v1:StatefulSet"];
        for (const k of kinds) {
            const rs = (await registered(`kubernetes:${k}`)).filter((r) => !/gpu-operator|nfd|node-feature/.test(r.name));
            assert.ok(rs.length > 0, `registered a ${k}`);
            for (const r of rs) assert.deepEqual(annotationsOf(r), { ...annotationsOf(r), ...SKIP }, `${k} ${r.name}`);
        }
    });

    it("adds nothing by default (the provider waits for readiness and deletes in the foreground)", async () => {
        build("sa2", false);
        for (const r of (await registered()).filter((x) => x.custom && x.type.startsWith("kubernetes:") && x.type !== "pulumi:providers:kubernetes")) {
            assert.equal(annotationsOf(r)["pulumi.com/skipAwait"], undefined, `${r.type} ${r.name}`);
        }
    });
});
