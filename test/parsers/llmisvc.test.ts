/**
 * Parser tier, KServe LLMInferenceService: the final pod specs as KServe v0.20.0's preset merge
 * produces them (test/parsers/kserve-llmisvc.ts, with the real presets of the pinned chart), then
 * the vLLM command line the preset's script really runs (its `eval "exec vllm serve … $@"` with the
 * project's args appended), through that vLLM's parser, and the pod's ports and probes:
 *  - no two containers of a pod listen on one port (vLLM's last `--port` wins);
 *  - every HTTP probe targets a port its container listens on;
 *  - no project arg is mangled by the preset's `eval` (quotes, spaces, `$`);
 *  - every config the service needs ships with the pinned charts.
 */
import { strict as assert } from "node:assert";
import { corpus, objects, objName, type K8sObject } from "./corpus";
import { loadTable, parseArgv } from "./argv";
import { mergeLlmInferenceService, presets, strategicMerge, wellKnownRefs, renderTemplate } from "./kserve-llmisvc";
import { evalWords, parseCommand } from "./shell";
import { imageTables } from "./engine-commands";

type Obj = Record<string, unknown>;

/** The vLLM release of a main-container image (the version the preset script probes and the parser table). */
export function vllmVersionOf(image: string): string | undefined {
    const t = imageTables().find((x) => x.image === image && x.engine === "vllm" && x.table);
    return t?.table?.replace(/^vllm-/, "");
}

const cmpVersion = (a: string, b: string) => {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
};

/**
 * The shell variables the preset script sets before its eval line, for a vLLM version: each
 * `NAME="…"` assignment applies when every enclosing `if` holds — version guards
 * (`sort -V … "X.Y.Z"`: vLLM ≥ X.Y.Z) and the KV-transfer guard (no --kv-transfer-config in
 * VLLM_ADDITIONAL_ARGS or the args). Assignments under any other `if` (the RoCE probe) are skipped.
 */
export function scriptVars(script: string, version: string, env: Record<string, string>, args: string[]): Record<string, string> {
    const vars: Record<string, string> = {};
    const stack: boolean[] = [];
    const hasKv = /--kv[-_]transfer[-_]config/.test(`${env["VLLM_ADDITIONAL_ARGS"] ?? ""} ${args.join(" ")}`);
    for (const raw of script.split("\n")) {
        const line = raw.trim();
        if (/^if\b/.test(line)) {
            const v = /sort -V.*"(\d+\.\d+\.\d+)"/.exec(line);
            if (v) stack.push(cmpVersion(version, v[1]) >= 0);
            else if (/!= \*"--kv-transfer-config"\*/.test(line)) stack.push(!hasKv);
            else stack.push(false);
            continue;
        }
        if (/^fi\b/.test(line)) {
            stack.pop();
            continue;
        }
        const a = /^([A-Z_]+)=(".*"|'.*'|\$\(.*\)|\S*)$/.exec(line);
        if (a && stack.every(Boolean)) {
            if (a[2].startsWith("$((")) {
                vars[a[1]] = "0"; // arithmetic (START_RANK=$(( rank × local size ))): rank 0
                continue;
            }
            if (a[2].startsWith("$(")) {
                // Command substitution (DP_ADDRESS=$(getent hosts $LWS_LEADER_ADDRESS …), VLLM_VERSION=$(vllm --version)):
                // a runtime value; the version is known, an address gets a sample.
                vars[a[1]] = a[1] === "VLLM_VERSION" ? version : "10.0.0.1";
                continue;
            }
            const { words } = parseCommand(a[2], 0, { vars: { ...env, ...vars }, positional: args });
            vars[a[1]] = words.join(" ");
        }
    }
    return vars;
}

export interface VllmRun {
    argv: string[];
    altered: string[];
}

/** The `vllm serve` argv the preset's bash -c script runs with these container args. */
export function presetVllmArgv(container: Obj, version: string): VllmRun | undefined {
    const command = ((container["command"] as string[] | undefined) ?? []).map(String);
    const args = ((container["args"] as string[] | undefined) ?? []).map(String);
    if (!/bash$/.test(command[0] ?? "") || command[1] !== "-c") return undefined;
    const script = command[2];
    // bash -c SCRIPT $0 $1…: the preset's command ends in `--` ($0); the args are $1….
    const positional = [...command.slice(4), ...args];
    // LeaderWorkerSet injects these into every pod of a group (KServe runs workers as LWS); rank 0.
    const env: Record<string, string> = { LWS_LEADER_ADDRESS: "svc-0.svc.ns", LWS_WORKER_INDEX: "0", LWS_GROUP_SIZE: "2" };
    for (const e of (container["env"] as { name: string; value?: string }[] | undefined) ?? []) if (typeof e.value === "string") env[e.name] = e.value;
    const at = script.indexOf('eval "exec vllm serve');
    if (at < 0) return undefined;
    const vars = { ...env, ...scriptVars(script.slice(0, at), version, env, positional) };
    const { words } = parseCommand(script, at, { vars, positional });
    const { words: run, altered } = evalWords(words.slice(1));
    if (run[0] !== "exec" || run[1] !== "vllm" || run[2] !== "serve") throw new Error(`eval runs ${run.slice(0, 3).join(" ")}`);
    return { argv: run.slice(3), altered: altered.filter((a) => args.includes(a)) };
}

/** The port a process listens on, from its `--port` (last wins) or `--port=` arg, else undefined. */
function portArg(argv: string[]): number | undefined {
    let port: number | undefined;
    argv.forEach((a, i) => {
        if (a === "--port" && argv[i + 1]) port = Number(argv[i + 1]);
        const m = /^--port=(\d+)$/.exec(a);
        if (m) port = Number(m[1]);
    });
    return port;
}

interface PodCheck {
    where: string;
    problems: string[];
    checkedArgv: boolean;
}

/** Check one final pod spec of an LLMInferenceService. */
export function checkPod(where: string, pod: Obj): PodCheck {
    const problems: string[] = [];
    let checkedArgv = false;
    const sidecars = ((pod["initContainers"] as Obj[] | undefined) ?? []).filter((c) => c["restartPolicy"] === "Always");
    const running = [...((pod["containers"] as Obj[] | undefined) ?? []), ...sidecars];
    const listens = new Map<string, number[]>();
    for (const c of running) {
        const name = String(c["name"]);
        const declared = ((c["ports"] as { containerPort: number }[] | undefined) ?? []).map((p) => Number(p.containerPort));
        let ports = declared;
        if (name === "main") {
            const image = String(c["image"] ?? "");
            const version = vllmVersionOf(image);
            if (!version) {
                problems.push(`${name}: image ${image} has no known vLLM release: its command line cannot be checked`);
                continue;
            }
            const run = presetVllmArgv(c, version);
            if (!run) {
                problems.push(`${name}: the container does not run the preset's vllm serve script (command ${JSON.stringify(c["command"])})`);
                continue;
            }
            for (const a of run.altered) problems.push(`${name}: arg ${JSON.stringify(a)} passes through the preset's eval, which re-parses quotes, spaces and $: vLLM gets something else`);
            try {
                const table = loadTable(`vllm-${version}`);
                checkedArgv = true;
                for (const p of parseArgv(table, run.argv).problems) problems.push(`${name}: vllm serve ${version}: ${p}`);
            } catch (e) {
                problems.push(`${name}: ${(e as Error).message}`);
            }
            ports = [portArg(run.argv) ?? 8000];
            if (!declared.includes(ports[0])) problems.push(`${name}: vLLM listens on ${ports[0]}, which the container does not declare (ports ${declared.join(", ") || "none"})`);
        } else {
            const p = portArg(((c["args"] as string[] | undefined) ?? []).map(String));
            if (p !== undefined) ports = [p];
        }
        listens.set(name, ports);
    }
    const owner = new Map<number, string>();
    for (const [name, ports] of listens) {
        for (const p of ports) {
            if (owner.has(p)) problems.push(`port ${p}: both ${owner.get(p)} and ${name} listen on it`);
            else owner.set(p, name);
        }
    }
    for (const c of running) {
        const name = String(c["name"]);
        for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"]) {
            const port = (c[kind] as { httpGet?: { port?: number | string } } | undefined)?.httpGet?.port;
            if (port === undefined) continue;
            const named = ((c["ports"] as { name?: string; containerPort: number }[] | undefined) ?? []).find((p) => p.name === port)?.containerPort;
            const n = typeof port === "number" ? port : (named ?? Number(port));
            if (!(listens.get(name) ?? []).includes(n)) problems.push(`${name}: ${kind} targets port ${port}, but the container listens on ${(listens.get(name) ?? []).join(", ") || "nothing"}`);
        }
    }
    return { where, problems, checkedArgv };
}

/** Every final pod spec of a service: decode/main (template), its workers, prefill and its workers. */
export function finalPods(svc: K8sObject): { where: string; pod: Obj; missing: string[] }[] {
    const ns = svc.metadata?.namespace ?? "default";
    const name = svc.metadata?.name ?? "?";
    const merged = mergeLlmInferenceService(svc, { EnableTLS: false, InferencePoolNamespacedName: `${ns}/${name}-inference-pool` });
    const out: { where: string; pod: Obj; missing: string[] }[] = [];
    const parts: [string, unknown][] = [
        ["template", merged.spec["template"]],
        ["worker", merged.spec["worker"]],
        ["prefill.template", (merged.spec["prefill"] as Obj | undefined)?.["template"]],
        ["prefill.worker", (merged.spec["prefill"] as Obj | undefined)?.["worker"]],
    ];
    for (const [p, pod] of parts) if (pod && typeof pod === "object") out.push({ where: `${objName(svc)}: spec.${p} (after ${merged.refs.join(" + ")})`, pod: pod as Obj, missing: merged.missing });
    if (out.length === 0) out.push({ where: objName(svc), pod: {}, missing: merged.missing });
    return out;
}

describe("parsers: KServe v0.20.0 preset merge of LLMInferenceService", () => {
    it("reads the real presets of the pinned chart", () => {
        const p = presets();
        for (const n of ["kserve-config-llm-template", "kserve-config-llm-decode-template", "kserve-config-llm-prefill-template", "kserve-config-llm-worker-data-parallel", "kserve-config-llm-scheduler"]) {
            assert.ok(p.has(n), `preset ${n} missing from the chart`);
        }
    });

    it("selects configs as combineBaseRefsConfig does", () => {
        assert.deepEqual(wellKnownRefs({ router: { scheduler: {}, route: {} } }), ["kserve-config-llm-scheduler", "kserve-config-llm-router-route", "kserve-config-llm-template"]);
        assert.deepEqual(wellKnownRefs({ prefill: {}, worker: {}, parallelism: { data: 2 } }), ["kserve-config-llm-prefill-template", "kserve-config-llm-decode-worker-data-parallel"]);
        assert.deepEqual(wellKnownRefs({ worker: {}, parallelism: { pipeline: 2 } }), ["kserve-config-llm-worker-pipeline-parallel"]);
    });

    it("merges containers by name, ports by containerPort, env by name, and replaces args", () => {
        const base = { containers: [{ name: "main", command: ["a"], args: ["x"], ports: [{ containerPort: 8000 }], env: [{ name: "A", value: "1" }] }] };
        const over = { containers: [{ name: "main", args: ["y"], ports: [{ containerPort: 8000, name: "http" }], env: [{ name: "B", value: "2" }] }, { name: "side" }] };
        assert.deepEqual(strategicMerge(base, over, "template"), {
            containers: [
                { name: "main", command: ["a"], args: ["y"], ports: [{ containerPort: 8000, name: "http" }], env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] },
                { name: "side" },
            ],
        });
    });

    it("renders the presets' Go templates", () => {
        const svc = { metadata: { name: "m", namespace: "ns" }, spec: { model: { name: "org/m" }, parallelism: { tensor: 2 } } };
        const g = { EnableTLS: false, InferencePoolNamespacedName: "ns/m-inference-pool" };
        assert.equal(renderTemplate(`a{{- if and .Spec.Parallelism .Spec.Parallelism.Tensor }} --tp {{ .Spec.Parallelism.Tensor }}{{- end }} {{ if .GlobalConfig.EnableTLS }}tls{{- end }}b`, svc, g), "a --tp 2 b");
        assert.equal(renderTemplate("{{ ChildName .ObjectMeta.Name `-x` }} {{ .Spec.Model.Name }}", svc, g), "m-x org/m");
    });

    it("finds a port clash, a probe on the wrong port, an eval-mangled arg and a lost duplicate", () => {
        // The decode preset (vLLM on 8001 behind the routing sidecar on 8000) with args that restate --port 8000.
        const decode = mergeLlmInferenceService(
            { metadata: { name: "m", namespace: "ns" }, spec: { model: { name: "org/m" }, prefill: {}, template: { containers: [{ name: "main", args: ["--port", "8000", "--kv-transfer-config", '{"kv_connector":"NixlConnector"}'] }] } } },
            { EnableTLS: false, InferencePoolNamespacedName: "ns/m" },
        );
        const r = checkPod("decode", decode.spec["template"] as Obj).problems.join("\n");
        assert.match(r, /--port "8000" overrides the earlier --port "8001"/);
        assert.match(r, /port 8000: both/);
        assert.match(r, /readinessProbe targets port 8001/);
        assert.match(r, /passes through the preset's eval/);
    });
});

describe("parsers: every generated LLMInferenceService, as KServe deploys it", function () {
    this.timeout(600_000);

    it("runs a valid vLLM command line with no port clash and probes on listening ports", async () => {
        const problems: string[] = [];
        let pods = 0;
        let argv = 0;
        for (const s of await corpus()) {
            for (const svc of objects(s, "LLMInferenceService")) {
                for (const { where, pod, missing } of finalPods(svc)) {
                    for (const m of missing) problems.push(`${s.file}: ${where}: needs LLMInferenceServiceConfig ${m}, which the pinned charts do not ship (KServe: ConfigNotFound)`);
                    if (!pod["containers"]) continue;
                    const r = checkPod(where, pod);
                    pods++;
                    if (r.checkedArgv) argv++;
                    for (const p of r.problems) problems.push(`${s.file}: ${where}: ${p}`);
                }
            }
        }
        console.log(`      LLMInferenceService pods checked: ${pods} (${argv} vLLM command lines through the parser)`);
        assert.ok(pods > 0, "no LLMInferenceService in any stack");
        assert.deepEqual(problems, [], problems.join("\n"));
    });
});
