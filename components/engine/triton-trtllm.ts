/**
 * TritonTrtllmServer: Triton Inference Server with TensorRT-LLM, single node, serving the model's
 * Hugging Face checkpoint on first deploy.
 *
 * Approach — the TensorRT-LLM LLM API model, not a build Job. The pinned image
 * (`tritonserver:25.10-trtllm-python-py3`) carries TensorRT-LLM 1.0.0 (Triton's compatibility
 * matrix, docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/introduction/
 * compatibility.html). At that version the TensorRT-LLM Triton backend documents two ways:
 *   - `inflight_batcher_llm`: engines built by `trtllm-build` for exactly one TP × PP, from a
 *     checkpoint converted by a per-architecture `convert_checkpoint.py`, plus five model configs
 *     filled in with `fill_template.py` (triton-inference-server/tensorrtllm_backend@v1.0.0
 *     README.md, "Quick Start");
 *   - the LLM API model (`all_models/llmapi/tensorrt_llm`, Python backend, PyTorch workflow):
 *     `model.yaml` names a Hugging Face id or path and the tensor/pipeline parallel sizes, and
 *     `launch_triton_server.py --model_repo=…` serves it (tensorrtllm_backend@v1.0.0
 *     docs/llmapi.md). The LLM API spawns its own MPI workers for TP × PP.
 * The second needs no conversion script per architecture, no engine build on GPUs before the
 * server, no engine cache to invalidate when the model or the placement changes, and no second
 * GPU claim while a build Job and the server overlap: the repository is derived from the spec on
 * every start (an emptyDir at /models, written before the launcher runs), so it is idempotent by
 * construction and follows every model/placement change. Weights come from Hugging Face (HF_TOKEN
 * from the Secret) into the optional model cache PVC (`cacheSize`, HF_HOME), like the vLLM/SGLang
 * servers. The cost: the C++ in-flight batcher's `nv_trt_llm_*` metrics do not exist for a Python
 * model, so the default autoscaling signal is Triton's per-model request duration (see
 * components/engine/autoscaler.ts).
 *
 * Ports 8000 HTTP (KServe v2 API; `POST /v2/models/tensorrt_llm/generate`, readiness on
 * /v2/health/ready), 8001 gRPC, 8002 Prometheus metrics (PodMonitor).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { images } from "../versions";
import { componentOpts, componentType } from "../common/k8s";
import { resolveArgs, EngineServerArgs, Placement, ResolvedEngineArgs } from "./types";
import type { Model } from "../types";
import { extraEnv, hfTokenEnv } from "./pod";
import { serviceUrl, singleNodeServer, validateCommon } from "./workload";

export const TRITON_HTTP_PORT = 8000;
export const TRITON_GRPC_PORT = 8001;
export const TRITON_METRICS_PORT = 8002;
/** Where the generated model repository (an emptyDir) mounts. */
export const TRITON_MODEL_REPO = "/models";
/** The Triton model name of the LLM API model (its config.pbtxt `name`; the metrics' `model` label). */
export const TRITON_MODEL_NAME = "tensorrt_llm";
/** The launcher shipped in the `tritonserver:<YY.MM>-trtllm-python-py3` images (tensorrtllm_backend README). */
export const LAUNCH_SCRIPT = "/app/scripts/launch_triton_server.py";
/** The LLM API model template in those images (`all_models/` is copied to /app/all_models). */
export const LLMAPI_TEMPLATE = "/app/all_models/llmapi/tensorrt_llm";
/** Where the model cache PVC mounts; HF_HOME points below it. */
export const TRITON_CACHE_PATH = "/cache";

/** The Triton TRT-LLM image. Overridden by `model.image`. */
export function tritonImage(args: Pick<ResolvedEngineArgs, "model">): string {
    return args.model.image ?? images.tritonTrtllm;
}

/**
 * `model.yaml` of the LLM API model: the Hugging Face id, the PyTorch backend, TP × PP from the
 * placement, the context length, and the KV-cache share of the GPU memory left after the weights
 * (`kv_cache_config.free_gpu_memory_fraction`). `triton_config` is the template's own (no
 * batching at the Triton level: the LLM API batches in flight). JSON is YAML. Pure.
 */
export function llmapiModelYaml(model: Model, placement: Placement): string {
    return JSON.stringify({
        model: model.model,
        backend: "pytorch",
        tensor_parallel_size: placement.tensor,
        pipeline_parallel_size: placement.pipeline,
        max_seq_len: model.maxModelLen,
        kv_cache_config: { free_gpu_memory_fraction: model.gpuMemoryUtilization },
        triton_config: { max_batch_size: 0, decoupled: false },
    });
}

/**
 * The container command: write the model repository (the image's LLM API model + this model's
 * `model.yaml`), then start Triton. `launch_triton_server.py` starts `mpirun … tritonserver` in
 * the background and returns, so the shell then waits on nothing in particular; the liveness
 * probe restarts the container when tritonserver dies. `extraArgs` go to the launcher.
 */
export function tritonCommand(args: { model: Model; placement: Placement }): string[] {
    const { model, placement } = args;
    const dest = `${TRITON_MODEL_REPO}/${TRITON_MODEL_NAME}`;
    const launcher = [
        "python3",
        LAUNCH_SCRIPT,
        `--model_repo=${TRITON_MODEL_REPO}`,
        `--http_port=${TRITON_HTTP_PORT}`,
        `--grpc_port=${TRITON_GRPC_PORT}`,
        `--metrics_port=${TRITON_METRICS_PORT}`,
        ...model.extraArgs,
    ].map(shellQuote);
    const script = [
        "set -eu",
        `if [ ! -f ${LLMAPI_TEMPLATE}/config.pbtxt ]; then echo "inference-platform: ${LLMAPI_TEMPLATE} is not in this image; use a tritonserver <YY.MM>-trtllm-python-py3 image with TensorRT-LLM >= 1.0 (models[].image)" >&2; exit 1; fi`,
        `rm -rf ${dest}`,
        `cp -R ${LLMAPI_TEMPLATE} ${dest}`,
        `printf '%s\\n' ${shellQuote(llmapiModelYaml(model, placement))} > ${dest}/1/model.yaml`,
        `${launcher.join(" ")} && exec tail -f /dev/null`,
    ];
    return ["/bin/bash", "-c", script.join("\n")];
}

/** Single-quote a word for bash unless it is plainly safe. */
function shellQuote(s: string): string {
    return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

export class TritonTrtllmServer extends pulumi.ComponentResource {
    /** In-cluster base URL of Triton's HTTP endpoint (KServe v2 protocol), e.g. http://llama.inference.svc.cluster.local:8000. */
    public readonly url: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly podLabels: { [key: string]: string };

    constructor(name: string, args: EngineServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("TritonTrtllmServer"), name, args, componentOpts("engine", "TritonTrtllmServer", opts));
        const resolved = resolveArgs(args);
        validate(name, resolved, this);
        const { model } = resolved;
        const live = { httpGet: { path: "/v2/health/live", port: TRITON_HTTP_PORT } };
        const ready = { httpGet: { path: "/v2/health/ready", port: TRITON_HTTP_PORT } };
        const cache = model.cacheSize !== undefined ? [{ name: "HF_HOME", value: `${TRITON_CACHE_PATH}/huggingface` }] : [];
        const { service, podLabels } = singleNodeServer(this, name, resolved, {
            component: "triton-trtllm",
            container: {
                name: "triton",
                image: tritonImage(resolved),
                command: tritonCommand(resolved),
                ports: [
                    { name: "http", containerPort: TRITON_HTTP_PORT },
                    { name: "grpc", containerPort: TRITON_GRPC_PORT },
                    { name: "metrics", containerPort: TRITON_METRICS_PORT },
                ],
                env: [...hfTokenEnv(resolved.hfTokenSecretName), ...cache, ...extraEnv(model.env)],
                readinessProbe: { ...ready, periodSeconds: 10, failureThreshold: 3 },
                livenessProbe: { ...live, periodSeconds: 30, failureThreshold: 5 },
                // Downloading the checkpoint and loading it: allow up to 60 minutes.
                startupProbe: { ...live, periodSeconds: 10, failureThreshold: 360 },
            },
            servicePorts: [
                { name: "http", port: TRITON_HTTP_PORT, targetPort: TRITON_HTTP_PORT },
                { name: "grpc", port: TRITON_GRPC_PORT, targetPort: TRITON_GRPC_PORT },
                { name: "metrics", port: TRITON_METRICS_PORT, targetPort: TRITON_METRICS_PORT },
            ],
            metrics: { port: "metrics", path: "/metrics" },
            cacheMountPath: TRITON_CACHE_PATH,
            // The repository is generated on every start from this spec: nothing to keep or invalidate.
            volumes: [{ name: "model-repo", emptyDir: {} }],
            volumeMounts: [{ name: "model-repo", mountPath: TRITON_MODEL_REPO }],
        });
        this.podLabels = podLabels;
        this.serviceName = service.metadata.name;
        this.url = serviceUrl(service, TRITON_HTTP_PORT);
        this.registerOutputs({ url: this.url, serviceName: this.serviceName });
    }
}

function validate(name: string, args: ResolvedEngineArgs, parent: pulumi.Resource): void {
    const { placement, pool } = args;
    if (placement.nodesPerReplica !== 1) {
        throw new pulumi.ResourceError(
            `TritonTrtllmServer ${name}: one replica spans ${placement.nodesPerReplica} nodes; Triton + TensorRT-LLM is single-node here. Use engine vllm or sglang for multi-node.`,
            parent,
        );
    }
    if (pool.accelerator.vendor !== "nvidia") {
        throw new pulumi.ResourceError(
            `TritonTrtllmServer ${name}: TensorRT-LLM runs on NVIDIA GPUs only; pool "${pool.name}" is ${pool.accelerator.vendor}.`,
            parent,
        );
    }
    if (placement.data > 1) {
        throw new pulumi.ResourceError(
            `TritonTrtllmServer ${name}: the TensorRT-LLM world is tensor × pipeline; data parallel ${placement.data} is not supported — use replicas.`,
            parent,
        );
    }
    validateCommon("TritonTrtllmServer", name, args, parent);
}
