/** The README's support matrix is the versions table: same keys, same sources, same versions. */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { charts, manifests } from "../../components/versions";
import { ROOT } from "../helpers";

function matrixRows(): Map<string, { source: string; version: string }> {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.split("## Support matrix")[1]?.split("\n## ")[0];
    assert.ok(section, "README has a Support matrix section");
    const rows = new Map<string, { source: string; version: string }>();
    for (const line of section.split("\n")) {
        const m = /^\| `(\w+)` \| (.+) \| ([^|]+) \|$/.exec(line.trim());
        if (m) rows.set(m[1], { source: m[2], version: m[3].trim() });
    }
    return rows;
}

describe("docs: support matrix", () => {
    it("lists every chart and manifest of components/versions.ts with its pinned version and source", () => {
        const rows = matrixRows();
        const expected = new Map<string, { source: string; version: string }>();
        for (const [k, v] of Object.entries(charts)) {
            const src: { chart: string; repo?: string; version: string } = v;
            expected.set(k, { source: `chart \`${src.chart}\`${src.repo ? ` from ${src.repo}` : ""}`, version: src.version });
        }
        for (const [k, v] of Object.entries(manifests)) expected.set(k, { source: `manifest ${v.url}`, version: v.version });
        assert.deepEqual(Object.fromEntries(rows), Object.fromEntries(expected));
    });
});
