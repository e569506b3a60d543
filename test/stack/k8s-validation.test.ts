/**
 * The shared Kubernetes validators (components/common/k8s-validation.ts) against the API server's
 * rules, and the stack config refusing what the API server would refuse at `up` — before anything
 * is registered, with the config path.
 */
import { strict as assert } from "node:assert";
import * as v from "../../components/common/k8s-validation";
import { ConfigError, parseStackConfig } from "../../stacks/config/load";
import { parseStackText } from "../../stacks/plan/plan";
import { refusals } from "../helpers";

const ok = (r: string | undefined, what: string) => assert.equal(r, undefined, `${what} should pass: ${r}`);
const bad = (r: string | undefined, what: string) => assert.ok(r !== undefined, `${what} should be refused`);

describe("Kubernetes validators (API server rules)", () => {
    it("DNS-1123 labels and subdomains (IsDNS1123Label / IsDNS1123Subdomain)", () => {
        for (const s of ["a", "llama-70b", "a".repeat(63)]) ok(v.dns1123Label(s), s);
        for (const s of ["", "A", "a_b", "-a", "a-", "a.b", "a".repeat(64), "模型"]) bad(v.dns1123Label(s), s);
        for (const s of ["fast-ssd", "gp3", "ebs.csi.aws.com"]) ok(v.dns1123Subdomain(s), s);
        for (const s of ["Fast SSD", "UPPER", "a..b", ".a", "a.", ""]) bad(v.dns1123Subdomain(s), s);
    });

    it("qualified names and label values (IsQualifiedName / IsValidLabelValue)", () => {
        for (const s of ["gpu", "nvidia.com/gpu.product", "node-role.kubernetes.io/worker", "a_b.c-d", "example.com/X_Y"]) ok(v.qualifiedName(s), s);
        for (const s of ["", "bad key", "-x", "x-", "a/b/c", "/x", "x/", "UPPER.COM/x", "a".repeat(64), "ключ"]) bad(v.qualifiedName(s), s);
        for (const s of ["", "NVIDIA-H100-80GB-HBM3", "a.b_c-d", "v".repeat(63)]) ok(v.labelValue(s), s);
        for (const s of ["a b", "-x", "x-", "v".repeat(64), "a/b", "ü"]) bad(v.labelValue(s), s);
    });

    it("environment variable names: relaxed from 1.32 (IsRelaxedEnvVarName), C-like before (IsEnvVarName)", () => {
        for (const s of ["HF_TOKEN", "VLLM_USE_V1", "my.var", "has space", "1ST"]) ok(v.envVarName(s), s);
        for (const s of ["", "A=B", "tab\tname", "ñ"]) bad(v.envVarName(s), s);
        ok(v.envVarName("HF_HOME", 31), "HF_HOME on 1.31");
        for (const s of ["1ST", "has space", "..x"]) bad(v.envVarName(s, 31), `${s} on 1.31`);
    });

    it("quantities (ParseQuantity + ValidatePositiveQuantityValue)", () => {
        assert.equal(v.quantityValue("200Gi"), 200 * 2 ** 30);
        assert.equal(v.quantityValue("500m"), 0.5);
        assert.equal(v.quantityValue("1e3"), 1000);
        assert.equal(v.quantityValue("1.5Ti"), 1.5 * 2 ** 40);
        for (const s of ["10GB", "Fast", "1.5.5Gi", "", "200 Gi", "Gi"]) assert.equal(v.quantityValue(s), undefined, s);
        const storage = { what: "storage", bytes: true, example: "200Gi" };
        ok(v.quantity("200Gi", storage), "200Gi");
        for (const s of ["0Gi", "-1Gi", "200G", "200", "10GB"]) bad(v.quantity(s, storage), s);
        ok(v.quantity("500m", { what: "CPU", example: "2" }), "500m CPU");
        bad(v.quantity("0", { what: "CPU", example: "2" }), "0 CPU");
    });

    it("extended resource names, image references and interface names", () => {
        ok(v.extendedResourceName("rdma/rdma_shared_device_a"), "rdma");
        ok(v.extendedResourceName("nvidia.com/gpu"), "gpu");
        for (const s of ["rdma", "kubernetes.io/rdma", "a b/c", "/x"]) bad(v.extendedResourceName(s), s);
        for (const s of ["vllm/vllm-openai:v0.11.0", "nvcr.io/nvidia/tritonserver:25.10-trtllm-python-py3", "registry.internal:5000/lmsysorg/sglang:v0.5.4", `ghcr.io/llm-d/llm-d@sha256:${"a".repeat(64)}`, "nvcr.io/nim/meta/llama-3.1-8b-instruct"]) {
            ok(v.imageReference(s), s);
        }
        for (const s of ["Vllm/Upper:1.0", "has space:1", "repo:tag with space", ""]) bad(v.imageReference(s), s);
        ok(v.interfaceName("ens8f0np0"), "ens8f0np0");
        for (const s of ["", "a".repeat(16), "eth 0", "a/b"]) bad(v.interfaceName(s), s);
    });
});

const pool = { name: "h100", accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 } };

function problems(raw: Record<string, unknown>): string[] {
    return refusals(() => parseStackConfig(raw)) ?? [];
}

describe("stack config: what Kubernetes would reject is refused up front", () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
        ["a label key with a space", { fleet: { pools: [{ ...pool, labels: { "gpu type": "h100" } }] } }, /^inference-platform:fleet\.pools\[0\]\.labels\["gpu type"\]: got "gpu type"; label key "gpu type": name part/],
        ["a label value with a space", { fleet: { pools: [{ ...pool, labels: { "nvidia.com/gpu.product": "H100 SXM" } }] } }, /^inference-platform:fleet\.pools\[0\]\.labels\["nvidia\.com\/gpu\.product"\]: got "H100 SXM"; label value must be empty or/],
        ["a taint key with spaces", { fleet: { pools: [{ ...pool, taints: [{ key: "dedicated gpu" }] }] } }, /^inference-platform:fleet\.pools\[0\]\.taints\[0\]\.key: got "dedicated gpu"; name part/],
        ["a StorageClass name with a space", { fleet: { pools: [pool] }, models: [{ model: "x", cacheSize: "10Gi", storageClass: "Fast SSD" }] }, /^inference-platform:models\[0\]\.storageClass: got "Fast SSD"; must be a DNS-1123 subdomain/],
        ["an env name containing '='", { fleet: { pools: [pool] }, models: [{ model: "x", env: { "A=B": "1" } }] }, /^inference-platform:models\[0\]\.env\["A=B"\]: got "A=B"; environment variable name "A=B" must consist of printable ASCII characters other than '='$/],
        ["a zero cache size", { fleet: { pools: [pool] }, models: [{ model: "x", cacheSize: "0Gi" }] }, /^inference-platform:models\[0\]\.cacheSize: got "0Gi"; must be greater than zero, like "200Gi"$/],
        ["a decimal-unit cache size", { fleet: { pools: [pool] }, models: [{ model: "x", cacheSize: "200GB" }] }, /^inference-platform:models\[0\]\.cacheSize: got "200GB"; must be a Kubernetes storage quantity like "200Gi"$/],
        ["an id that yields an empty name (CJK)", { fleet: { pools: [pool] }, models: [{ model: "org/模型" }] }, /^inference-platform:models\[0\]\.name: got "org\/模型"; the default name derived from model "org\/模型" is "", which must not be empty; set models\[\]\.name/],
        ["an id that yields an empty name (underscores)", { fleet: { pools: [pool] }, models: [{ model: "org/___" }] }, /^inference-platform:models\[0\]\.name: got "org\/___"; the default name derived/],
        ["an id that would become a flag", { fleet: { pools: [pool] }, models: [{ model: "--trust-remote-code" }] }, /^inference-platform:models\[0\]\.model: got "--trust-remote-code"; must be a Hugging Face model id/],
        ["an env name the strict rule refuses on 1.31", { cluster: { kubernetesVersion: "1.31" }, fleet: { pools: [pool] }, models: [{ model: "x", env: { "1ST": "x" } }] }, /^inference-platform:models\[0\]\.env\["1ST"\]: got "1ST"; on Kubernetes 1\.31/],
        ["an RDMA resource in kubernetes.io", { fleet: { pools: [{ ...pool, rdma: { nicsPerNode: 8, resourceName: "kubernetes.io/rdma" } }] } }, /^inference-platform:fleet\.pools\[0\]\.rdma\.resourceName: got "kubernetes\.io\/rdma"; must not be in the kubernetes\.io domain/],
        ["an upper-case image path", { fleet: { pools: [pool] }, models: [{ model: "x", image: "VLLM/vllm-openai:v0.11.0" }] }, /^inference-platform:models\[0\]\.image: got "VLLM\/vllm-openai:v0\.11\.0"; must be an image reference/],
        ["a zero Ray head CPU", { fleet: { pools: [pool] }, models: [{ model: "x", serving: "rayserve", rayserve: { headCpu: "0" } }] }, /^inference-platform:models\[0\]\.rayserve\.headCpu: got "0"; must be greater than zero/],
    ];
    for (const [what, raw, expected] of cases) {
        it(`refuses ${what}`, () => {
            const ps = problems(raw);
            assert.ok(ps.some((p) => expected.test(p)), `got:\n${ps.join("\n") || "(accepted)"}`);
        });
    }

    it("accepts what the API server accepts (qualified label keys, relaxed env names, decimal CPU)", () => {
        const cfg = parseStackConfig({
            fleet: { pools: [{ ...pool, labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" }, taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }] }] },
            models: [{ model: "Qwen/Qwen3-0.6B", cacheSize: "1.5Ti", storageClass: "ebs.csi.aws.com", env: { "my.setting": "1" }, rayserve: { headCpu: "500m" } }],
        });
        assert.equal(cfg.models[0].name, "qwen3-0-6b");
    });

    it("says once, not per character, that a scalar is not a config mapping", () => {
        assert.throws(() => parseStackText("config: abc\n", "s.yaml"), /^Error: s\.yaml: "config:" must be a mapping of "inference-platform:<key>: <value>" entries; got string "abc"$/);
        assert.throws(() => parseStackText("- a\n", "s.yaml"), /^Error: s\.yaml: a stack file must be a YAML mapping with a "config:" key; got a list of 1 item\(s\)$/);
        assert.throws(() => parseStackConfig("abc" as unknown as Record<string, unknown>), (e: unknown) => e instanceof ConfigError && e.problems.length === 1);
    });

    it("names the depth, not the parser's stack, for absurd nesting and self-referencing aliases", () => {
        assert.throws(() => parseStackText(`config:\n  inference-platform:models: ${"[".repeat(5000)}${"]".repeat(5000)}\n`, "s.yaml"), /^Error: s\.yaml: not valid YAML: nests too deeply for a stack config/);
        assert.throws(() => parseStackText("config:\n  inference-platform:fleet: &a [*a]\n", "s.yaml"), /^Error: inference-platform:fleet\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]…: nests more than 64 levels deep/);
    });
});
