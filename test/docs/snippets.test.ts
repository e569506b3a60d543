/**
 * Docs examples are tested: every ```yaml block in README.md and docs/*.md that is a stack file
 * (a top-level `config:` key) is written to a temp file and planned like `npm run plan -- --config`
 * does — config validation, sizing and the whole program on the mock engine. New docs are
 * picked up at run time.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { planExample, ROOT } from "../helpers";

export interface Snippet {
    file: string;
    /** 1-based line of the opening fence. */
    line: number;
    text: string;
}

/** Fenced ```yaml (or ```yml) blocks of a markdown text. */
export function yamlBlocks(markdown: string, file: string): Snippet[] {
    const out: Snippet[] = [];
    const lines = markdown.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const open = /^(\s*)(`{3,}|~{3,})\s*ya?ml\b.*$/.exec(lines[i]);
        if (!open) continue;
        const fence = open[2];
        const indent = open[1].length;
        const body: string[] = [];
        let j = i + 1;
        for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) body.push(lines[j].slice(Math.min(indent, lines[j].length - lines[j].trimStart().length)));
        out.push({ file, line: i + 1, text: body.join("\n") + "\n" });
        i = j;
    }
    return out;
}

/** A snippet is a stack file when `config:` is one of its top-level keys. */
export function isStackFile(text: string): boolean {
    return /^config:\s*$/m.test(text);
}

export function docFiles(): string[] {
    const docs = path.join(ROOT, "docs");
    const md = fs.existsSync(docs) ? fs.readdirSync(docs).filter((f) => f.endsWith(".md")).sort().map((f) => path.join("docs", f)) : [];
    return ["README.md", ...md].filter((f) => fs.existsSync(path.join(ROOT, f)));
}

describe("docs: yaml extraction", () => {
    it("finds fenced yaml blocks, keeps their text, and tells stack files from other yaml", () => {
        const md = ["# t", "```yaml", "config:", "  a: 1", "```", "text", "```yml", "values:", "  pulumiConfig: {}", "```", "```sh", "config:", "```", "  ```yaml", "  config:", "    b: 2", "  ```"].join("\n");
        const blocks = yamlBlocks(md, "t.md");
        assert.deepEqual(blocks.map((b) => [b.line, b.text]), [[2, "config:\n  a: 1\n"], [7, "values:\n  pulumiConfig: {}\n"], [14, "config:\n  b: 2\n"]]);
        assert.deepEqual(blocks.map((b) => isStackFile(b.text)), [true, false, true]);
    });

    it("finds the stack snippets of docs/operations.md", () => {
        const text = fs.readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");
        assert.ok(yamlBlocks(text, "docs/operations.md").filter((b) => isStackFile(b.text)).length >= 2);
    });
});

describe("docs: every stack snippet in README.md and docs/*.md plans", function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "doc-snippets-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const file of docFiles()) {
        const snippets = yamlBlocks(fs.readFileSync(path.join(ROOT, file), "utf8"), file).filter((s) => isStackFile(s.text));
        for (const s of snippets) {
            it(`${file}:${s.line}`, async () => {
                let doc: unknown;
                assert.doesNotThrow(() => (doc = YAML.parse(s.text)), `${file}:${s.line} is not valid YAML`);
                assert.ok(doc && typeof doc === "object" && "config" in doc);
                const f = path.join(tmp, `${path.basename(file, ".md")}-${s.line}.yaml`);
                fs.writeFileSync(f, s.text);
                const plan = await planExample(f);
                assert.ok(plan.resources.length > 0, "the snippet registered nothing");
                assert.ok(plan.config.fleet.pools.length > 0);
            });
        }
    }
});
