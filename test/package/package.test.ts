/**
 * The multi-language Pulumi package (PulumiPlugin.yaml, components/package.ts) through the real CLI
 * and language hosts from the e2e tool cache (scripts/e2e/package.sh; nothing is built here):
 *  - `pulumi package get-schema` on the repository infers exactly test/package/schema.json
 *    (`UPDATE_SCHEMA=1 npx mocha test/package/package.test.ts` rewrites it after a deliberate
 *    change to a packaged component's args or public properties);
 *  - examples/package-yaml, a Pulumi YAML program using three of the components, previews and
 *    deploys on a throwaway kube-apiserver — the Gateway (InferenceGateway, given GatewayApiCrds'
 *    ConfigFile) only after its CRDs —, and a state written under the old type tokens
 *    (`inference-platform:platform:<Class>`) previews with no change: the aliases hold.
 * A missing tool skips with a loud message, except on CI (`process.env.CI`), where it fails.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import * as library from "../../components";
import { images, manifests } from "../../components/versions";
import { ROOT } from "../helpers";

const SNAPSHOT = path.join(ROOT, "test", "package", "schema.json");
const SCRIPT = path.join(ROOT, "scripts", "e2e", "package.sh");
/** The Gateway API CRDs scripts/e2e/package.sh applies (from ../shared/upstream/crds), by name. */
const GATEWAY_API_CRDS = fs
    .readdirSync(path.join(ROOT, "..", "shared", "upstream", "crds"))
    .map((f) => /^gateway\.networking\.k8s\.io_(\w+)\.yaml$/.exec(f)?.[1])
    .filter((p): p is string => p !== undefined)
    .map((plural) => `${plural}.gateway.networking.k8s.io`)
    .sort();
/** Classes components/package.ts exports (the package's resources). */
const PACKAGED = fs
    .readFileSync(path.join(ROOT, "components", "package.ts"), "utf8")
    .split("\n")
    .map((l) => /^export \{ (\w+) \} from/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined);

interface PackageSchema {
    name: string;
    resources: Record<string, { isComponent: boolean; inputProperties: Record<string, unknown>; properties: Record<string, unknown> }>;
    types: Record<string, unknown>;
    dependencies: { name: string; version: string }[];
}

/** Runs scripts/e2e/package.sh <cmd>; its JSON result, or skip (fail on CI) when a tool is missing. */
function runPackageScript(ctx: Mocha.Context, cmd: "schema" | "yaml"): unknown {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "package-test-"));
    try {
        const out = path.join(dir, "out.json");
        const r = spawnSync("bash", [SCRIPT, cmd, out], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        if (r.status === 3) {
            const msg = `the e2e tool cache is not built (${r.stderr.trim().split("\n").pop()})`;
            if (process.env["CI"]) throw new Error(`${msg} — on CI every tool must be built before the tests`);
            console.warn(`      SKIPPED (${msg})`);
            ctx.skip();
        }
        assert.equal(r.status, 0, `scripts/e2e/package.sh ${cmd} failed:\n${r.stderr.split("\n").slice(-25).join("\n")}`);
        return JSON.parse(fs.readFileSync(out, "utf8"));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("multi-language package", () => {
    it("components/package.ts exports the components the snapshot describes, each as inference-platform:index:<Class>", () => {
        const snapshot = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as PackageSchema;
        assert.equal(snapshot.name, "inference-platform");
        assert.deepEqual(Object.keys(snapshot.resources).sort(), PACKAGED.map((c) => `inference-platform:index:${c}`).sort());
        for (const [token, r] of Object.entries(snapshot.resources)) assert.equal(r.isComponent, true, token);
    });

    it("every component of the library (components/index.ts) is in the package, and its args are what the schema shows", () => {
        const components = Object.entries(library)
            .filter(([, v]) => typeof v === "function" && v.prototype instanceof pulumi.ComponentResource)
            .map(([k]) => k)
            .sort();
        assert.ok(components.length >= 30, `only ${components.length} component classes found in components/index.ts`);
        assert.deepEqual([...PACKAGED].sort(), components, "components/package.ts must export every component class of components/index.ts");
        const snapshot = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as PackageSchema;
        // The engine/serving args as inferred: the model and pool vocabulary, placement optional, CRD installers as kubernetes references.
        const vllm = snapshot.resources["inference-platform:index:VllmServer"];
        const required = (vllm as { requiredInputs?: string[] }).requiredInputs ?? [];
        assert.deepEqual([...required].sort(), ["model", "namespace", "pool"]);
        assert.deepEqual(vllm.inputProperties["model"], { $ref: "#/types/inference-platform:index:ModelSpec", description: (vllm.inputProperties["model"] as { description: string }).description, plain: true });
        assert.match(JSON.stringify(vllm.inputProperties["monitoringCrds"]), /kubernetes:helm\.sh%2Fv3:Release/);
        assert.match(JSON.stringify(snapshot.resources["inference-platform:index:LlmD"].inputProperties["gatewayCrds"]), /kubernetes:yaml%2Fv2:ConfigFile/);
        assert.ok(snapshot.types["inference-platform:index:KServeMode"], "KServeMode is an enum type");
    });

    it("the YAML example reads the Gateway API CRDs from the pinned release by default", () => {
        const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "examples", "package-yaml", "Pulumi.yaml"), "utf8")) as {
            packages: Record<string, string>;
            config: { gatewayApiManifest: { default: string } };
        };
        assert.equal(doc.config.gatewayApiManifest.default, manifests.gatewayApi.url);
        assert.equal(path.resolve(ROOT, "examples", "package-yaml", doc.packages["inference-platform"]!), ROOT);
    });

    it("pulumi package get-schema infers the committed schema (test/package/schema.json)", function () {
        this.timeout(15 * 60_000);
        const schema = runPackageScript(this, "schema") as PackageSchema;
        if (process.env["UPDATE_SCHEMA"]) {
            fs.writeFileSync(SNAPSHOT, JSON.stringify(schema, null, 2) + "\n");
            console.warn(`      wrote ${path.relative(ROOT, SNAPSHOT)}`);
        }
        const snapshot = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as PackageSchema;
        assert.deepEqual(
            schema,
            snapshot,
            "the inferred schema differs from test/package/schema.json: if the change to a packaged component is deliberate, run UPDATE_SCHEMA=1 npx mocha test/package/package.test.ts and review the diff",
        );
    });

    it("the YAML example previews and deploys on a loopback API server, the Gateway after its CRDs; under the old type tokens nothing changes", function () {
        this.timeout(20 * 60_000);
        const r = runPackageScript(this, "yaml") as {
            preview: Record<string, number>;
            up: Record<string, number>;
            aliased: Record<string, number>;
            outputs: Record<string, string>;
            types: string[];
            steps: string[];
            cluster: { crds: string[]; gateways: { name: string; className: string }[]; statefulSets: { name: string; gpus: string; image: string }[] };
        };
        assert.deepEqual(Object.keys(r.preview), ["create"], `preview of an empty stack only creates: ${JSON.stringify(r.preview)}`);
        assert.deepEqual(r.up, r.preview, "up creates what preview planned");
        assert.deepEqual(r.types.sort(), [
            "inference-platform:index:GatewayApiCrds",
            "inference-platform:index:InferenceGateway",
            "inference-platform:index:VllmServer",
            "inference-platform:index:WorkloadNamespace",
        ]);
        assert.deepEqual(r.outputs, {
            namespace: "inference",
            gatewayApiVersion: manifests.gatewayApi.version,
            gateway: "inference-gateway",
            // An engine component from YAML: model and pool as plain objects, the planner sizing it in the host.
            qwenUrl: "http://qwen3-0-6b.inference.svc.cluster.local:8000/v1",
        });
        assert.deepEqual(r.cluster.statefulSets, [{ name: "qwen3-0-6b", gpus: "1", image: images.vllm }]);
        // The Gateway API CRDs (the same files the script feeds the ConfigFile) and the Gateway are in the API server...
        assert.deepEqual(r.cluster.crds, GATEWAY_API_CRDS);
        assert.deepEqual(r.cluster.gateways, [{ name: "inference-gateway", className: "istio" }]);
        // ...and the Gateway, created by the package's InferenceGateway from a ConfigFile reference
        // that crossed the package boundary, started only once every one of its CRDs was created.
        const gatewayStart = r.steps.indexOf("start kubernetes:gateway.networking.k8s.io/v1:Gateway::gateway");
        assert.ok(gatewayStart >= 0, `the up created no Gateway: ${JSON.stringify(r.steps)}`);
        for (const crd of GATEWAY_API_CRDS) {
            const done = r.steps.indexOf(`done kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition::gatewayApi-crds:${crd}`);
            assert.ok(done >= 0 && done < gatewayStart, `CRD ${crd} done at step ${done}, the Gateway started at ${gatewayStart}: ${JSON.stringify(r.steps, null, 1)}`);
        }
        // The state rewritten to inference-platform:<layer>:<Class> (a stack from before the package):
        // the aliases map every old URN, children included, to the new one.
        assert.deepEqual(r.aliased, { same: r.up["create"] }, `old-token state previews with no change: ${JSON.stringify(r.aliased)}`);
    });
});
