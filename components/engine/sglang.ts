/**
 * SglangServer: one model on SGLang, single node — the same contract as VllmServer (StatefulSet or
 * Deployment, Service, /dev/shm, accelerators or DRA claim, HF token, retained cache, probes,
 * PodMonitor) with SGLang's image and flags: `python3 -m sglang.launch_server --model-path … --tp-size …
 * --host 0.0.0.0 --port 30000 --enable-metrics`. OpenAI API and /metrics on 30000.
 */
import * as pulumi from "@pulumi/pulumi";
import { images } from "../versions";
import { componentOpts, componentType } from "../common/k8s";
import { resolveArgs, EngineServerArgs, Placement, ResolvedEngineArgs } from "./types";
import type { Model } from "../types";
import { extraEnv, hfTokenEnv } from "./pod";
import { HF_CACHE_PATH } from "./vllm";
import { serviceUrl, singleNodeServer, validateCommon } from "./workload";
import { kvCacheDtypeArgs } from "../physical/quant";

export const SGLANG_PORT = 30000;
/** Port of SGLang's torch.distributed rendezvous on the leader of a multi-node group. */
export const SGLANG_DIST_PORT = 20000;

/** The SGLang image for the pool's vendor (ROCm build for AMD). Overridden by `model.image`. */
export function sglangImage(args: Pick<ResolvedEngineArgs, "model" | "pool">): string {
    if (args.model.image) return args.model.image;
    return args.pool.accelerator.vendor === "amd" ? images.sglangRocm : images.sglang;
}

/** Multi-node rendezvous: `--dist-init-addr`, `--nnodes`, `--node-rank` (LWS env, expanded by the kubelet). */
export interface SglangMultiNode {
    distInitAddr: string;
    nnodes: string;
    nodeRank: string;
}

/**
 * `python3 -m sglang.launch_server` arguments (after `-m sglang.launch_server`). Pure.
 * `gpuMemoryUtilization` maps to `--mem-fraction-static` (SGLang's share of GPU memory for weights
 * and KV cache); `extraArgs` come last.
 */
export function sglangArgs(args: { model: Model; placement: Placement }, multiNode?: SglangMultiNode): string[] {
    const { model, placement } = args;
    const a = [
        "--model-path",
        model.model,
        "--served-model-name",
        model.model,
        // The full option name: `--tp` only works as an argparse abbreviation of `--tp-size`.
        "--tp-size",
        String(placement.tensor),
    ];
    if (placement.pipeline > 1) a.push("--pp-size", String(placement.pipeline));
    if (placement.data > 1) a.push("--dp-size", String(placement.data));
    if (multiNode) {
        a.push("--dist-init-addr", multiNode.distInitAddr, "--nnodes", multiNode.nnodes, "--node-rank", multiNode.nodeRank);
    }
    a.push(
        "--host",
        "0.0.0.0",
        "--port",
        String(SGLANG_PORT),
        "--context-length",
        String(model.maxModelLen),
        "--mem-fraction-static",
        String(model.gpuMemoryUtilization),
        "--enable-metrics",
    );
    a.push(...kvCacheDtypeArgs("sglang", model.kvCacheDtype));
    return [...a, ...model.extraArgs];
}

/** Probes on SGLang's /health (same budget as vLLM: up to 60 minutes to load). */
export function sglangProbes() {
    return {
        readinessProbe: { httpGet: { path: "/health", port: SGLANG_PORT }, periodSeconds: 10, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: "/health", port: SGLANG_PORT }, periodSeconds: 30, failureThreshold: 5 },
        startupProbe: { httpGet: { path: "/health", port: SGLANG_PORT }, periodSeconds: 10, failureThreshold: 360 },
    };
}

export class SglangServer extends pulumi.ComponentResource {
    /** In-cluster OpenAI-compatible base URL, e.g. http://qwen3.inference.svc.cluster.local:30000/v1. */
    public readonly url: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly podLabels: { [key: string]: string };

    constructor(name: string, args: EngineServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("SglangServer"), name, args, componentOpts("engine", "SglangServer", opts));
        const resolved = resolveArgs(args);
        validate(name, resolved, this);
        const { model } = resolved;
        const { service, podLabels } = singleNodeServer(this, name, resolved, {
            component: "sglang",
            container: {
                name: "sglang",
                image: sglangImage(resolved),
                command: ["python3", "-m", "sglang.launch_server"],
                args: sglangArgs(resolved),
                ports: [{ name: "http", containerPort: SGLANG_PORT }],
                env: [...hfTokenEnv(resolved.hfTokenSecretName), ...extraEnv(model.env)],
                ...sglangProbes(),
            },
            servicePorts: [{ name: "http", port: SGLANG_PORT, targetPort: SGLANG_PORT }],
            metrics: { port: "http", path: "/metrics" },
            cacheMountPath: HF_CACHE_PATH,
        });
        this.podLabels = podLabels;
        this.serviceName = service.metadata.name;
        this.url = serviceUrl(service, SGLANG_PORT, "/v1");
        this.registerOutputs({ url: this.url, serviceName: this.serviceName });
    }
}

function validate(name: string, args: ResolvedEngineArgs, parent: pulumi.Resource): void {
    const { placement, pool } = args;
    if (placement.nodesPerReplica !== 1) {
        throw new pulumi.ResourceError(
            `SglangServer ${name}: one replica spans ${placement.nodesPerReplica} nodes; SglangServer is single-node. Use models[].multiNode: lws.`,
            parent,
        );
    }
    if (pool.accelerator.vendor === "intel" && !args.model.image) {
        throw new pulumi.ResourceError(
            `SglangServer ${name}: no SGLang image for Intel Gaudi in the versions table; set models[].image or use engine vllm.`,
            parent,
        );
    }
    validateCommon("SglangServer", name, args, parent);
}
