/**
 * The compiled output: the library entry package.json `exports` resolves to, and the launcher
 * `npm run plan`/`bench` go through (scripts/compiled.js).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const launcher = require(path.join(ROOT, "scripts", "compiled.js")) as { ensureBuilt(): void; newestSource(): number };

describe("compiled output (bin/)", function () {
    this.timeout(600_000);
    before(() => launcher.ensureBuilt());

    it("`inference-platform` resolves through package.json exports to bin/components/index.js, with declarations", () => {
        const entry = require.resolve("inference-platform");
        assert.equal(entry, path.join(ROOT, "bin", "components", "index.js"));
        assert.ok(fs.existsSync(path.join(ROOT, "bin", "components", "index.d.ts")));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const lib = require(entry) as Record<string, unknown>;
        const packaged = fs
            .readFileSync(path.join(ROOT, "components", "package.ts"), "utf8")
            .split("\n")
            .map((l) => /^export \{ (\w+) \} from/.exec(l)?.[1])
            .filter((c): c is string => c !== undefined);
        for (const c of [...packaged, "VllmServer", "SglangServer", "LlmD", "KServeModel", "GpuClaim", "planModel"]) {
            assert.equal(typeof lib[c], "function", `library export ${c}`);
        }
    });

    it("is not older than any source once built", () => {
        assert.ok(fs.statSync(path.join(ROOT, "bin", ".tsbuildinfo")).mtimeMs >= launcher.newestSource());
    });

    it("defers only what @pulumi/pulumi's runtime/closure uses of the three modules the launcher loads lazily", () => {
        const closure = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "runtime", "closure");
        const codePaths = fs.readFileSync(path.join(closure, "codePaths.js"), "utf8");
        // @npmcli/arborist: only `new arborist.Arborist(...)`; normalize-package-data: only called.
        assert.deepEqual([...new Set(codePaths.match(/\barborist\.\w+/g))], ["arborist.Arborist"]);
        assert.deepEqual([...new Set(codePaths.match(/\bnormalize_package_data_1\.\w+/g))], ["normalize_package_data_1.default"]);
        assert.match(codePaths, /normalize_package_data_1 = __importDefault\(require\("normalize-package-data"\)\)/);
        assert.match(codePaths, /arborist = __importStar\(require\("@npmcli\/arborist"\)\)/);
        // typescript-shim: a plain require, used as `ts.<member>` (a Proxy forwards every member).
        const parseFunction = fs.readFileSync(path.join(closure, "parseFunction.js"), "utf8");
        assert.match(parseFunction, /const ts = require\("\.\.\/\.\.\/typescript-shim"\);/);
    });
});
