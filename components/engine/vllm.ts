/**
 * VllmServer: one model on vLLM, single node (tensor/pipeline parallel inside the node).
 * StatefulSet (default, as in the seed deck) or Deployment, a Service with the OpenAI API on 8000,
 * in-memory /dev/shm, accelerator limits for the pool's vendor (or a DRA claim), the HF token from
 * a Secret, an optional model cache PVC kept on delete, readiness on /health, a startup probe long
 * enough for model download + load, and a PodMonitor on /metrics.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { images } from "../versions";
import { componentOpts, componentType } from "../common/k8s";
import { resolveArgs, EngineServerArgs, ResolvedEngineArgs } from "./types";
import { extraEnv, hfTokenEnv } from "./pod";
import { serviceUrl, singleNodeServer, validateCommon } from "./workload";
import { kvCacheDtypeArgs } from "../physical/quant";

export const VLLM_PORT = 8000;
/** Where the vLLM images keep the Hugging Face cache (HF_HOME default for root). */
export const HF_CACHE_PATH = "/root/.cache/huggingface";

/** The vLLM image for the pool's vendor (ROCm build for AMD, Gaudi build for Intel). Overridden by `model.image`. */
export function vllmImage(args: Pick<ResolvedEngineArgs, "model" | "pool">): string {
    if (args.model.image) return args.model.image;
    switch (args.pool.accelerator.vendor) {
        case "amd":
            return images.vllmRocm;
        case "intel":
            return images.vllmGaudi;
        default:
            return images.vllm;
    }
}

/**
 * `vllm serve` arguments for a placement (without the leading `serve`). Pure; tests and the
 * multi-node engines reuse it. `extraArgs` come last so users can override any flag.
 */
export function vllmServeArgs(args: Pick<ResolvedEngineArgs, "model" | "placement">, opts: { ray?: boolean } = {}): string[] {
    const { model, placement } = args;
    const a = [
        model.model,
        "--served-model-name",
        model.model,
        "--host",
        "0.0.0.0",
        "--port",
        String(VLLM_PORT),
        "--tensor-parallel-size",
        String(placement.tensor),
    ];
    if (placement.pipeline > 1) a.push("--pipeline-parallel-size", String(placement.pipeline));
    if (placement.data > 1) a.push("--data-parallel-size", String(placement.data));
    if (opts.ray) a.push("--distributed-executor-backend", "ray");
    a.push("--max-model-len", String(model.maxModelLen), "--gpu-memory-utilization", String(model.gpuMemoryUtilization));
    a.push(...kvCacheDtypeArgs("vllm", model.kvCacheDtype));
    return [...a, ...model.extraArgs];
}

/** Probes on vLLM's /health: ready when it answers, restarted when it stops, up to 60 minutes to load. */
export function vllmProbes(port: number | string = VLLM_PORT): Pick<k8s.types.input.core.v1.Container, "readinessProbe" | "livenessProbe" | "startupProbe"> {
    return {
        readinessProbe: { httpGet: { path: "/health", port }, periodSeconds: 10, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: "/health", port }, periodSeconds: 30, failureThreshold: 5 },
        // Downloading and loading weights can take many minutes: allow up to 60 minutes.
        startupProbe: { httpGet: { path: "/health", port }, periodSeconds: 10, failureThreshold: 360 },
    };
}

export class VllmServer extends pulumi.ComponentResource {
    /** In-cluster OpenAI-compatible base URL, e.g. http://qwen3.inference.svc.cluster.local:8000/v1. */
    public readonly url: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    /** The pod labels; monitors and routes select on these. */
    public readonly podLabels: { [key: string]: string };

    constructor(name: string, args: EngineServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("VllmServer"), name, args, componentOpts("engine", "VllmServer", opts));
        const resolved = resolveArgs(args);
        validate(name, resolved, this);
        const { model } = resolved;
        const { service, podLabels } = singleNodeServer(this, name, resolved, {
            component: "vllm",
            container: {
                name: "vllm",
                image: vllmImage(resolved),
                command: ["vllm", "serve"],
                args: vllmServeArgs(resolved),
                ports: [{ name: "http", containerPort: VLLM_PORT }],
                env: [...hfTokenEnv(resolved.hfTokenSecretName), ...extraEnv(model.env)],
                ...vllmProbes(),
            },
            servicePorts: [{ name: "http", port: VLLM_PORT, targetPort: VLLM_PORT }],
            metrics: { port: "http", path: "/metrics" },
            cacheMountPath: HF_CACHE_PATH,
        });
        this.podLabels = podLabels;
        this.serviceName = service.metadata.name;
        this.url = serviceUrl(service, VLLM_PORT, "/v1");
        this.registerOutputs({ url: this.url, serviceName: this.serviceName });
    }
}

function validate(name: string, args: ResolvedEngineArgs, parent: pulumi.Resource): void {
    const { placement } = args;
    if (placement.nodesPerReplica !== 1) {
        throw new pulumi.ResourceError(
            `VllmServer ${name}: one replica spans ${placement.nodesPerReplica} nodes; VllmServer is single-node. Use the multi-node engine (models[].multiNode: lws | ray).`,
            parent,
        );
    }
    validateCommon("VllmServer", name, args, parent);
}
