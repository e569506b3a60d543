/**
 * Parser tier, engines: every vLLM / SGLang / Dynamo command line of every shipped stack and
 * option stack, parsed with the pinned engine's own argument parser (its generated table).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { corpus } from "./corpus";
import { loadTable, parseArgv, TABLES_DIR } from "./argv";
import { engineCommandLines, imageTables, scriptCommands, type EngineCommandLine } from "./engine-commands";
import { sglangArgs } from "../../components/engine/sglang";
import { vllmServeArgs } from "../../components/engine/vllm";
import type { ModelConfig } from "../../stacks/config/schema";
import type { Placement } from "../../components/engine/types";

const PLACEMENT: Placement = { tensor: 4, pipeline: 2, data: 2, gpusPerPod: 8, nodesPerReplica: 1, replicas: 1 };
const MODEL = { model: "Qwen/Qwen3-32B", maxModelLen: 8192, gpuMemoryUtilization: 0.9, extraArgs: [] } as unknown as ModelConfig;

describe("parsers: engine flag tables", () => {
    it("a table generated from the engine's parser exists for every pinned engine image (or the reason it cannot)", () => {
        for (const t of imageTables()) {
            if (t.unchecked) continue;
            const table = loadTable(t.table!);
            assert.equal(table.generatedBy, "scripts/parsers/gen-engine-flags.py");
            assert.ok(table.options.length > 50, `${t.table}: only ${table.options.length} options — not a real parser dump`);
            assert.equal(`${t.engine === "dynamo-vllm" ? "dynamo-vllm" : t.engine}-${table.version}`, t.table, `${t.table}: the table was generated from ${table.engine} ${table.version}`);
        }
        // Every committed table is used by a pinned image (stale tables go when a version moves).
        const used = new Set(imageTables().map((t) => t.table).filter(Boolean));
        for (const f of fs.readdirSync(TABLES_DIR).filter((f) => f.endsWith(".json"))) {
            assert.ok(used.has(path.basename(f, ".json")), `tables/${f} matches no pinned image in components/versions.ts; delete it or pin its version`);
        }
    });

    it("Dynamo's table carries the vLLM release its runtime pins", () => {
        const d = imageTables().find((t) => t.engine === "dynamo-vllm")!;
        assert.match(loadTable(d.table!).vllm ?? "", /^\d+\.\d+\.\d+/);
    });
});

describe("parsers: argparse semantics of the checker", () => {
    const vllm = loadTable(imageTables().find((t) => t.engine === "vllm" && t.table)!.table!);
    const sglang = loadTable(imageTables().find((t) => t.engine === "sglang")!.table!);

    it("accepts what the project's engine components generate", () => {
        assert.deepEqual(parseArgv(vllm, vllmServeArgs({ model: MODEL, placement: PLACEMENT }, { ray: true })).problems, []);
        assert.deepEqual(parseArgv(sglang, sglangArgs({ model: MODEL, placement: PLACEMENT })).problems, []);
    });

    it("refuses abbreviations, unknown options, `_` where the parser does not rewrite it, bad values and lost duplicates", () => {
        const p = (t: typeof vllm, argv: string[]) => parseArgv(t, argv).problems.join("\n");
        assert.match(p(sglang, ["--model-path", "m", "--tp", "2"]), /--tp: .*abbreviation of --tp-size.*use the full name/);
        assert.match(p(sglang, ["--model-path", "m", "--tp_size", "2"]), /does not treat _ as -; use --tp-size/);
        assert.equal(p(vllm, ["m", "--tensor_parallel_size", "2"]), "", "vLLM's FlexibleArgumentParser rewrites _ to -");
        assert.match(p(vllm, ["m", "--no-such-flag", "1"]), /--no-such-flag: unrecognized option/);
        assert.match(p(vllm, ["m", "--tensor-parallel-size", "two"]), /invalid int value/);
        assert.match(p(vllm, ["m", "--gpu-memory-utilization", "most"]), /invalid float value/);
        assert.match(p(vllm, ["m", "--dtype", "fp7"]), /invalid choice/);
        assert.match(p(vllm, ["m", "--kv-transfer-config", "{nope"]), /not valid JSON/);
        assert.match(p(vllm, ["m", "--port", "8000", "--port", "8001"]), /--port "8001" overrides the earlier --port "8000"/);
        assert.match(p(vllm, ["m", "extra"]), /unrecognized arguments: extra/);
        assert.match(p(vllm, ["--model", "m"]), /--model: with `vllm serve` the model is the positional/);
        assert.match(p(vllm, ["m", "--enforce-eager=yes"]), /takes no value/);
        assert.match(p(vllm, ["m", "--port"]), /--port: expected one argument/);
    });

    it("splits scripts into simple commands outside quotes", () => {
        assert.deepEqual(scriptCommands(`set -e\nA=1; echo 'x; y' && exec vllm serve m`), ["set -e", "A=1", "echo 'x; y'", "exec vllm serve m"]);
    });
});

describe("parsers: every generated engine command line through its engine's parser", function () {
    this.timeout(600_000);

    it("parses cleanly, with every variable resolved", async () => {
        const tables = new Map(imageTables().map((t) => [t.image, t]));
        const problems: string[] = [];
        const checked = new Map<string, number>();
        const unchecked = new Map<string, number>();
        const lines: EngineCommandLine[] = [];
        for (const s of await corpus()) lines.push(...engineCommandLines(s));
        for (const l of lines) {
            const t = tables.get(l.image);
            if (!t || t.unchecked || t.engine !== l.engine) {
                const why = t?.unchecked ?? (t ? `image runs ${t.engine}, command is ${l.engine}` : "image not pinned in components/versions.ts (models[].image)");
                unchecked.set(`${l.engine} on ${l.image}: ${why}`, (unchecked.get(`${l.engine} on ${l.image}: ${why}`) ?? 0) + 1);
                continue;
            }
            const r = parseArgv(loadTable(t.table!), l.argv);
            for (const u of l.unresolved) problems.push(`${l.stack}: ${l.where}: unresolved variable in ${JSON.stringify(u)}`);
            for (const p of r.problems) problems.push(`${l.stack}: ${l.where}: ${p}`);
            checked.set(t.table!, (checked.get(t.table!) ?? 0) + 1);
        }
        console.log(`      engine command lines: ${lines.length}; checked ${[...checked].map(([k, v]) => `${v} with ${k}`).join(", ")}`);
        for (const [k, v] of unchecked) console.log(`      not checked by a real parser (${v}): ${k}`);
        assert.deepEqual(problems, [], problems.join("\n"));
        // The check must have something to check for each engine the project runs.
        for (const kind of ["vllm", "sglang", "dynamo-vllm"]) {
            assert.ok([...checked.keys()].some((k) => k.startsWith(`${kind}-`)), `no ${kind} command line was checked`);
        }
    });
});
