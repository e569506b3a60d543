/**
 * llm-d installs that a real cluster accepts: what the pinned charts render from this project's
 * values for every shipped stack must not collide between releases of one namespace.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { InferenceStack } from "../../stacks/stack/inference-stack";
import { parseStackConfig } from "../../stacks/config/load";
import { readStackFile, splitConfig } from "../../stacks/plan/plan";
import { charts } from "../../components/versions";
import { chartDefaultsFile } from "../conformance/upstream";
import { registered, RELEASE, resetRecords, ROOT, stackFiles } from "../helpers";


/* eslint-disable @typescript-eslint/no-explicit-any */
function get(o: any, dotted: string): unknown {
    return dotted.split(".").reduce((v, k) => (v && typeof v === "object" ? v[k] : undefined), o);
}

/** Stack files that serve a model through llm-d. */
function llmdStacks(): string[] {
    return stackFiles().filter((f) => /serving:\s*llmd\b/.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
}

describe("serving: llm-d releases in one namespace do not collide", function () {
    this.timeout(120000);
    beforeEach(resetRecords);

    // inferencepool's templates/_sa-token-secret.yaml names the EPP metrics-reader token Secret
    // `{{ .Values.inferenceExtension.monitoring.prometheus.auth.secretName }}` — not per release. Two
    // releases rendering the same name make the second `helm install` fail ("invalid ownership metadata").
    const SECRET_KEY = "inferenceExtension.monitoring.prometheus.auth.secretName";
    const pinned = charts.inferencePool.upstream.version;
    const chartDefault = get(YAML.parse(fs.readFileSync(chartDefaultsFile("inferencepool", pinned), "utf8")), SECRET_KEY);

    it(`the chart really names that Secret from ${SECRET_KEY} (values-${pinned})`, () => {
        assert.equal(chartDefault, "inference-gateway-sa-metrics-reader-secret");
    });

    const files = llmdStacks();
    it("there are stacks with llm-d models to check", () => assert.ok(files.length > 0));
    for (const file of files) {
        it(`${file}: every inferencepool release in a namespace renders its own metrics-reader Secret`, async () => {
            const sf = readStackFile(path.join(ROOT, file));
            const { structured, secretKeys } = splitConfig(sf);
            const secrets = Object.fromEntries(secretKeys.map((k) => [k, pulumi.secret("dummy")]));
            new InferenceStack(path.basename(file, ".yaml"), { config: { ...parseStackConfig(structured), secrets } });
            const pools = (await registered(RELEASE)).filter((r) => String((r.inputs as any).chart).endsWith("/inferencepool"));
            assert.ok(pools.length > 0);
            const seen = new Map<string, string>();
            for (const r of pools) {
                const inputs = r.inputs as any;
                const name = String(get(inputs.values, SECRET_KEY) ?? chartDefault);
                const key = `${inputs.namespace}/${name}`;
                assert.ok(!seen.has(key), `releases ${seen.get(key)} and ${inputs.name} both render Secret ${key}`);
                seen.set(key, inputs.name);
            }
        });
    }
});
