/**
 * Entry point of the CrossGuard pack: the only place a PolicyPack is constructed (constructing one
 * starts the analyzer's gRPC server). Rules live in rules/, adapters in pack.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./pack";

new PolicyPack("inference-platform-guardrails", {
    description: "GPU, topology and safety guardrails for LLM inference on Kubernetes.",
    displayName: "Inference platform guardrails",
    provider: "kubernetes",
    tags: ["kubernetes", "gpu", "llm", "inference"],
    policies,
});
