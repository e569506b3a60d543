/**
 * The layering rule (docs/ARCHITECTURE.md): components/ never imports stacks/. Every import and
 * require under components/ is resolved against the file's directory; one that lands in stacks/
 * (or in scripts/, test/, policies/, the program's index.ts) fails, with the file and the line.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers";

const COMPONENTS = path.join(ROOT, "components");
const FORBIDDEN = ["stacks", "scripts", "test", "policies", "index.ts"].map((p) => path.join(ROOT, p));

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
    });
}

/** Module specifiers of every static import/export, dynamic import() and require() in a file. */
export function importsOf(source: string): { spec: string; line: number }[] {
    const out: { spec: string; line: number }[] = [];
    const re = /(?:\bimport\s[^;]*?\bfrom\s*|\bexport\s[^;]*?\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'`]([^"'`]+)["'`]/g;
    for (const m of source.matchAll(re)) out.push({ spec: m[1], line: source.slice(0, m.index).split("\n").length });
    return out;
}

describe("layering: components never import stacks", () => {
    it("finds the imports it scans (the scanner itself)", () => {
        const found = importsOf('import type { A } from "../../stacks/schema";\nexport * from "./x";\nconst z = require("../stacks/y");\nimport "../side";');
        assert.deepEqual(
            found.map((f) => f.spec),
            ["../../stacks/schema", "./x", "../stacks/y", "../side"],
        );
    });

    it("no file under components/ imports stacks/, scripts/, test/, policies/ or index.ts", () => {
        const files = tsFiles(COMPONENTS);
        assert.ok(files.length > 50, `scanned ${files.length} files`);
        const bad: string[] = [];
        for (const file of files) {
            for (const { spec, line } of importsOf(fs.readFileSync(file, "utf8"))) {
                if (!spec.startsWith(".")) continue;
                const target = path.resolve(path.dirname(file), spec);
                if (FORBIDDEN.some((f) => target === f || target.startsWith(f + path.sep) || target === f.replace(/\.ts$/, ""))) {
                    bad.push(`${path.relative(ROOT, file)}:${line}: imports ${spec}`);
                }
            }
        }
        assert.deepEqual(bad, [], `components/ must not import stacks/ (docs/ARCHITECTURE.md):\n${bad.join("\n")}`);
    });
});
