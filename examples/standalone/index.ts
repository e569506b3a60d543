/**
 * Using the components on their own, in any Pulumi TypeScript program: no stack config, no
 * InferenceStack. A node pool, a model id, and the component plans its own placement with the
 * sizing planner (components/physical/planner.ts). `npm run build` type-checks this file and
 * test/components/standalone.test.ts runs it on the mock engine.
 *
 *   import { deploy } from "./index";   // or: export const endpoints = deploy();
 */
import * as pulumi from "@pulumi/pulumi";
import { VllmServer } from "../../components/engine/vllm";
import { SglangServer } from "../../components/engine/sglang";
import { LlmD } from "../../components/serving/llmd";
import type { NodePool } from "../../components/types";

/** One pool of four 8 × H100 nodes. Everything not written here takes its documented default. */
export const h100: NodePool = {
    name: "h100",
    nodes: 4,
    accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 },
};

export function deploy(namespace = "inference"): { [model: string]: pulumi.Output<string> } {
    // The planner picks TP2 for a 70B model at 16k context on H100s.
    const llama = new VllmServer("llama", {
        namespace,
        pool: h100,
        model: { model: "meta-llama/Llama-3.3-70B-Instruct", maxModelLen: 16384 },
        hfTokenSecretName: "hf-token",
    });
    const qwen = new SglangServer("qwen", { namespace, pool: h100, model: { model: "Qwen/Qwen3-8B", engine: "sglang", replicas: 2 } });
    // llm-d behind an existing inference Gateway.
    const routed = new LlmD("qwen-llmd", {
        namespace,
        pool: h100,
        model: { model: "Qwen/Qwen3-32B", name: "qwen-llmd", llmd: { prefillReplicas: 1 } },
        gateway: { name: "inference-gateway", namespace: "gateway", className: "istio" },
        provider: "istio",
    });
    return { llama: llama.url, qwen: qwen.url, "qwen-llmd": routed.url };
}
