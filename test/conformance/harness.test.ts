/** The conformance checks themselves: they must reject what the API server / Helm would not take. */
import { strict as assert } from "node:assert";
import { chartDefaultsFile, checkObject, checkValuesKeys, TEMPLATE_ONLY_KEYS, toJsonSchema, validateObject } from "./upstream";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { charts } from "../../components/versions";

const podMonitor = (spec: Record<string, unknown>) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "m", namespace: "x" },
    spec,
});

describe("conformance harness", () => {
    it("accepts a valid PodMonitor", () => {
        assert.deepEqual(validateObject(podMonitor({ selector: { matchLabels: { a: "b" } }, podMetricsEndpoints: [{ port: "http", path: "/metrics" }] })), []);
    });

    it("rejects an invented field on a CRD", () => {
        const errs = validateObject(podMonitor({ selector: {}, podMetricsEndpoints: [{ port: "http", scrapeEverything: true }] }));
        assert.equal(errs.length, 1, errs.join("\n"));
        assert.match(errs[0], /podMetricsEndpoints\.0: unknown field "scrapeEverything"/);
    });

    it("rejects a wrong type, a bad enum value and a missing required field", () => {
        const lws = {
            apiVersion: "leaderworkerset.x-k8s.io/v1",
            kind: "LeaderWorkerSet",
            metadata: { name: "l" },
            spec: { replicas: "two", leaderWorkerTemplate: { size: 2, restartPolicy: "Sometimes", workerTemplate: { spec: { containers: [{ image: "x" }] } } } },
        };
        const errs = validateObject(lws);
        assert.ok(errs.some((e) => /spec\.replicas: must be integer/.test(e)), errs.join("\n"));
        assert.ok(errs.some((e) => /restartPolicy: must be equal to one of the allowed values/.test(e)), errs.join("\n"));
        assert.ok(errs.some((e) => /containers\.0: must have required property 'name'/.test(e)), errs.join("\n"));
    });

    it("accepts int-or-string both ways and preserves unknown fields where the schema says so", () => {
        const s = toJsonSchema({ type: "object", properties: { port: { "x-kubernetes-int-or-string": true }, free: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } });
        assert.deepEqual((s["properties"] as Record<string, unknown>)["port"], { anyOf: [{ type: "integer" }, { type: "string" }] });
        assert.equal((s as { additionalProperties: unknown }).additionalProperties, false);
        assert.equal(((s["properties"] as Record<string, Record<string, unknown>>)["free"]).additionalProperties, undefined);
    });

    it("rejects an apiVersion the upstream CRD does not serve, and an unknown kind", () => {
        const r = checkObject({ apiVersion: "inference.networking.x-k8s.io/v1alpha2", kind: "InferencePool", metadata: { name: "p" }, spec: {} });
        assert.equal(r.status, "invalid");
        assert.equal(checkObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }).status, "invalid");
        assert.equal(checkObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } }).status, "builtin");
    });

    it("flags chart values keys the chart does not have, and accepts real ones and open maps", () => {
        assert.deepEqual(checkValuesKeys("keda", "2.20.2", { prometheus: { operator: { enabled: true } }, podAnnotations: { keda: { anything: "x" } } }), []);
        const errs = checkValuesKeys("gpu-operator", "26.7.0", { driver: { enabled: false, enabeld: true }, migg: {} });
        assert.deepEqual(errs, [
            'gpu-operator 26.7.0: values key "driver.enabeld" does not exist in the chart\'s defaults',
            'gpu-operator 26.7.0: values key "migg" does not exist in the chart\'s defaults',
        ]);
    });

    it("keeps the template-only allowlist minimal: each key really is missing from the chart's defaults", () => {
        const versions: Record<string, string> = { inferencepool: charts.inferencePool.upstream.version, "llm-d-modelservice": charts.llmdModelservice.upstream.version };
        for (const [chart, keys] of Object.entries(TEMPLATE_ONLY_KEYS)) {
            const defaults = YAML.parse(fs.readFileSync(chartDefaultsFile(chart, versions[chart]), "utf8")) as Record<string, unknown>;
            for (const key of keys) {
                let v: unknown = defaults;
                for (const seg of key.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[seg] : undefined;
                assert.equal(v, undefined, `${chart}: "${key}" now exists in the defaults; drop it from TEMPLATE_ONLY_KEYS`);
            }
        }
    });
});
