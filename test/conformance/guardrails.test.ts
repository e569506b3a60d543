/**
 * Every stack config in the repo passes the project's own policy pack (configured with that
 * stack's fleet), as CrossGuard would run it on `pulumi preview --policy-pack policies`.
 */
import { strict as assert } from "node:assert";
import { runGuardrails } from "../../stacks/plan/guardrails";
import { planExample, stackFiles } from "../helpers";

describe("guardrails: every stack config passes the policy pack", () => {
    for (const file of stackFiles()) {
        it(`${file}: no mandatory policy violation`, async () => {
            const plan = await planExample(file);
            const { findings } = runGuardrails(plan.resources, plan.config.fleet);
            const mandatory = findings.filter((f) => f.enforcement === "mandatory").map((f) => `${f.policy}: ${f.kind}/${f.name}: ${f.message}`);
            assert.deepEqual(mandatory, [], mandatory.join("\n"));
        });
    }

    it("would catch a violation: an engine asking for more GPUs than its node has", async () => {
        const plan = await planExample("Pulumi.dev.yaml");
        const resources = JSON.parse(JSON.stringify(plan.resources)) as typeof plan.resources;
        const sts = resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet")!;
        const c = (sts.inputs as any).spec.template.spec.containers[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
        c.resources = { limits: { "nvidia.com/gpu": "4" } };
        const { findings } = runGuardrails(resources, plan.config.fleet);
        assert.ok(findings.some((f) => f.policy === "gpus-per-pod-fit-node" && f.enforcement === "mandatory"), JSON.stringify(findings, null, 1));
    });
});
