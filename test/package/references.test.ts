/**
 * Resource references across the package boundary: what a packaged component does with a
 * `k8s.yaml.v2.ConfigFile` or `k8s.helm.v3.Release` it is given as an arg when it runs in the
 * component provider host (PulumiPlugin.yaml) rather than in the caller's process.
 *
 * The engine passes such an arg to Construct as a resource reference (`urn`, plus `id` for a custom
 * resource) with whatever dependencies the caller reported for it. The host (@pulumi/pulumi
 * provider/server.js `deserializeInputs`) rehydrates it through the resource module
 * @pulumi/kubernetes registered (`kubernetes:yaml/v2` → a ConfigFile marked remote,
 * `kubernetes:helm.sh/v3` → a Release, a custom resource) and hands it over as is, or — when the
 * dependencies are more than the reference's own URN, as from YAML — wrapped in an Output (so the
 * arg's TypeScript type is not what arrives: components only put such args in `dependsOn` or test
 * them for presence). Either way the component's `dependsOn` keeps its URN (the SDK expands dependencies to custom
 * resources and remote components; a rehydrated *local* component has no children in this process
 * and would be dropped). Ordering after the CRDs exist follows because a reference can only reach
 * the host once its registration has completed, and a remote component's registration completes
 * after its children's (the Kubernetes provider's Construct waits for them) — the real-CLI run of
 * examples/package-yaml checks that part (test/package/package.test.ts).
 *
 * Here, on the mock engine: for every kubernetes resource-reference input in the package schema
 * (test/package/schema.json; single references and lists of them), in each dependency shape a
 * caller can send, the reference goes through the host's own deserialization, the component is
 * built from the result (ARGS turn on the paths that use every reference), and what must wait for
 * it (WAITERS; otherwise anything within the component) must list its URN in the dependencies it
 * registers. A list arg with dependencies arrives as an Output: spreading it threw "is not
 * iterable" in KServeModel, LlmInferenceService, KnativeServing and LlmDInfra until they collected
 * their dependencies through components/common/dependencies.ts `dependsOnAll`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as packaged from "../../components/package";
import { RecordedResource } from "../../stacks/plan/mock-engine";
import { installer, manifestInstaller, registered, resetRecords, ROOT } from "../helpers";

// The host's input deserialization, exactly as Construct runs it (internal to @pulumi/pulumi).
const server = require("@pulumi/pulumi/provider/server") as {
    deserializeInputs(inputs: unknown, deps: { get(k: string): { getUrnsList(): string[] } | undefined }): Promise<Record<string, unknown>>;
};
const structproto = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: unknown): unknown } };

interface Schema {
    resources: Record<string, { inputProperties: Record<string, { $ref?: string; items?: { $ref?: string } }> }>;
}

/** A kubernetes resource-reference input of a packaged component (a list of them when `list`). */
interface ReferenceInput {
    cls: string;
    arg: string;
    type: string;
    list: boolean;
}

/** Kubernetes resource-reference inputs of the packaged components, from the schema snapshot. */
function referenceInputs(): ReferenceInput[] {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "package", "schema.json"), "utf8")) as Schema;
    const out: ReferenceInput[] = [];
    const k8sRef = (ref: string | undefined) => /^\/kubernetes\/v[^/]+\/schema\.json#\/resources\/(.+)$/.exec(ref ?? "")?.[1];
    for (const [token, r] of Object.entries(schema.resources)) {
        for (const [arg, p] of Object.entries(r.inputProperties)) {
            const one = k8sRef(p.$ref);
            const each = k8sRef(p.items?.$ref);
            if (one ?? each) out.push({ cls: token.split(":")[2]!, arg, type: decodeURIComponent((one ?? each)!), list: each !== undefined });
        }
    }
    return out;
}

const ns = "inference";
const h100 = { name: "h100", nodes: 4, accelerator: { vendor: "nvidia", product: "H100-SXM5-80GB", memoryGiB: 80, perNode: 8 } };
/** Models that need two nodes per replica (multi-node paths: LeaderWorkerSet, Ray): pipeline- and data-parallel. */
const big = { model: "meta-llama/Llama-3.3-70B-Instruct", parallelism: { tensor: 8, pipeline: 2 } };
const bigDp = { model: "meta-llama/Llama-3.3-70B-Instruct", parallelism: { tensor: 8, data: 2 } };
const gateway = { name: "gw", namespace: "gateway", className: "istio" };

const CLAIM_TEMPLATE = "kubernetes:resource.k8s.io/v1:ResourceClaimTemplate";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const is = (type: string, name?: RegExp) => (r: RecordedResource) => r.type === type && (name === undefined || name.test(r.name));
const dra = { what: "the per-pod ResourceClaimTemplate (its DeviceClass comes from the driver)", match: is(CLAIM_TEMPLATE) };
const podMonitor = { what: "the PodMonitor (a prometheus-operator kind)", match: is(POD_MONITOR) };

/**
 * The other args of each component with reference inputs: what it requires, plus what makes it use
 * every reference (monitors on, DRA claims, multi-node, Knative mode). A component missing here fails.
 */
const ARGS: Record<string, Record<string, unknown>> = {
    AmdGpuOperator: {},
    GatewayProvider: {},
    InferenceGateway: { namespace: ns, className: "istio" },
    Keda: {},
    KubeRay: {},
    LeaderWorkerSet: {},
    NvidiaGpuOperator: {},
    GpuClaim: { namespace: ns, count: 2 },
    EngineAutoscaler: { namespace: ns, model: { model: "Qwen/Qwen3-0.6B", autoscaling: { max: 3 } }, prometheusUrl: "http://prom:9090" },
    VllmServer: { namespace: ns, pool: h100, model: { model: "Qwen/Qwen3-8B", dra: true }, podMonitor: true },
    SglangServer: { namespace: ns, pool: h100, model: { model: "Qwen/Qwen3-8B", engine: "sglang", dra: true }, podMonitor: true },
    TritonTrtllmServer: { namespace: ns, pool: h100, model: { model: "Qwen/Qwen3-8B", engine: "trtllm", dra: true }, podMonitor: true },
    LwsServer: { namespace: ns, pool: h100, model: { ...big, dra: true }, podMonitor: true },
    RayVllmServer: { namespace: ns, pool: h100, model: { ...big, multiNode: "ray", dra: true }, podMonitor: true },
    KServe: { mode: "Knative", inferenceService: true, llmInferenceService: true, gateway },
    KnativeServing: { networking: "istio" },
    KServeModel: { namespace: ns, pool: h100, model: { model: "Qwen/Qwen3-8B", autoscaling: { max: 3 } }, prometheusUrl: "http://prom:9090", podMonitor: true },
    LlmInferenceService: { namespace: ns, pool: h100, model: bigDp, gateway, monitoring: true },
    LlmD: { namespace: ns, pool: h100, model: bigDp, gateway, provider: "istio", monitoring: true },
    LlmDInfra: { namespace: ns, provider: "istio" },
    NimService: {
        namespace: ns,
        pool: h100,
        model: { ...big, model: "meta/llama-3.3-70b-instruct", nim: { image: "nvcr.io/nim/meta/llama-3.3-70b-instruct", tag: "1.13.1" } },
        ngcApiSecretName: "ngc-api",
        ngcPullSecretName: "ngc-pull",
        serviceMonitor: true,
    },
    RayServeLlm: { namespace: ns, pool: h100, model: { model: "Qwen/Qwen3-8B" }, podMonitor: true },
    DynamoDeployment: { namespace: ns, pool: h100, model: { model: "Qwen/Qwen3-8B" } },
};

/** Reference inputs a component accepts and documents as unused. */
const UNUSED: Record<string, string> = {};

type Waiter = { what: string; match: (r: RecordedResource) => boolean };
/**
 * `Class.arg` → the registrations (within the component) that must wait for that reference. Any
 * other reference input: at least one registration within the component must list it.
 */
const WAITERS: Record<string, Waiter> = {
    "InferenceGateway.gatewayApiCrds": { what: "the Gateway (a custom resource of the Gateway API CRDs)", match: (r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway" },
    "InferenceGateway.controlPlane": { what: "the Gateway (deleted while its controller is there)", match: (r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway" },
    "GatewayProvider.gatewayApiCrds": { what: "the control-plane release (watches Gateway API kinds)", match: (r) => r.type === "kubernetes:helm.sh/v3:Release" && /istiod$/.test(r.name) },
    "GatewayProvider.inferenceExtensionCrds": { what: "the control-plane release (watches InferencePools)", match: (r) => r.type === "kubernetes:helm.sh/v3:Release" && /istiod$/.test(r.name) },
    "AmdGpuOperator.certManager": { what: "the operator release (its chart creates cert-manager Certificates)", match: (r) => r.type === "kubernetes:helm.sh/v3:Release" },
    "Keda.monitoringCrds": { what: "the release (its chart renders ServiceMonitors)", match: (r) => r.type === "kubernetes:helm.sh/v3:Release" },
    "KubeRay.monitoringCrds": { what: "the release (its chart renders a ServiceMonitor)", match: (r) => r.type === "kubernetes:helm.sh/v3:Release" },
    "LeaderWorkerSet.monitoringCrds": { what: "the release (its chart renders a ServiceMonitor)", match: (r) => r.type === "kubernetes:helm.sh/v3:Release" },
    "NvidiaGpuOperator.crdsOwnedBy": { what: "the release (installed after the CRDs' owner)", match: (r) => r.type === "kubernetes:helm.sh/v3:Release" },
    "EngineAutoscaler.kedaCrds": { what: "the ScaledObject", match: (r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject" },
    "GpuClaim.driver": { what: "the ResourceClaimTemplate (its DeviceClass comes from the driver)", match: (r) => r.type === "kubernetes:resource.k8s.io/v1:ResourceClaimTemplate" },
};
/** A resource of the referenced type, registered the way a caller's program would. */
function referenced(type: string, name: string): pulumi.Resource {
    switch (type) {
        case "kubernetes:yaml/v2:ConfigFile":
            return manifestInstaller(name);
        case "kubernetes:helm.sh/v3:Release":
            return installer(name);
        default:
            throw new Error(`no fixture for a ${type} reference: add one to test/package/references.test.ts`);
    }
}

/** How a caller's language host reports a reference arg's dependencies to Construct. */
type Shape = "none" | "itself" | "producer";

/**
 * `args` as the component provider host receives and deserializes them in Construct, with each
 * reference arg's dependencies reported as `shape` says:
 *  - none: the Node.js SDK leaves resource references out of a remote component's property
 *    dependencies (@pulumi/pulumi runtime/resource.js `excludeResourceReferencesFromDependencies`);
 *  - itself: the reference's own URN (SDKs that report it);
 *  - producer: the URN of the component whose output it is, then its own — what the YAML host sends
 *    for `${gatewayApi.crds}` (the state of examples/package-yaml: InferenceGateway's
 *    `gatewayApiCrds` depends on [GatewayApiCrds, its ConfigFile]).
 * With none or itself the host passes the rehydrated resource; with more it wraps it in an Output.
 */
async function throughTheHost(args: Record<string, unknown>, refs: Record<string, pulumi.Resource>, shape: Shape, producer: pulumi.Resource): Promise<Record<string, unknown>> {
    const wire = await pulumi.runtime.serializeProperties("construct-inputs", args);
    const deps = new Map<string, string[]>();
    for (const [arg, r] of Object.entries(refs)) {
        const own = await promiseOfUrn(r);
        if (shape === "itself") deps.set(arg, [own]);
        if (shape === "producer") deps.set(arg, [await promiseOfUrn(producer), own]);
    }
    return server.deserializeInputs(structproto.Struct.fromJavaScript(wire), { get: (k) => (deps.has(k) ? { getUrnsList: () => deps.get(k)! } : undefined) });
}

/** The resource an arg holds: itself, or the value of the Output the host wrapped it in. */
async function resourceOf(v: unknown): Promise<unknown> {
    return pulumi.Output.isInstance(v) ? new Promise((resolve) => v.apply((x) => { resolve(x); return x; })) : v;
}

function promiseOfUrn(r: pulumi.Resource): Promise<string> {
    return new Promise((resolve) => r.urn.apply((u) => { resolve(u); return u; }));
}

describe("packaged components: resource references across the package boundary", () => {
    const inputs = referenceInputs();
    const byComponent = new Map<string, ReferenceInput[]>();
    for (const i of inputs) byComponent.set(i.cls, [...(byComponent.get(i.cls) ?? []), i]);

    beforeEach(resetRecords);

    it("every component with reference inputs has its args here, and every WAITERS/UNUSED entry is a reference input", () => {
        assert.ok(inputs.length > 0);
        assert.deepEqual([...byComponent.keys()].filter((c) => ARGS[c] === undefined), []);
        const known = new Set(inputs.map((i) => `${i.cls}.${i.arg}`));
        assert.deepEqual([...Object.keys(WAITERS), ...Object.keys(UNUSED)].filter((k) => !known.has(k)), []);
    });

    const SHAPES: { shape: Shape; what: string }[] = [
        { shape: "none", what: "no dependency (Node.js SDK)" },
        { shape: "itself", what: "its own URN as dependency" },
        { shape: "producer", what: "an output of another component (YAML ${gatewayApi.crds})" },
    ];
    for (const [cls, refArgs] of byComponent) {
        for (const { shape, what } of SHAPES) {
            it(`${cls}: ${refArgs.map((i) => i.arg).join(", ")} with ${what} rehydrate in the provider host and order what needs them`, async () => {
                const tag = `${cls.toLowerCase()}-${shape}`;
                const producer = shape === "producer";
                const refs: Record<string, pulumi.Resource> = {};
                const values: Record<string, unknown> = {};
                for (const { arg, type, list } of refArgs) {
                    refs[arg] = referenced(type, `ref-${tag}-${arg.toLowerCase()}`);
                    values[arg] = list ? [refs[arg]] : refs[arg];
                }
                const from = new pulumi.ComponentResource("test:index:Producer", `producer-${tag}`);
                const args = await throughTheHost({ ...ARGS[cls], ...values }, refs, shape, from);
                for (const { arg, type, list } of refArgs) {
                    // A single reference with no dependency or only its own comes as is; anything else in an Output.
                    const wrapped = producer || (list && shape === "itself");
                    assert.equal(pulumi.Output.isInstance(args[arg]), wrapped, `${cls}.${arg}: ${wrapped ? "an Output" : "the value itself"} expected`);
                    const got = await resourceOf(args[arg]);
                    const v = list ? (Array.isArray(got) ? got[0] : got) : got;
                    if (list) assert.ok(Array.isArray(got) && got.length === 1, `${cls}.${arg}: a one-element list expected, got ${typeof got}`);
                    assert.ok(pulumi.Resource.isInstance(v), `${cls}.${arg} deserialized to ${typeof v} ${JSON.stringify(v)}, not a resource: is the resource module of ${type} registered in the host process?`);
                    assert.notEqual(v, refs[arg], "a rehydrated object, as in the host process, not the caller's");
                    assert.equal((v as unknown as { __pulumiType?: string }).__pulumiType ?? type, type);
                    assert.equal(await promiseOfUrn(v as pulumi.Resource), await promiseOfUrn(refs[arg]!));
                }
                const component = packaged[cls as keyof typeof packaged] as unknown as new (n: string, a: unknown) => pulumi.ComponentResource;
                const instance = new component(`pkg-${tag}`, args);
                const self = await promiseOfUrn(instance);
                const all = await registered();
                const byUrn = new Map(all.map((r) => [r.urn, r]));
                const within = (r: RecordedResource): boolean => {
                    for (let p = byUrn.get(r.parent); p; p = byUrn.get(p.parent)) if (p.urn === self) return true;
                    return false;
                };
                for (const { arg } of refArgs) {
                    const key = `${cls}.${arg}`;
                    if (UNUSED[key]) continue;
                    const urn = await promiseOfUrn(refs[arg]!);
                    const waiter = WAITERS[key];
                    if (waiter) {
                        const waiting = all.filter((r) => within(r) && waiter.match(r));
                        assert.ok(waiting.length > 0, `${cls}: registered no ${waiter.what}`);
                        for (const r of waiting) {
                            assert.ok(r.dependsOn.includes(urn), `${cls}: ${r.type} ${r.name} must wait for ${arg} (${urn}); it depends on ${JSON.stringify(r.dependsOn)}`);
                        }
                    } else {
                        assert.ok(all.some((r) => within(r) && r.dependsOn.includes(urn)), `${cls}: nothing it registered waits for ${arg} (${urn})`);
                    }
                }
            });
        }
    }
});
