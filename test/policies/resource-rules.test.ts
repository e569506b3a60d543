/** Rules 1–10 through the CrossGuard policies the pack serves, each both ways. */
import { strict as assert } from "node:assert";
import { validateResource, h100Config, type Props } from "./harness";
import { container, CR, DEPLOY, fleet, lws, POD, pool, RELEASE, statefulSet, STS } from "./builders";

const ok = async (policy: string, type: string, props: Props, config: object = h100Config): Promise<void> => {
    const r = await validateResource(policy, type, props, config);
    assert.deepEqual(r.violations, [], `expected no violations of ${policy}, got:\n${r.violations.join("\n")}`);
};
const fails = async (policy: string, type: string, props: Props, ...expect: RegExp[]): Promise<string[]> => {
    const r = await validateResource(policy, type, props, h100Config);
    assert.ok(r.violations.length > 0, `expected ${policy} to report a violation`);
    for (const re of expect) assert.ok(r.violations.some((v) => re.test(v)), `no violation matching ${re}:\n${r.violations.join("\n")}`);
    return r.violations;
};

describe("policies: resource rules (CrossGuard)", () => {
    describe("1 gpu-whole-number-limits", () => {
        const P = "gpu-whole-number-limits";
        it("passes whole-number limits with equal requests", () => ok(P, STS, statefulSet({ containers: [container({ gpus: "4", requests: { "nvidia.com/gpu": 4 } })] })));
        it("fails a fractional limit, naming container, value and fix", () =>
            fails(P, STS, statefulSet({ containers: [container({ gpus: "0.5" })] }), /StatefulSet inference\/llm: pod container "vllm".*"0\.5".*whole number/));
        it("fails a request without a limit", () =>
            fails(P, STS, statefulSet({ containers: [{ ...container(), resources: { requests: { "nvidia.com/gpu": "2" } } }] }), /without a limit.*set resources\.limits\["nvidia\.com\/gpu"\]/));
        it("fails requests that differ from limits", () => fails(P, STS, statefulSet({ containers: [container({ gpus: "4", requests: { "nvidia.com/gpu": "2" } })] }), /must equal limits/));
        it("covers AMD, Gaudi and MIG resources", async () => {
            for (const r of ["amd.com/gpu", "habana.ai/gaudi", "nvidia.com/mig-1g.10gb"]) {
                await fails(P, STS, statefulSet({ containers: [container({ gpus: 1.5, gpuResource: r })] }), new RegExp(r.replace(/[./]/g, "\\$&")));
            }
        });
    });

    describe("2 gpus-per-pod-fit-node", () => {
        const P = "gpus-per-pod-fit-node";
        it("passes 8 GPUs on an 8-GPU pool", () => ok(P, STS, statefulSet({ containers: [container({ gpus: "8" })] })));
        it("fails 16 GPUs pinned to an 8-GPU pool", () => fails(P, STS, statefulSet({ containers: [container({ gpus: "16" })] }), /asks for 16 GPUs but nodes of pool "h100" have 8/));
        it("fails an unpinned pod larger than every node of its vendor", () =>
            fails(P, POD, { metadata: { name: "p" }, spec: { containers: [container({ gpus: 12 })] } }, /largest nvidia node in the fleet has 8/));
        it("is not applicable without a fleet, and says what to configure", async () => {
            const r = await validateResource(P, STS, statefulSet({ containers: [container({ gpus: "16" })] }), {});
            assert.deepEqual(r.violations, []);
            assert.match(r.notApplicable ?? "", /no fleet.*"fleet": \{"pools"/);
        });
        it("rejects an invalid fleet config with the path", async () => {
            await assert.rejects(validateResource(P, STS, statefulSet(), { fleet: { pools: [{ name: "X", accelerator: { vendor: "tpu" } }] } }), /gpus-per-pod-fit-node\.fleet\.pools\.0\.name/);
        });
    });

    describe("3 parallelism-matches-topology", () => {
        const P = "parallelism-matches-topology";
        it("passes vLLM TP4 on 4 GPUs and LWS TP4×PP2 on 2 pods × 4", async () => {
            await ok(P, STS, statefulSet());
            await ok(P, CR, lws());
        });
        it("fails TP × PP ≠ GPUs of the replica", async () => {
            await fails(P, STS, statefulSet({ containers: [container({ gpus: "8", args: ["--tensor-parallel-size=4"] })] }), /--tensor-parallel-size 4, i\.e\. 4 GPUs, but one replica has 8 GPUs/);
            await fails(P, CR, lws({ size: 3 }), /8 GPUs, but one replica has 12 GPUs/);
        });
        it("reads SGLang --tp/--nnodes and TensorRT-LLM --world_size", async () => {
            await fails(P, STS, statefulSet({ containers: [container({ gpus: "4", image: "lmsysorg/sglang:v0.5.3", args: ["python3 -m sglang.launch_server --model-path m --tp 2"], command: ["sh", "-c"] })] }), /--tp 2/);
            await fails(P, CR, lws({ leader: { containers: [container({ gpus: "4", extraLimits: { "rdma/rdma_shared_device_a": 1 }, args: ["python3", "-m", "sglang.launch_server", "--tp", "8", "--nnodes", "3"] })] } }), /--nnodes 3 but the group has 2/);
            await fails(P, DEPLOY, { metadata: { name: "t" }, spec: { template: { spec: { containers: [container({ gpus: 4, image: "nvcr.io/nvidia/tritonserver:25.08-trtllm-python-py3", args: ["python3", "launch_triton_server.py", "--world_size=2"] })] } } } }, /--world_size 2 but one replica has 4 GPUs/);
        });
        it("fails tensor parallel wider than the NVLink domain", () =>
            fails(P, CR, lws({
                leader: { containers: [container({ gpus: "8", extraLimits: { "rdma/rdma_shared_device_a": 1 }, args: ["--tensor-parallel-size", "16"] })] },
                worker: { containers: [container({ gpus: "8", extraLimits: { "rdma/rdma_shared_device_a": 1 }, args: [] })] },
            }), /tensor parallel 16 but pool "h100" has NVLink domains of 8 GPUs/));
        it("passes wide TP on a rack-scale NVLink domain", () =>
            ok(P, CR, lws({
                leader: { containers: [container({ gpus: "4", args: ["--tensor-parallel-size", "8"] })] },
                worker: { containers: [container({ gpus: "4", args: [] })] },
            }), fleet([pool("h100", { accelerator: { vendor: "nvidia", product: "GB200", memoryGiB: 186, perNode: 4 }, nvlinkDomain: 72 })])));
        it("reads KServe LLMInferenceService parallelism and InferenceService workerSpec", async () => {
            const llmisvc = { apiVersion: "serving.kserve.io/v1alpha1", kind: "LLMInferenceService", metadata: { name: "l" }, spec: { model: { uri: "hf://m" }, parallelism: { tensor: 4 }, template: { containers: [container({ gpus: "2", args: [] })] } } };
            await fails(P, CR, llmisvc, /spec\.parallelism sets .*4 GPUs, but one replica has 2/);
            const isvc = { apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", metadata: { name: "i" }, spec: { predictor: { model: { modelFormat: { name: "huggingface" }, resources: { limits: { "nvidia.com/gpu": "4" } } }, workerSpec: { tensorParallelSize: 4, pipelineParallelSize: 2, containers: [container({ gpus: "4", args: [] })] } } } };
            await ok(P, CR, isvc);
            (isvc.spec.predictor.workerSpec as Props).tensorParallelSize = 8;
            await fails(P, CR, isvc, /spec\.predictor\.workerSpec sets tensorParallelSize 8, pipelineParallelSize 2, i\.e\. 16 GPUs, but one replica has 8 GPUs/);
        });
        it("reads llm-d-modelservice values: explicit GPU limits must equal tensor × dataLocal", async () => {
            const values = { accelerator: { type: "nvidia" }, decode: { replicas: 1, parallelism: { tensor: 4 }, containers: [{ name: "vllm", image: "ghcr.io/llm-d/llm-d-cuda:v0.3.0", resources: { limits: { "nvidia.com/gpu": "2" } } }] } };
            await fails(P, RELEASE, { chart: "llm-d-modelservice", values }, /values\.decode\.parallelism gives tensor 4, dataLocal 1 = 4 GPUs per pod but the decode pod requests 2/);
            values.decode.containers[0].resources.limits["nvidia.com/gpu"] = "4";
            await ok(P, RELEASE, { chart: "llm-d-modelservice", values });
        });
    });

    describe("4 multi-node-rdma-and-group-restart", () => {
        const P = "multi-node-rdma-and-group-restart";
        it("passes an LWS group with the pool's RDMA resource", () => ok(P, CR, lws()));
        it("fails a group without RDMA, naming the resource", () =>
            fails(P, CR, lws({ worker: { containers: [container({ gpus: "4", args: [] })] } }), /worker pod .* does not request "rdma\/rdma_shared_device_a"/));
        it("passes host networking instead of RDMA", () => ok(P, CR, lws({ worker: { hostNetwork: true, containers: [container({ gpus: "4", args: [] })] } })));
        it("fails a restart policy that does not recreate the group", () => fails(P, CR, lws({ restartPolicy: "None" }), /restartPolicy is None.*RecreateGroupOnPodRestart/));
        it("fails a pool without RDMA unless hostNetwork", async () => {
            const r = await validateResource(P, CR, lws(), fleet([pool("h100")]));
            assert.match(r.violations.join("\n"), /pool "h100" has no RDMA NICs in the fleet config/);
        });
        it("single-node workloads are out of scope", () => ok(P, STS, statefulSet({ containers: [container({ gpus: "8" })] })));
        describe("Ray Serve replicas are groups of TP × PP GPUs, not of all workers", () => {
            const rayService = (tp: number, pp: number, gpusPerWorker: number, workers: number): Props => ({
                apiVersion: "ray.io/v1",
                kind: "RayService",
                metadata: { name: "rs", namespace: "inference" },
                spec: {
                    serveConfigV2: JSON.stringify({ applications: [{ import_path: "ray.serve.llm:build_openai_app", args: { llm_configs: [{ engine_kwargs: { tensor_parallel_size: tp, pipeline_parallel_size: pp } }] } }] }),
                    rayClusterConfig: {
                        headGroupSpec: { template: { spec: { containers: [{ name: "ray-head", image: "rayproject/ray-llm:2.51.1-py311-cu128" }] } } },
                        workerGroupSpecs: [
                            {
                                groupName: "gpu",
                                replicas: workers,
                                template: { spec: { nodeSelector: { "inference-platform/pool": "h100" }, containers: [container({ gpus: String(gpusPerWorker), args: [] })] } },
                            },
                        ],
                    },
                },
            });
            it("passes three single-node TP2 replicas on separate workers without RDMA", async () => {
                const r = await validateResource(P, CR, rayService(2, 1, 2, 3), fleet([pool("h100")]));
                assert.deepEqual(r.violations, []);
            });
            it("fails a TP8 × PP2 replica across two 8-GPU workers without RDMA", async () => {
                const r = await validateResource(P, CR, rayService(8, 2, 8, 2), fleet([pool("h100")]));
                assert.match(r.violations.join("\n"), /2-pod GPU group but its pool "h100" has no RDMA NICs/);
            });
        });
    });

    describe("5 multi-gpu-shm", () => {
        const P = "multi-gpu-shm";
        it("passes a 4-GPU pod with an in-memory /dev/shm", () => ok(P, STS, statefulSet()));
        it("fails a 4-GPU pod without /dev/shm", () => fails(P, STS, statefulSet({ containers: [container({ gpus: "4", shm: false })] }), /has 4 GPUs but container "vllm" has no in-memory \/dev\/shm.*medium: Memory/));
        it("fails a /dev/shm that is not in memory", async () => {
            const s = statefulSet();
            ((s.spec as Props).template as { spec: { volumes: unknown[] } }).spec.volumes = [{ name: "dshm", emptyDir: {} }];
            await fails(P, STS, s, /no in-memory \/dev\/shm/);
        });
        it("passes single-GPU pods and Ray pods (KubeRay mounts /dev/shm)", async () => {
            await ok(P, STS, statefulSet({ containers: [container({ gpus: "1", shm: false })] }));
            await ok(P, CR, { apiVersion: "ray.io/v1", kind: "RayCluster", metadata: { name: "r" }, spec: { headGroupSpec: { template: { spec: { containers: [container({ gpus: 2, shm: false, image: "rayproject/ray-llm:2.49.0-py311-cu128" })] } } } } });
        });
    });

    describe("6 accelerator-vendor-consistent", () => {
        const P = "accelerator-vendor-consistent";
        const amdFleet = fleet([pool("mi300", { accelerator: { vendor: "amd", product: "MI300X", memoryGiB: 192, perNode: 8 } })]);
        const amdPod = (image: string): Props => statefulSet({ nodeSelector: { "inference-platform/pool": "mi300" }, containers: [container({ gpus: "4", gpuResource: "amd.com/gpu", image })] });
        it("passes a ROCm image on AMD GPUs and a Gaudi image on Gaudi", async () => {
            await ok(P, STS, amdPod("rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909"), amdFleet);
            await ok(P, STS, statefulSet({ nodeSelector: null, containers: [container({ gpus: "8", gpuResource: "habana.ai/gaudi", image: "vault.habana.ai/gaudi-docker/1.22.0/ubuntu22.04/habanalabs/pytorch-installer-2.7.1:latest" })] }), {});
        });
        it("fails a CUDA image on AMD GPUs", async () => {
            const r = await validateResource(P, STS, amdPod("vllm/vllm-openai:v0.11.0"), amdFleet);
            assert.match(r.violations.join("\n"), /requests amd accelerators but its image "vllm\/vllm-openai:v0\.11\.0" is built for NVIDIA\/CUDA; use a ROCm image/);
        });
        it("fails a ROCm image on NVIDIA GPUs", () => fails(P, STS, statefulSet({ containers: [container({ gpus: "4", image: "rocm/vllm:rocm6.4.1" })] }), /requests nvidia accelerators but its image "rocm\/vllm:rocm6\.4\.1" is built for amd/));
        it("fails two vendors in one pod", () =>
            fails(P, STS, statefulSet({ containers: [container({ gpus: "1" }), container({ name: "amd", gpus: "1", gpuResource: "amd.com/gpu", image: "rocm/vllm:rocm6.4.1" })] }), /several vendors \(nvidia, amd\)/));
        it("fails NVIDIA GPUs pinned to an AMD pool", async () => {
            const r = await validateResource(P, STS, statefulSet({ nodeSelector: { "inference-platform/pool": "mi300" } }), amdFleet);
            assert.match(r.violations.join("\n"), /pinned to pool "mi300" of amd MI300X/);
        });
        it("fails llm-d accelerator.type that disagrees with the container resource", () =>
            fails(P, RELEASE, { chart: "llm-d-modelservice", values: { accelerator: { type: "amd" }, decode: { containers: [{ name: "vllm", image: "rocm/vllm:rocm6.4.1", resources: { limits: { "nvidia.com/gpu": "1" } } }] } } }, /requests nvidia\.com\/gpu but values\.accelerator\.type is "amd"/));
    });

    describe("7 dra-and-device-plugin-not-mixed", () => {
        const P = "dra-and-device-plugin-not-mixed";
        const claims = [{ name: "gpus", resourceClaimTemplateName: "double-gpu" }];
        it("passes a DRA-only container", () => ok(P, STS, statefulSet({ resourceClaims: claims, containers: [container({ claims: ["gpus"] })] })));
        it("fails a container with a claim and nvidia.com/gpu", () =>
            fails(P, STS, statefulSet({ resourceClaims: claims, containers: [container({ gpus: "2", claims: ["gpus"] })] }), /container "vllm" .* holds DRA claim\(s\) "gpus" and also requests nvidia\.com\/gpu/));
        it("passes device-plugin GPUs next to a ComputeDomain channel claim (NVIDIA's rack-scale pattern)", () =>
            ok(P, STS, statefulSet({ resourceClaims: [{ name: "compute-domain-channel", resourceClaimTemplateName: "gb200-imex-channel" }], containers: [container({ gpus: "4", claims: ["compute-domain-channel"] })] })));
    });

    describe("8 gpu-pods-pinned-to-pool", () => {
        const P = "gpu-pods-pinned-to-pool";
        it("passes a pod pinned by nodeSelector that tolerates the taint", () => ok(P, STS, statefulSet()));
        it("passes pinning by required node affinity", () =>
            ok(P, STS, statefulSet({ nodeSelector: null, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "inference-platform/pool", operator: "In", values: ["h100"] }] }] } } } })));
        it("fails an unpinned GPU pod, suggesting the pool's labels", () => fails(P, STS, statefulSet({ nodeSelector: null }), /not pinned to a pool.*"h100": nodeSelector \{"inference-platform\/pool":"h100"\}/));
        it("fails a pod that does not tolerate the pool's taint", () =>
            fails(P, STS, statefulSet({ tolerations: [{ key: "other", operator: "Exists" }] }), /does not tolerate its taint nvidia\.com\/gpu=present:NoSchedule/));
        it("fails a toleration with the wrong value", () =>
            fails(P, STS, statefulSet({ tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "absent", effect: "NoSchedule" }] }), /does not tolerate/));
        it("ignores CPU pods", () => ok(P, DEPLOY, { metadata: { name: "web" }, spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } } }));
    });

    describe("9 engine-images-pinned", () => {
        const P = "engine-images-pinned";
        it("passes a tag and a digest", async () => {
            await ok(P, STS, statefulSet());
            await ok(P, STS, statefulSet({ containers: [container({ gpus: "4", image: `vllm/vllm-openai@sha256:${"a".repeat(64)}` })] }));
        });
        it("fails :latest and untagged engine images", async () => {
            await fails(P, STS, statefulSet({ containers: [container({ gpus: "4", image: "vllm/vllm-openai:latest" })] }), /"vllm\/vllm-openai:latest"; :latest changes/);
            await fails(P, STS, statefulSet({ containers: [container({ gpus: "4", image: "lmsysorg/sglang" })] }), /untagged image "lmsysorg\/sglang"/);
            await fails(P, STS, statefulSet({ containers: [container({ gpus: "4", image: "registry.local:5000/tritonserver" })] }), /untagged image "registry\.local:5000\/tritonserver"/);
        });
        it("fails an untagged NIMService image", () =>
            fails(P, CR, { apiVersion: "apps.nvidia.com/v1alpha1", kind: "NIMService", metadata: { name: "nim" }, spec: { image: { repository: "nvcr.io/nim/meta/llama-3.1-8b-instruct" }, resources: { limits: { "nvidia.com/gpu": 1 } } } }, /untagged image "nvcr\.io\/nim\/meta\/llama-3\.1-8b-instruct"/));
        it("leaves non-engine CPU sidecars alone", () =>
            ok(P, STS, statefulSet({ containers: [container({ gpus: "4" }), { name: "sidecar", image: "busybox:latest" }] })));
    });

    describe("10 model-tokens-from-secrets", () => {
        const P = "model-tokens-from-secrets";
        const token = "hf_" + "abcdefghijklmnopqrstuvwxyzABCDEF12";
        it("passes secretKeyRef", () => ok(P, STS, statefulSet({ containers: [container({ gpus: "4", env: [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "hf", key: "token" } } }] })] })));
        it("fails a literal HF_TOKEN without printing it", async () => {
            const v = await fails(P, STS, statefulSet({ containers: [container({ gpus: "4", env: [{ name: "HF_TOKEN", value: token }] })] }), /sets env HF_TOKEN to a literal value \(hf_a…\).*secretKeyRef/);
            assert.ok(!v.join("").includes(token), "the token itself must not appear in messages");
        });
        it("fails NGC_API_KEY from a ConfigMap", () =>
            fails(P, STS, statefulSet({ containers: [container({ gpus: "4", env: [{ name: "NGC_API_KEY", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } }] })] }), /reads env NGC_API_KEY from configMapKeyRef, not a Secret/));
        it("fails a token on the command line, but not a variable reference", async () => {
            await fails(P, STS, statefulSet({ containers: [container({ gpus: "4", args: ["vllm serve m --hf-token " + token], command: ["sh", "-c"] })] }), /passes --hf-token with a literal value/);
            await ok(P, STS, statefulSet({ containers: [container({ gpus: "4", args: ["vllm serve m --hf-token $(HF_TOKEN)"], command: ["sh", "-c"] })] }));
        });
        it("fails a literal token in Helm values and in a ConfigMap", async () => {
            await fails(P, RELEASE, { chart: "some-chart", values: { auth: { hfToken: token } } }, /values\.auth\.hfToken holds a literal credential/);
            await fails(P, "kubernetes:core/v1:ConfigMap", { metadata: { name: "cm" }, data: { NGC: "nvapi-" + "x".repeat(40) } }, /data\.NGC holds a literal credential/);
            await ok(P, "kubernetes:core/v1:Secret", { metadata: { name: "s" }, stringData: { token } });
        });
    });
});
