/**
 * `npm run --silent policy -- check <file-or-dir>... [--config <policy-config.json>] [--format text|json]`
 *
 * Runs the pack's rules on plain Kubernetes YAML (multi-document files, directories, the offline
 * plan's manifests/ including its Helm release documents `{chart, repo, version, namespace, values}`).
 * Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 bad usage or unreadable input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { parsePackConfig, type PackConfig } from "./lib/config";
import { evaluate, type Evaluation } from "./lib/evaluate";
import { subjectsFromDocument } from "./lib/workload";
import type { StackItem } from "./lib/rule";
import { ruleNames, rules } from "./rules";

export interface CliResult {
    code: 0 | 1 | 2;
    stdout: string;
    stderr: string;
}

const USAGE = "usage: policy check <file-or-dir>... [--config <policy-config.json>] [--format text|json]";

class InputError extends Error {}

function listFiles(target: string): string[] {
    let st: fs.Stats;
    try {
        st = fs.statSync(target);
    } catch (e) {
        throw new InputError(`${target}: cannot read: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`);
    }
    if (!st.isDirectory()) return [target];
    return fs
        .readdirSync(target)
        .sort()
        .flatMap((entry) => {
            const full = path.join(target, entry);
            if (fs.statSync(full).isDirectory()) return listFiles(full);
            return /\.(ya?ml|json)$/i.test(entry) ? [full] : [];
        });
}

/** Objects of one file; throws InputError naming the file and the reason. */
export function loadFile(file: string): StackItem[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new InputError(`${file}: cannot read: ${err.code === "EACCES" ? "permission denied" : err.code === "EISDIR" ? "is a directory" : err.message}`);
    }
    const docs = parseAllDocuments(text, { prettyErrors: true });
    const list = Array.isArray(docs) ? docs : [docs];
    const items: StackItem[] = [];
    const base = path.basename(file).replace(/\.(ya?ml|json)$/i, "");
    list.forEach((doc, i) => {
        if (doc.errors.length > 0) throw new InputError(`${file}: not valid YAML (document ${i + 1}): ${doc.errors[0].message.split("\n")[0]}`);
        for (const subject of subjectsFromDocument(doc.toJS(), base)) items.push({ subject, id: `${file}#${i + 1}` });
    });
    return items;
}

function loadConfig(file: string): PackConfig {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new InputError(`${file}: cannot read config: ${(e as Error).message}`);
    }
    try {
        return parsePackConfig(raw, ruleNames);
    } catch (e) {
        throw new InputError(`${file}: ${(e as Error).message}`);
    }
}

export function formatText(ev: Evaluation, files: number, objects: number): string {
    const lines = ev.findings.map((f) => `${f.enforcement.toUpperCase()} [${f.severity}] ${f.policy}: ${f.message}`);
    const mandatory = ev.findings.filter((f) => f.enforcement === "mandatory").length;
    lines.push(`${objects} object(s) in ${files} file(s): ${mandatory} mandatory, ${ev.findings.length - mandatory} advisory violation(s).`);
    return lines.join("\n") + "\n";
}

/** The CLI without process side effects (tests call this; main() wires it to the process). */
export function runCli(argv: readonly string[]): CliResult {
    const [command, ...rest] = argv;
    if (command !== "check") return { code: 2, stdout: "", stderr: `${USAGE}\n` };
    const targets: string[] = [];
    let configFile: string | undefined;
    let format: "text" | "json" = "text";
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        if (a === "--config" || a === "--format") {
            const v = rest[++i];
            if (v === undefined) return { code: 2, stdout: "", stderr: `${a} needs a value\n${USAGE}\n` };
            if (a === "--config") configFile = v;
            else if (v === "text" || v === "json") format = v;
            else return { code: 2, stdout: "", stderr: `--format must be text or json, not "${v}"\n` };
        } else if (a.startsWith("--config=")) configFile = a.slice("--config=".length);
        else if (a.startsWith("--format=")) {
            const v = a.slice("--format=".length);
            if (v !== "text" && v !== "json") return { code: 2, stdout: "", stderr: `--format must be text or json, not "${v}"\n` };
            format = v;
        } else if (a.startsWith("--")) return { code: 2, stdout: "", stderr: `unknown option ${a}\n${USAGE}\n` };
        else targets.push(a);
    }
    if (targets.length === 0) return { code: 2, stdout: "", stderr: `no files given\n${USAGE}\n` };
    try {
        const cfg = configFile ? loadConfig(configFile) : { policies: {} };
        const files = targets.flatMap(listFiles);
        const items = files.flatMap(loadFile);
        const ev = evaluate(items, rules, cfg);
        const stdout = format === "json" ? JSON.stringify(ev.findings, null, 2) + "\n" : formatText(ev, files.length, items.length);
        const stderr = ev.notes.map((n) => `note: ${n}\n`).join("");
        return { code: ev.findings.some((f) => f.enforcement === "mandatory") ? 1 : 0, stdout, stderr };
    } catch (e) {
        if (e instanceof InputError) return { code: 2, stdout: "", stderr: `error: ${e.message}\n` };
        throw e;
    }
}

if (require.main === module) {
    const r = runCli(process.argv.slice(2));
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
}
