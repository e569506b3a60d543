/**
 * TritonTrtllmServer: Triton Inference Server with the TensorRT-LLM backend, single node.
 *
 * TensorRT-LLM serves prebuilt engines (`trtllm-build` output for exactly this TP × PP layout)
 * from a Triton model repository (the filled-in `inflight_batcher_llm` tree). This component
 * creates that repository's PVC (`<model>-model-repo`, `models[].cacheSize`, kept on delete; one
 * PVC shared by all replicas) and the server: `launch_triton_server.py --world_size=<TP×PP>
 * --model_repo=/models`, which starts one MPI rank per GPU. Ports 8000 HTTP (KServe v2 API,
 * readiness on /v2/health/ready), 8001 gRPC, 8002 Prometheus metrics (PodMonitor).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { images } from "../versions";
import { awaitAnnotations, PACKAGE } from "../common/k8s";
import { EngineServerArgs, Placement } from "./types";
import { extraEnv, hfTokenEnv } from "./pod";
import { engineLabels, serviceUrl, singleNodeServer, validateCommon } from "./workload";

export const TRITON_HTTP_PORT = 8000;
export const TRITON_GRPC_PORT = 8001;
export const TRITON_METRICS_PORT = 8002;
/** Where the model repository PVC mounts. */
export const TRITON_MODEL_REPO = "/models";
/** The launcher shipped in the `tritonserver:<YY.MM>-trtllm-python-py3` images. */
export const LAUNCH_SCRIPT = "/app/scripts/launch_triton_server.py";

/** The Triton TRT-LLM image. Overridden by `model.image`. */
export function tritonImage(args: Pick<EngineServerArgs, "model">): string {
    return args.model.image ?? images.tritonTrtllm;
}

/**
 * The container command. `launch_triton_server.py` starts `mpirun … tritonserver` in the
 * background and returns, so the shell then waits on nothing in particular; the liveness probe
 * restarts the container when tritonserver dies. `extraArgs` go to the launcher.
 */
export function tritonCommand(args: { model: EngineServerArgs["model"]; placement: Placement }): string[] {
    const { model, placement } = args;
    const launcher = [
        "python3",
        LAUNCH_SCRIPT,
        `--world_size=${placement.tensor * placement.pipeline}`,
        `--model_repo=${TRITON_MODEL_REPO}`,
        `--http_port=${TRITON_HTTP_PORT}`,
        `--grpc_port=${TRITON_GRPC_PORT}`,
        `--metrics_port=${TRITON_METRICS_PORT}`,
        ...model.extraArgs,
    ].map(shellQuote);
    return ["/bin/bash", "-c", `${launcher.join(" ")} && exec tail -f /dev/null`];
}

/** Single-quote a word for bash unless it is plainly safe. */
function shellQuote(s: string): string {
    return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

export class TritonTrtllmServer extends pulumi.ComponentResource {
    /** In-cluster base URL of Triton's HTTP endpoint (KServe v2 protocol), e.g. http://llama.inference.svc.cluster.local:8000. */
    public readonly url: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly podLabels: Record<string, string>;
    /** The model repository PVC (engines + Triton configs go here). */
    public readonly modelRepository: k8s.core.v1.PersistentVolumeClaim;

    constructor(name: string, args: EngineServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE}:engine:TritonTrtllmServer`, name, {}, opts);
        validate(name, args, this);
        const { model, placement } = args;
        const labels = engineLabels("triton-trtllm", model.name);
        const claimName = `${model.name}-model-repo`;
        this.modelRepository = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-model-repo`,
            {
                metadata: { name: claimName, namespace: args.namespace, labels, annotations: awaitAnnotations(args.skipAwait ?? false) },
                spec: {
                    // One repository for all replicas: several pods on several nodes need ReadWriteMany.
                    accessModes: [placement.replicas > 1 ? "ReadWriteMany" : "ReadWriteOnce"],
                    storageClassName: model.storageClass,
                    resources: { requests: { storage: model.cacheSize as string } },
                },
            },
            // Built TensorRT engines take long to rebuild: keep the repository when the stack goes away.
            { parent: this, retainOnDelete: true },
        );
        const live = { httpGet: { path: "/v2/health/live", port: TRITON_HTTP_PORT } };
        const ready = { httpGet: { path: "/v2/health/ready", port: TRITON_HTTP_PORT } };
        const { service, podLabels } = singleNodeServer(this, name, args, {
            component: "triton-trtllm",
            container: {
                name: "triton",
                image: tritonImage(args),
                command: tritonCommand(args),
                ports: [
                    { name: "http", containerPort: TRITON_HTTP_PORT },
                    { name: "grpc", containerPort: TRITON_GRPC_PORT },
                    { name: "metrics", containerPort: TRITON_METRICS_PORT },
                ],
                env: [...hfTokenEnv(args.hfTokenSecretName), ...extraEnv(model.env)],
                readinessProbe: { ...ready, periodSeconds: 10, failureThreshold: 3 },
                livenessProbe: { ...live, periodSeconds: 30, failureThreshold: 5 },
                // Loading TensorRT engines from the PVC: allow up to 30 minutes.
                startupProbe: { ...live, periodSeconds: 10, failureThreshold: 180 },
            },
            servicePorts: [
                { name: "http", port: TRITON_HTTP_PORT, targetPort: TRITON_HTTP_PORT },
                { name: "grpc", port: TRITON_GRPC_PORT, targetPort: TRITON_GRPC_PORT },
                { name: "metrics", port: TRITON_METRICS_PORT, targetPort: TRITON_METRICS_PORT },
            ],
            metrics: { port: "metrics", path: "/metrics" },
            volumes: [{ name: "model-repo", persistentVolumeClaim: { claimName } }],
            volumeMounts: [{ name: "model-repo", mountPath: TRITON_MODEL_REPO }],
        });
        this.podLabels = podLabels;
        this.serviceName = service.metadata.name;
        this.url = serviceUrl(service, TRITON_HTTP_PORT);
        this.registerOutputs({ url: this.url, serviceName: this.serviceName });
    }
}

function validate(name: string, args: EngineServerArgs, parent: pulumi.Resource): void {
    const { placement, pool, model } = args;
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
    if (!model.cacheSize) {
        throw new pulumi.ResourceError(
            `TritonTrtllmServer ${name}: set models[].cacheSize, the size of the model repository PVC that holds the TensorRT-LLM engines.`,
            parent,
        );
    }
    validateCommon("TritonTrtllmServer", name, args, parent);
}
