/** Rack-scale NVLink: multi-node groups on an NVL72 pool claim the pool's ComputeDomain channel. */
import { strict as assert } from "node:assert";
import { parseStackConfig } from "../../stacks/config/load";
import { InferenceStack } from "../../stacks/stack/inference-stack";
import { one, resetRecords } from "../helpers";
import { spec } from "./fixtures";

const gb200 = { name: "gb200", nodes: 18, nvlinkDomain: 72, accelerator: { vendor: "nvidia", product: "GB200", memoryGiB: 186, perNode: 4 } };

describe("ComputeDomain channels on multi-node engines", () => {
    beforeEach(resetRecords);

    it("every pod of an LWS group on an NVL72 pool claims the channel and the group waits for the ComputeDomain", async () => {
        const cfg = parseStackConfig({
            fleet: { pools: [gb200] },
            models: [{ name: "r1", model: "deepseek-ai/DeepSeek-R1", parallelism: { tensor: 8 }, multiNode: "lws" }],
        });
        new InferenceStack("cd", { config: { ...cfg, secrets: {} } });
        const lws = await one("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "r1");
        const cd = await one("kubernetes:resource.nvidia.com/v1beta1:ComputeDomain", /gb200-imex/);
        assert.ok(lws.dependsOn.includes(cd.urn), "the LWS depends on the ComputeDomain");
        for (const role of ["leaderTemplate", "workerTemplate"]) {
            const pod = spec(lws).leaderWorkerTemplate[role].spec;
            assert.deepEqual(pod.resourceClaims, [{ name: "compute-domain-channel", resourceClaimTemplateName: "gb200-imex-channel" }], role);
            assert.deepEqual(pod.containers[0].resources.claims, [{ name: "compute-domain-channel" }], role);
            assert.equal(pod.containers[0].resources.limits["nvidia.com/gpu"], "4", `${role}: GPUs still come from the device plugin`);
        }
    });

    it("HGX pools (NVLink inside one node) get no channel", async () => {
        const h100 = { name: "h100", nodes: 2, accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 }, rdma: { nicsPerNode: 8, resourceName: "rdma/rdma_shared_device_a" } };
        const cfg = parseStackConfig({ fleet: { pools: [h100] }, models: [{ name: "l70", model: "meta-llama/Llama-3.3-70B-Instruct", parallelism: { tensor: 8, pipeline: 2 } }] });
        new InferenceStack("hgx", { config: { ...cfg, secrets: {} } });
        const lws = await one("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "l70");
        assert.equal(spec(lws).leaderWorkerTemplate.workerTemplate.spec.resourceClaims, undefined);
    });
});
