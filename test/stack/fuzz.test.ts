/**
 * Property-based fuzzing of the config gate (fast-check, fixed seed): generated invalid stack files
 * are all refused with clear `inference-platform:<path>` lines (or one file-level line for a
 * document of the wrong shape), never a crash and never a registration; semantics-preserving
 * rewrites of every shipped stack (key order, explicit defaults, comments, flow style) plan to
 * byte-identical registrations.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import * as YAML from "yaml";
import { ConfigError, parseStackConfig } from "../../stacks/config/load";
import { parseStackText, planStack, splitConfig, StackFileError } from "../../stacks/plan/plan";
import { ROOT, stackFiles } from "../helpers";
import { sharedRecorder } from "../setup";

const SEED = 20261128;
const NS = "inference-platform";
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Cfg = Record<string, Json>;

interface Base {
    file: string;
    name: string;
    config: Cfg;
}

function bases(): Base[] {
    return stackFiles().map((f) => {
        const doc = YAML.parse(fs.readFileSync(path.join(ROOT, f), "utf8")) as { config: Cfg };
        return { file: f, name: path.basename(f).replace(/\.ya?ml$/, "").replace(/^Pulumi\./, ""), config: doc.config };
    });
}

const clone = <T>(v: T): T => structuredClone(v);

/** Models / pools of a config (created when absent, so every mutation has a target). */
function models(c: Cfg): Record<string, Json>[] {
    const k = `${NS}:models`;
    if (!Array.isArray(c[k]) || (c[k] as Json[]).length === 0) c[k] = [{ model: "Qwen/Qwen3-0.6B" }];
    return c[k] as Record<string, Json>[];
}
function pools(c: Cfg): Record<string, Json>[] {
    return ((c[`${NS}:fleet`] as Record<string, Json>).pools as Record<string, Json>[]);
}

/** One invalid change to a config: [description, apply]. Every one is something the gate must refuse. */
type Mutation = (c: Cfg, pick: number, text: string) => string;

const badNames = ["Llama_3", "UPPER", "-lead", "trail-", "a".repeat(64), "模型", "has space", "dot.name", ""];
const badLabelKeys = ["bad key", "-x", "a/b/c", "/x", "x/", "UPPER.COM/x", "a".repeat(64), "ключ"];
const badLabelValues = ["a b", "-x", "x-", "v".repeat(64), "ü", "a/b"];
const badQuantities = ["0Gi", "-1Gi", "10GB", "Fast", "1.5.5Gi", "", "200 Gi", "0"];
const badEnvNames = ["A=B", "", "=x", "tab\tname", "ñ"];
const badImages = ["vllm/vllm-openai:latest", "vllm/vllm-openai", "Vllm/Upper:1.0", "has space:1", "repo:tag with space"];
const badModelIds = ["", "org/模型", "org/Модель", "-flag", "/abs", "org/", "a b/c", "org/x;rm -rf"];
const wrongScalars: Json[] = ["abc", -1, 0, 1.5, true, [], [1, 2], { x: 1 }, null];

const at = <T>(xs: readonly T[], i: number): T => xs[Math.abs(i) % xs.length];

const mutations: Record<string, Mutation> = {
    poolNodes: (c, i) => { const v = at([0, -1, 1.5, "2", true, [2]] as Json[], i); at(pools(c), i).nodes = v; return `fleet.pools[].nodes = ${JSON.stringify(v)}`; },
    vendor: (c, i, t) => { const v = t.toLowerCase() === "nvidia" ? "nvida" : t || "x"; (at(pools(c), i).accelerator as Record<string, Json>).vendor = v; return `vendor = ${JSON.stringify(v)}`; },
    perNode: (c, i) => { const v = at([0, -8, 2.5, "8", null] as Json[], i); (at(pools(c), i).accelerator as Record<string, Json>).perNode = v; return `perNode = ${JSON.stringify(v)}`; },
    memory: (c, i) => { const v = at([0, -80, "80Gi", false] as Json[], i); (at(pools(c), i).accelerator as Record<string, Json>).memoryGiB = v; return `memoryGiB = ${JSON.stringify(v)}`; },
    poolName: (c, i) => { const v = at(badNames, i); at(pools(c), i).name = v; return `pool name ${JSON.stringify(v)}`; },
    poolLabelKey: (c, i) => { const v = at(badLabelKeys, i); at(pools(c), i).labels = { [v]: "x" }; return `label key ${JSON.stringify(v)}`; },
    poolLabelValue: (c, i) => { const v = at(badLabelValues, i); at(pools(c), i).labels = { "example.com/pool": v }; return `label value ${JSON.stringify(v)}`; },
    taintKey: (c, i) => { const v = at(badLabelKeys, i); at(pools(c), i).taints = [{ key: v, effect: "NoSchedule" }]; return `taint key ${JSON.stringify(v)}`; },
    taintEffect: (c, i, t) => { const v = t === "NoSchedule" ? "noschedule" : t; at(pools(c), i).taints = [{ key: "gpu", effect: v }]; return `taint effect ${JSON.stringify(v)}`; },
    rdmaName: (c, i) => { const v = at(["rdma", "kubernetes.io/rdma", "a b/c", "/x"], i); at(pools(c), i).rdma = { nicsPerNode: 8, resourceName: v }; return `rdma resource ${JSON.stringify(v)}`; },
    engine: (c, i, t) => { const v = ["vllm", "sglang", "trtllm"].includes(t) ? t + "x" : t; at(models(c), i).engine = v; return `engine ${JSON.stringify(v)}`; },
    serving: (c, i, t) => { const v = ["engine", "kserve", "llmisvc", "llmd", "rayserve", "nim", "dynamo"].includes(t) ? "x" + t : t; at(models(c), i).serving = v; return `serving ${JSON.stringify(v)}`; },
    parallelism: (c, i) => { const v = at(["max", 0, { tensor: 0 }, { tensor: -2 }, { tensor: 1.5 }, { tensor: 4096 }, { pipeline: 10000 }, { tp: 2 }] as Json[], i); at(models(c), i).parallelism = v; return `parallelism ${JSON.stringify(v)}`; },
    maxModelLen: (c, i) => { const v = at([0, -1, "8k", 1.5] as Json[], i); at(models(c), i).maxModelLen = v; return `maxModelLen ${JSON.stringify(v)}`; },
    memUtil: (c, i) => { const v = at([0, 1.5, -0.1, "90%"] as Json[], i); at(models(c), i).gpuMemoryUtilization = v; return `gpuMemoryUtilization ${JSON.stringify(v)}`; },
    cacheSize: (c, i) => { const v = at(badQuantities, i); at(models(c), i).cacheSize = v; return `cacheSize ${JSON.stringify(v)}`; },
    storageClass: (c, i) => { const v = at(["Fast SSD", "UPPER", "-x", "a..b", ""], i); const m = at(models(c), i); m.cacheSize = "10Gi"; m.storageClass = v; return `storageClass ${JSON.stringify(v)}`; },
    envName: (c, i) => { const v = at(badEnvNames, i); at(models(c), i).env = { [v]: "1" }; return `env name ${JSON.stringify(v)}`; },
    envValue: (c, i) => { const v = at([1, true, null, { a: 1 }] as Json[], i); at(models(c), i).env = { OK: v }; return `env value ${JSON.stringify(v)}`; },
    image: (c, i) => { const v = at(badImages, i); at(models(c), i).image = v; return `image ${JSON.stringify(v)}`; },
    modelName: (c, i) => { const v = at(badNames, i); at(models(c), i).name = v; return `model name ${JSON.stringify(v)}`; },
    modelId: (c, i) => { const v = at(badModelIds, i); const m = at(models(c), i); m.model = v; delete m.name; return `model id ${JSON.stringify(v)}`; },
    derivedName: (c, i) => { const v = at(["org/___", "org/...", "x/-"], i); const m = at(models(c), i); m.model = v; delete m.name; return `model id without a usable name ${JSON.stringify(v)}`; },
    replicas: (c, i) => { const v = at([-1, 1.5, "2"] as Json[], i); at(models(c), i).replicas = v; return `replicas ${JSON.stringify(v)}`; },
    autoscaling: (c, i) => { const v = at([{ min: 4, max: 2 }, { max: 0 }, { min: 1 }, { max: 2, target: 0 }, "on"] as Json[], i); at(models(c), i).autoscaling = v; return `autoscaling ${JSON.stringify(v)}`; },
    unknownModelKey: (c, i, t) => { const k = /^[a-z]+$/.test(t) && t.length > 2 ? t + "x" : "tp"; at(models(c), i)[k] = 1; return `unknown model key ${k}`; },
    unknownPoolKey: (c, i) => { at(pools(c), i).gpus = 8; return "unknown pool key gpus"; },
    unknownTopKey: (c, _i, t) => { const k = `${NS}:${/^[a-z]+$/.test(t) && t.length > 2 ? t + "s" : "modles"}`; c[k] = []; return `unknown top key ${k}`; },
    unknownPool: (c, i) => { at(models(c), i).pool = "no-such-pool"; return "unknown pool"; },
    duplicateModels: (c) => { const ms = models(c); ms.push(clone(ms[0])); return "duplicate model"; },
    namespace: (c, i) => { const v = at(badNames, i); c[`${NS}:cluster`] = { ...((c[`${NS}:cluster`] as object) ?? {}), namespace: v }; return `namespace ${JSON.stringify(v)}`; },
    kubeVersion: (c, i) => { const v = at(["v1.34", "1.34.2", "2.0", 1.34], i); c[`${NS}:cluster`] = { kubernetesVersion: v }; return `kubernetesVersion ${JSON.stringify(v)}`; },
    gatewayProvider: (c, _i, t) => { const v = ["istio", "kgateway", "agentgateway"].includes(t) ? "nginx" : t; c[`${NS}:platform`] = { gateway: { provider: v } }; return `gateway provider ${JSON.stringify(v)}`; },
    wrongTypeTop: (c, i) => { const k = at(["fleet", "models", "platform", "cluster"], i); const v = at(wrongScalars.filter((w) => !(k === "models" && Array.isArray(w) && w.length === 0) && !(k !== "models" && w !== null && typeof w === "object" && !Array.isArray(w))), i); c[`${NS}:${k}`] = v; return `${k} = ${JSON.stringify(v)}`; },
    deepNesting: (c, i) => { let v: Json = 1; for (let d = 0; d < 70 + (Math.abs(i) % 50); d++) v = [v]; at(models(c), i).extraArgs = v; return "deep nesting"; },
    emptyFleet: (c) => { c[`${NS}:fleet`] = { pools: [] }; return "empty fleet"; },
};

/** Whole-document nonsense: the text is replaced. */
const documents: ((t: string) => string)[] = [
    (t) => `config: ${JSON.stringify(t || "abc")}\n`,
    () => "config: [1, 2, 3]\n",
    () => "config: 42\n",
    (t) => `${JSON.stringify(t || "just a string")}\n`,
    () => "- a\n- b\n",
    () => `config:\n  ${NS}:models: ${"[".repeat(3000)}${"]".repeat(3000)}\n`,
    () => "config: {a: [1, 2\n",
    () => "config:\n  inference-platform:fleet: &a [*a]\n",
];

async function refusalAsync(text: string, name: string): Promise<{ kind: "refused" | "accepted" | "crash"; lines: string[] }> {
    const rec = sharedRecorder();
    rec.clear();
    try {
        const sf = parseStackText(text, `fuzz/${name}.yaml`, name);
        await planStack(sf, rec);
        return { kind: "accepted", lines: [] };
    } catch (e) {
        assert.equal(rec.resources.length, 0, `a refused config registered ${rec.resources.length} resource(s)`);
        if (e instanceof ConfigError) return { kind: "refused", lines: e.problems.flatMap((p) => p.split("\n")) };
        if (e instanceof StackFileError) return { kind: "refused", lines: [e.message] };
        return { kind: "crash", lines: [String((e as Error)?.stack ?? e)] };
    }
}

const clearLine = (l: string, fileLevel: boolean) =>
    (fileLevel ? /^(fuzz\/\S+\.yaml|inference-platform:)/ : /^inference-platform:/).test(l) && !/\n\s+at |TypeError|RangeError|ReferenceError|undefined is not|Cannot read prop|Maximum call stack/.test(l) && l.length < 2000;

describe("config fuzzing (fast-check, seeded)", function () {
    this.timeout(300_000);
    const all = bases();

    it("refuses at least 500 generated invalid configs, each with clear path lines, no crash, nothing registered", async () => {
        const names = Object.keys(mutations);
        const arb = fc.record({
            base: fc.nat({ max: all.length - 1 }),
            op: fc.nat({ max: names.length + documents.length - 1 }),
            pick: fc.integer({ min: 0, max: 1000 }),
            text: fc.oneof(fc.constantFrom("nvidia", "vllm", "kserve", "istio", "NoSchedule", ""), fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 8 })),
        });
        const samples = fc.sample(arb, { seed: SEED, numRuns: 600 });
        const stats = { generated: 0, refused: 0, crashes: [] as string[], accepted: [] as string[], unclear: [] as string[] };
        for (const [n, s] of samples.entries()) {
            const base = all[s.base];
            let text: string;
            let what: string;
            let fileLevel = false;
            if (s.op < names.length) {
                const c = clone(base.config);
                what = `${base.file}: ${mutations[names[s.op]](c, s.pick, s.text)}`;
                text = YAML.stringify({ config: c }, { aliasDuplicateObjects: false });
            } else {
                fileLevel = true;
                text = documents[s.op - names.length](s.text);
                what = `document ${s.op - names.length}: ${JSON.stringify(text.slice(0, 40))}`;
            }
            stats.generated++;
            const r = await refusalAsync(text, `case-${n}`);
            if (r.kind === "crash") stats.crashes.push(`${what}\n${r.lines[0]}`);
            else if (r.kind === "accepted") stats.accepted.push(what);
            else if (r.lines.length === 0 || !r.lines.every((l) => clearLine(l, fileLevel))) stats.unclear.push(`${what}\n  ${r.lines.slice(0, 3).join("\n  ")}`);
            else if (fileLevel && r.lines.length > 1) stats.unclear.push(`${what}: ${r.lines.length} lines for one structural problem`);
            else stats.refused++;
        }
        console.log(`      fuzz: ${stats.generated} invalid configs generated, ${stats.refused} refused clearly, ${stats.crashes.length} crashes, ${stats.accepted.length} accepted, ${stats.unclear.length} unclear`);
        assert.ok(stats.generated >= 500);
        assert.deepEqual(stats.crashes, [], "crashes");
        assert.deepEqual(stats.accepted, [], "invalid configs accepted");
        assert.deepEqual(stats.unclear, [], "refusals without a clear path line");
    });

    /** Key order, explicit defaults, comments and flow style: none of them may change the plan. */
    function rewrite(base: Base, seed: number): string {
        const c = clone(base.config);
        const rand = fc.sample(fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), { seed, numRuns: 1 })[0];
        let r = 0;
        const next = () => rand[r++ % rand.length];
        // Explicit defaults, taken from the parsed config itself.
        const { structured } = splitConfig({ name: base.name, file: base.file, config: c as Record<string, unknown>, environments: [] });
        const parsed = parseStackConfig(structured);
        const ms = c[`${NS}:models`] as Record<string, Json>[] | undefined;
        ms?.forEach((m, i) => {
            const p = parsed.models[i] as unknown as Record<string, Json>;
            for (const k of ["name", "engine", "serving", "replicas", "maxModelLen", "concurrency", "gpuMemoryUtilization", "multiNode", "workload", "dra", "extraArgs", "env"]) {
                if (m[k] === undefined && next() % 2 === 0) m[k] = clone(p[k]);
            }
        });
        pools(c).forEach((pool, i) => {
            const p = parsed.fleet.pools[i] as unknown as Record<string, Json>;
            for (const k of ["nodes", "nvlinkDomain", "labels", "taints"]) if (pool[k] === undefined && next() % 2 === 0) pool[k] = clone(p[k]);
        });
        if (c[`${NS}:cluster`] === undefined && next() % 2 === 0) c[`${NS}:cluster`] = { kubernetesVersion: parsed.cluster.kubernetesVersion };
        // Key order: shuffle every mapping.
        const shuffle = (v: Json): Json => {
            if (Array.isArray(v)) return v.map(shuffle);
            if (v === null || typeof v !== "object") return v;
            const keys = Object.keys(v);
            for (let i = keys.length - 1; i > 0; i--) {
                const j = next() % (i + 1);
                [keys[i], keys[j]] = [keys[j], keys[i]];
            }
            return Object.fromEntries(keys.map((k) => [k, shuffle(v[k])]));
        };
        const doc = new YAML.Document({ config: shuffle(c) });
        // Comments and flow style on some collections.
        doc.commentBefore = ` rewrite ${seed} of ${base.file}`;
        YAML.visit(doc, {
            Pair(_k, pair) {
                if (next() % 5 === 0 && YAML.isScalar(pair.key)) pair.key.commentBefore = " a comment";
            },
            Map(_k, map) {
                if (next() % 4 === 0) map.flow = true;
            },
            Seq(_k, seq) {
                if (next() % 4 === 0) seq.flow = true;
            },
        });
        return doc.toString();
    }

    it("plans at least 50 semantics-preserving rewrites of the shipped stacks byte-identically", async () => {
        const rec = sharedRecorder();
        const reference = new Map<string, string>();
        for (const b of all) {
            rec.clear();
            const r = await planStack(parseStackText(YAML.stringify({ config: b.config }), b.file, b.name), rec);
            reference.set(b.name, JSON.stringify(r.resources));
        }
        let checked = 0;
        for (let i = 0; i < 54; i++) {
            const b = all[i % all.length];
            const text = rewrite(b, SEED + i);
            rec.clear();
            const r = await planStack(parseStackText(text, b.file, b.name), rec);
            assert.equal(JSON.stringify(r.resources), reference.get(b.name), `rewrite ${i} of ${b.file} changed the plan:\n${text}`);
            checked++;
        }
        assert.ok(checked >= 50);
    });
});
