/**
 * Engine command lines checked against the engine's own argument parser, as a table generated
 * from that parser (scripts/parsers/gen-engine-flags.py → test/parsers/tables/*.json), with
 * argparse's semantics:
 *  - an option must be one of the parser's option strings, written in full: argparse would accept
 *    a unique prefix (allow_abbrev), but a prefix breaks as soon as the engine adds a longer option
 *    with the same start (SGLang's `--tp` is a prefix of `--tp-size`), so the project must not rely on it;
 *  - `_` and `-` are interchangeable in an option name only where the engine's parser rewrites them
 *    (vLLM's FlexibleArgumentParser), never in SGLang's plain argparse;
 *  - values: nargs (0 for switches, 1, ?, +, *), choices, and the type (int, float, JSON) the
 *    parser's `type` callable accepts;
 *  - positionals: no more than the parser takes (argparse fails on unrecognized arguments);
 *  - an option given twice where the values differ: argparse keeps the last, silently.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface TableEntry {
    dest: string;
    action: string;
    nargs: number | string;
    type: "str" | "int" | "float" | "json" | "bool" | "custom";
    choices?: string[];
    flags?: string[];
}

export interface FlagTable {
    engine: string;
    version: string;
    command: string;
    parser: string;
    generatedBy: string;
    stubbedModules: string[];
    allowAbbrev: boolean;
    underscoreDashEquivalent: boolean;
    forbidden: Record<string, string>;
    vllm?: string;
    positionals: TableEntry[];
    options: TableEntry[];
}

export const TABLES_DIR = path.join(__dirname, "tables");

const tableCache = new Map<string, FlagTable>();

/** A committed table, e.g. loadTable("vllm-0.11.0"). */
export function loadTable(name: string): FlagTable {
    let t = tableCache.get(name);
    if (!t) {
        const file = path.join(TABLES_DIR, `${name}.json`);
        if (!fs.existsSync(file)) throw new Error(`no flag table ${file}: run scripts/parsers/gen-engine-flags.sh for this version`);
        t = JSON.parse(fs.readFileSync(file, "utf8")) as FlagTable;
        tableCache.set(name, t);
    }
    return t;
}

export interface ParsedArgv {
    problems: string[];
    /** dest → values of its last occurrence (what argparse keeps). */
    values: Map<string, string[]>;
    positionals: string[];
    /** Options in the order given, as written (normalised to the parser's spelling). */
    options: { flag: string; dest: string; values: string[] }[];
}

function looksLikeOption(tok: string): boolean {
    // argparse: "-" alone and negative numbers are values (the engines define no option that looks like a number).
    return tok.startsWith("-") && tok !== "-" && !/^-\d+(\.\d+)?$/.test(tok);
}

function checkValue(e: TableEntry, flag: string, v: string): string | undefined {
    if (e.choices && !e.choices.includes(v)) return `${flag} ${JSON.stringify(v)}: invalid choice (choose from ${e.choices.join(", ")})`;
    switch (e.type) {
        case "int":
            return /^\s*[-+]?\d[\d_]*\s*$/.test(v) ? undefined : `${flag} ${JSON.stringify(v)}: invalid int value`;
        case "float":
            return v.trim() !== "" && !Number.isNaN(Number(v)) ? undefined : `${flag} ${JSON.stringify(v)}: invalid float value`;
        case "json":
            try {
                JSON.parse(v);
                return undefined;
            } catch {
                return `${flag} ${JSON.stringify(v)}: not valid JSON`;
            }
        default:
            return undefined;
    }
}

/** Parse `argv` (the words after the command) as the table's parser would. */
export function parseArgv(table: FlagTable, argv: string[]): ParsedArgv {
    const byFlag = new Map<string, TableEntry>();
    for (const o of table.options) for (const f of o.flags ?? []) byFlag.set(f, o);
    const problems: string[] = [];
    const values = new Map<string, string[]>();
    const positionals: string[] = [];
    const options: ParsedArgv["options"] = [];
    const lastFlagFor = new Map<string, string>();
    let i = 0;
    let onlyPositionals = false;
    while (i < argv.length) {
        const tok = argv[i++];
        if (onlyPositionals || !looksLikeOption(tok)) {
            positionals.push(tok);
            continue;
        }
        if (tok === "--") {
            onlyPositionals = true;
            continue;
        }
        let [name, inline] = tok.includes("=") && tok.startsWith("--") ? [tok.slice(0, tok.indexOf("=")), tok.slice(tok.indexOf("=") + 1)] : [tok, undefined];
        if (table.underscoreDashEquivalent && name.startsWith("--")) {
            // FlexibleArgumentParser: `_` → `-` between the leading `--` and the first `.`.
            const dot = name.indexOf(".");
            name = dot < 0 ? name.replace(/_/g, "-") : name.slice(0, dot).replace(/_/g, "-") + name.slice(dot);
        }
        if (table.forbidden[name]) problems.push(`${name}: ${table.forbidden[name]}`);
        const e = byFlag.get(name);
        if (!e) {
            const prefixOf = [...byFlag.keys()].filter((f) => f.startsWith(name) && f.startsWith("--"));
            if (prefixOf.length > 0) {
                problems.push(
                    `${name}: not an option of ${table.command} ${table.version}; argparse ${table.allowAbbrev ? "would take it as an abbreviation" : "rejects abbreviations"} of ${prefixOf.slice(0, 4).join(", ")} — use the full name`,
                );
            } else if (!table.underscoreDashEquivalent && name.includes("_") && byFlag.has(name.replace(/_/g, "-"))) {
                problems.push(`${name}: not an option of ${table.command} ${table.version} (its parser does not treat _ as -; use ${name.replace(/_/g, "-")})`);
            } else {
                problems.push(`${name}: unrecognized option of ${table.command} ${table.version}`);
            }
            // Skip the value that probably follows, so one mistake is reported once.
            if (inline === undefined && i < argv.length && !looksLikeOption(argv[i])) i++;
            continue;
        }
        const vals: string[] = [];
        const n = e.nargs;
        if (n === 0) {
            if (inline !== undefined) problems.push(`${name}=${inline}: ${name} takes no value (argparse: ignored explicit argument)`);
        } else if (inline !== undefined) {
            vals.push(inline);
        } else if (typeof n === "number") {
            for (let k = 0; k < n; k++) {
                if (i >= argv.length || looksLikeOption(argv[i])) {
                    problems.push(`${name}: expected ${n === 1 ? "one argument" : `${n} arguments`}`);
                    break;
                }
                vals.push(argv[i++]);
            }
        } else {
            while (i < argv.length && !looksLikeOption(argv[i])) {
                vals.push(argv[i++]);
                if (n === "?") break;
            }
            if (n === "+" && vals.length === 0) problems.push(`${name}: expected at least one argument`);
        }
        for (const v of vals) {
            const p = checkValue(e, name, v);
            if (p) problems.push(p);
        }
        const prev = values.get(e.dest);
        if (prev !== undefined && e.action !== "append" && e.action !== "count" && JSON.stringify(prev) !== JSON.stringify(vals)) {
            problems.push(
                `${name} ${JSON.stringify(vals.join(" "))} overrides the earlier ${lastFlagFor.get(e.dest)} ${JSON.stringify(prev.join(" "))} (argparse keeps the last; the earlier value is silently dropped)`,
            );
        }
        values.set(e.dest, vals);
        lastFlagFor.set(e.dest, name);
        options.push({ flag: name, dest: e.dest, values: vals });
    }
    // Positionals: each takes its nargs; the rest are "unrecognized arguments".
    let rest = positionals.length;
    for (const p of table.positionals) {
        if (p.nargs === 1 || typeof p.nargs === "number") {
            if (rest < Number(p.nargs)) problems.push(`missing positional ${p.dest}`);
            rest -= Math.min(rest, Number(p.nargs));
        } else if (p.nargs === "?") rest -= Math.min(rest, 1);
        else rest = 0;
    }
    if (rest > 0) problems.push(`unrecognized arguments: ${positionals.slice(positionals.length - rest).join(" ")}`);
    return { problems, values, positionals, options };
}
