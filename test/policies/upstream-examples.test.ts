/**
 * The seed deck's upstream examples (fixtures/upstream: vLLM StatefulSet TP4, LWS vLLM TP4×PP2,
 * Triton TRT-LLM with dshm, DRA double-gpu and CEL-selected H100, KServe + KEDA) pass every rule
 * with a matching fleet — through the YAML path and through CrossGuard — and a variant breaking
 * each rule fails with that rule.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { clone, fixtures, h100Config, pulumiTypeOf, readYaml, validateResource, validateStack, type FakeResource, type Props } from "./harness";
import { evaluate, type Finding } from "../../policies/lib/evaluate";
import { parsePackConfig } from "../../policies/lib/config";
import { subjectsFromDocument } from "../../policies/lib/workload";
import { policies } from "../../policies/pack";
import { ruleNames, rules } from "../../policies/rules";
import type { StackItem } from "../../policies/lib/rule";

const dir = path.join(fixtures, "upstream");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
type Docs = Record<string, Props[]>;
const load = (): Docs => Object.fromEntries(files.map((f) => [f, readYaml(path.join(dir, f))]));
const cfg = parsePackConfig(h100Config, ruleNames);

function run(docs: Docs): Finding[] {
    const items: StackItem[] = Object.entries(docs).flatMap(([f, ds]) => ds.flatMap((d, i) => subjectsFromDocument(d, f).map((subject) => ({ subject, id: `${f}#${i}` }))));
    return evaluate(items, rules, cfg).findings;
}

function find(docs: Docs, kind: string, name: string): Props {
    const d = Object.values(docs).flat().find((x) => x.kind === kind && (x.metadata as Props).name === name);
    if (!d) throw new Error(`fixture ${kind}/${name} not found`);
    return d;
}

/** Pod spec at a dotted path (arrays by index). */
function at(o: Props, p: string): Props {
    return p.split(".").reduce<Props>((cur, k) => cur[k] as Props, o);
}

describe("policies: upstream examples", () => {
    it("has the five seed-deck examples", () => {
        assert.deepEqual(files, ["dra-claims.yaml", "kserve-isvc-keda.yaml", "lws-vllm-tp4-pp2.yaml", "triton-trtllm.yaml", "vllm-statefulset-tp4.yaml"]);
    });

    it("pass every rule with a matching fleet (YAML path)", () => {
        assert.deepEqual(run(load()), []);
    });

    it("pass every CrossGuard policy as Pulumi resources", async () => {
        const docs = Object.values(load()).flat();
        const lwsRelease: FakeResource = { type: "kubernetes:helm.sh/v3:Release", name: "lws", props: { chart: "lws", values: {} } };
        const resources: FakeResource[] = [
            lwsRelease,
            ...docs.map((d, i) => ({ type: pulumiTypeOf(d), name: `${(d.metadata as Props).name}-${i}`, props: d, dependsOn: ["lws"] })),
        ];
        for (const p of policies) {
            if ("validateResource" in p) {
                for (const r of resources) {
                    const out = await validateResource(p.name, r.type, r.props, h100Config, r.name);
                    assert.deepEqual(out.violations, [], `${p.name} on ${r.name}`);
                }
            } else {
                const out = await validateStack(p.name, resources, h100Config);
                assert.deepEqual(out.violations, [], p.name);
            }
        }
    });

    const variants: [rule: string, what: string, breakIt: (d: Docs) => void][] = [
        ["gpu-whole-number-limits", "fractional GPU limit", (d) => { at(find(d, "StatefulSet", "llama-70b"), "spec.template.spec.containers.0.resources").limits = { "nvidia.com/gpu": "3.5" }; }],
        ["gpus-per-pod-fit-node", "16 GPUs in one Triton pod", (d) => {
            const c = at(find(d, "Deployment", "triton-llama-8b"), "spec.template.spec.containers.0");
            c.resources = { limits: { "nvidia.com/gpu": 16 } };
            c.command = ["python3", "/app/scripts/launch_triton_server.py", "--world_size=16", "--model_repo=/models/triton"];
        }],
        ["parallelism-matches-topology", "LWS group of 3 for TP4×PP2", (d) => { at(find(d, "LeaderWorkerSet", "llama-405b"), "spec.leaderWorkerTemplate").size = 3; }],
        ["multi-node-rdma-and-group-restart", "LWS worker without RDMA", (d) => { at(find(d, "LeaderWorkerSet", "llama-405b"), "spec.leaderWorkerTemplate.workerTemplate.spec.containers.0.resources").limits = { "nvidia.com/gpu": "4" }; }],
        ["multi-node-rdma-and-group-restart", "LWS restartPolicy None", (d) => { at(find(d, "LeaderWorkerSet", "llama-405b"), "spec.leaderWorkerTemplate").restartPolicy = "None"; }],
        ["multi-gpu-shm", "TP4 StatefulSet without /dev/shm", (d) => { delete at(find(d, "StatefulSet", "llama-70b"), "spec.template.spec.containers.0").volumeMounts; }],
        ["accelerator-vendor-consistent", "ROCm image on NVIDIA GPUs", (d) => { at(find(d, "StatefulSet", "llama-70b"), "spec.template.spec.containers.0").image = "rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909"; }],
        ["dra-and-device-plugin-not-mixed", "DRA claim plus nvidia.com/gpu", (d) => { at(find(d, "Deployment", "qwen-dra-tp2"), "spec.template.spec.containers.0.resources").limits = { "nvidia.com/gpu": "2" }; }],
        ["gpu-pods-pinned-to-pool", "Triton without the taint toleration", (d) => { delete at(find(d, "Deployment", "triton-llama-8b"), "spec.template.spec").tolerations; }],
        ["engine-images-pinned", "untagged vLLM image", (d) => { at(find(d, "StatefulSet", "llama-70b"), "spec.template.spec.containers.0").image = "vllm/vllm-openai"; }],
        ["model-tokens-from-secrets", "literal HF_TOKEN in the InferenceService", (d) => { at(find(d, "InferenceService", "llama3-8b"), "spec.predictor.model").env = [{ name: "HF_TOKEN", value: "hf_" + "Z".repeat(34) }]; }],
        ["fleet-capacity-at-min-replicas", "KServe minReplicas 20", (d) => { Object.assign(at(find(d, "InferenceService", "llama3-8b"), "spec.predictor"), { minReplicas: 20, maxReplicas: 20 }); }],
        ["engines-scraped", "vLLM StatefulSet without its PodMonitor", (d) => { d["vllm-statefulset-tp4.yaml"] = d["vllm-statefulset-tp4.yaml"].filter((x) => x.kind !== "PodMonitor"); }],
    ];
    for (const [rule, what, breakIt] of variants) {
        it(`${what} fails ${rule}`, () => {
            const d = clone(load());
            breakIt(d);
            const findings = run(d);
            assert.ok(findings.some((f) => f.policy === rule), `expected ${rule}, got ${JSON.stringify(findings.map((f) => f.policy))}`);
        });
    }

    it("KServe maxReplicas over the fleet is only an advisory finding", () => {
        const d = clone(load());
        Object.assign(at(find(d, "InferenceService", "llama3-8b"), "spec.predictor"), { maxReplicas: 12 });
        const findings = run(d);
        assert.deepEqual(findings.map((f) => [f.policy, f.enforcement]), [["fleet-capacity-at-max-replicas", "advisory"]]);
    });

    it("the LWS without dependsOn its installer fails custom-resources-depend-on-crd-installer (CrossGuard only)", async () => {
        const lws = find(load(), "LeaderWorkerSet", "llama-405b");
        const r = await validateStack("custom-resources-depend-on-crd-installer", [
            { type: "kubernetes:helm.sh/v3:Release", name: "lws", props: { chart: "lws", values: {} } },
            { type: pulumiTypeOf(lws), name: "llama-405b", props: lws },
        ]);
        assert.equal(r.violations.length, 1);
    });
});
