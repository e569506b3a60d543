/**
 * Engine command lines as the engines themselves read them.
 *
 * 1. Kubernetes expands `$(VAR)` in `command`/`args` from the container's env (`$$` escapes);
 *    an undefined `$(VAR)` stays as written (kubernetes/kubernetes third_party/forked/golang/expansion).
 * 2. `sh -c "…"` / `bash -c "…"` scripts are split into simple commands (`;`, `&&`, `||`, `|`, `&`,
 *    newlines) and words (quotes, backslashes, comments), with `$VAR`/`${VAR}` taken from the container
 *    env and from plain `NAME=value` / `export NAME=value` assignments earlier in the script.
 * 3. Each simple command that launches an engine is read with that engine's own flag table:
 *    - vLLM (`vllm serve`, `vllm.entrypoints.*`): vllm-project/vllm@v0.11.0:vllm/engine/arg_utils.py
 *      `EngineArgs.add_cli_args` ParallelConfig group — `--tensor-parallel-size`/`-tp`,
 *      `--pipeline-parallel-size`/`-pp`, `--data-parallel-size`/`-dp`, `--data-parallel-size-local`/`-dpl`,
 *      `--data-parallel-start-rank`/`-dpr`, `--headless`; `FlexibleArgumentParser`
 *      (vllm/utils/__init__.py) turns `_` into `-` in `--long_options`, argparse takes `--flag=value`
 *      and `-tp=4`; `--config <yaml>` can set any of them from a file the pack cannot see.
 *    - SGLang (`sglang.launch_server`, `sglang serve`): sgl-project/sglang@v0.5.5.post2:
 *      python/sglang/srt/server_args.py `ServerArgs.add_cli_args` — `--tensor-parallel-size`/`--tp-size`,
 *      `--pipeline-parallel-size`/`--pp-size`, `--data-parallel-size`/`--dp-size`, `--nnodes`,
 *      `--node-rank`, `--dist-init-addr`, `--enable-dp-attention`; a plain argparse parser, so the
 *      unique prefixes `--tp`/`--dp` are accepted too (argparse allow_abbrev), underscores are not.
 *    - TensorRT-LLM: `trtllm-serve` (tensorrt_llm/commands/serve.py, click) `--tp_size`, `--pp_size`;
 *      Triton's `launch_triton_server.py` (triton-inference-server/tensorrtllm_backend
 *      scripts/launch_triton_server.py) `--world_size`.
 *    Without an engine command (args only), the engine is inferred from the image; flags given to a
 *    program that is not a known engine are not read (their meaning is that program's).
 * A parallelism flag whose value cannot be resolved (env from a ConfigMap/fieldRef, command
 * substitution, a `--config` file) is reported as unresolved: rules then note instead of judging.
 */
import { arr, objs, str, type JsonObject } from "./json";

export type Engine = "vllm" | "sglang" | "trtllm" | "triton-trtllm" | "triton" | "unknown";

export type ParKey = "tensor" | "pipeline" | "data" | "dataLocal" | "nnodes" | "nodeRank" | "worldSize";

interface FlagDef {
    key: ParKey | "dpAttention" | "headless" | "config" | "distInit";
    /** Boolean flags take no value. */
    bool?: boolean;
}

const VLLM: Record<string, FlagDef> = {
    "--tensor-parallel-size": { key: "tensor" },
    "-tp": { key: "tensor" },
    "--pipeline-parallel-size": { key: "pipeline" },
    "-pp": { key: "pipeline" },
    "--data-parallel-size": { key: "data" },
    "-dp": { key: "data" },
    "--data-parallel-size-local": { key: "dataLocal" },
    "-dpl": { key: "dataLocal" },
    "--data-parallel-start-rank": { key: "nodeRank" },
    "-dpr": { key: "nodeRank" },
    "--headless": { key: "headless", bool: true },
    "--config": { key: "config" },
};

const SGLANG: Record<string, FlagDef> = {
    "--tensor-parallel-size": { key: "tensor" },
    "--tp-size": { key: "tensor" },
    "--tp": { key: "tensor" },
    "--pipeline-parallel-size": { key: "pipeline" },
    "--pp-size": { key: "pipeline" },
    "--data-parallel-size": { key: "data" },
    "--dp-size": { key: "data" },
    "--dp": { key: "data" },
    "--nnodes": { key: "nnodes" },
    "--node-rank": { key: "nodeRank" },
    "--dist-init-addr": { key: "distInit" },
    "--enable-dp-attention": { key: "dpAttention", bool: true },
    "--config": { key: "config" },
};

const TRTLLM: Record<string, FlagDef> = {
    "--tp_size": { key: "tensor" },
    "--pp_size": { key: "pipeline" },
};

const TRITON_TRTLLM: Record<string, FlagDef> = {
    "--world_size": { key: "worldSize" },
};

const TABLES: Record<Exclude<Engine, "unknown" | "triton">, Record<string, FlagDef>> = { vllm: VLLM, sglang: SGLANG, trtllm: TRTLLM, "triton-trtllm": TRITON_TRTLLM };

/** Words that look like a parallelism flag in some engine's spelling (used to spot spellings a table does not know). */
const PARALLEL_LIKE = /^--?(tensor[-_]parallel|pipeline[-_]parallel|data[-_]parallel[-_]size|tp([-_]size)?$|pp([-_]size)?$|dp([-_]size)?$|nnodes$|world[-_]size$)/;

export interface ArgParallelism {
    engine: Engine;
    tensor?: number;
    pipeline?: number;
    /** Data-parallel size of the whole deployment (vLLM --data-parallel-size, SGLang --dp-size). */
    data?: number;
    /** Data-parallel ranks on this node (vLLM --data-parallel-size-local). */
    dataLocal?: number;
    /** SGLang --nnodes: nodes (pods) one replica spans. */
    nnodes?: number;
    /** A rank flag was given (SGLang --node-rank, vLLM --data-parallel-start-rank): pods form a group. */
    nodeRank?: boolean;
    /** TensorRT-LLM launch_triton_server.py --world_size: total GPUs of one replica. */
    worldSize?: number;
    /** SGLang --enable-dp-attention: DP ranks share the TP GPUs. */
    dpAttention?: boolean;
    /** vLLM --headless: a DP worker of a multi-node deployment. */
    headless?: boolean;
    /** The flags as written, for messages. */
    seen: string[];
    /** Parallelism flags whose values cannot be known here (and why), or a config file that may set them. */
    unresolved: string[];
}

/** What the container's env says: literal values (with `$(VAR)` references expanded), `undefined` for values set elsewhere. */
export function containerEnv(container: JsonObject, injected: Record<string, string> = {}): Map<string, string | undefined> {
    const env = new Map<string, string | undefined>(Object.entries(injected));
    for (const e of objs(container, "env")) {
        const name = str(e, "name");
        if (!name) continue;
        const v = str(e, "value");
        env.set(name, v === undefined ? (e.valueFrom !== undefined ? undefined : "") : k8sExpand(v, env));
    }
    return env;
}

/** Kubernetes `$(VAR)` expansion: defined variables are replaced, `$$` is a literal `$`, the rest stays. */
export function k8sExpand(s: string, env: Map<string, string | undefined>): string {
    let out = "";
    for (let i = 0; i < s.length; i++) {
        if (s[i] !== "$" || i + 1 >= s.length) {
            out += s[i];
            continue;
        }
        if (s[i + 1] === "$") {
            out += "$";
            i++;
            continue;
        }
        if (s[i + 1] === "(") {
            const end = s.indexOf(")", i + 2);
            const name = end > 0 ? s.slice(i + 2, end) : "";
            if (end > 0 && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) && env.has(name) && env.get(name) !== undefined) {
                out += env.get(name);
                i = end;
                continue;
            }
        }
        out += "$";
    }
    return out;
}

/** A word of a shell command; `unknown` when part of it came from something the pack cannot evaluate. */
interface Word {
    text: string;
    unknown?: string;
}

/**
 * POSIX-shell-like split of a script into simple commands of words: quotes, backslashes,
 * comments, `$VAR`/`${VAR}` from `vars`, command substitution marked unknown. Good enough for the
 * launch lines of engine containers; not a shell.
 */
export function shellCommands(script: string, env: Map<string, string | undefined>): Word[][] {
    const vars = new Map(env);
    const commands: Word[][] = [];
    let cmd: Word[] = [];
    let word: Word | undefined;
    const append = (t: string, unknown?: string): void => {
        word = word ?? { text: "" };
        word.text += t;
        if (unknown) word.unknown = word.unknown ?? unknown;
    };
    const endWord = (): void => {
        if (word) cmd.push(word);
        word = undefined;
    };
    const endCommand = (): void => {
        endWord();
        if (cmd.length > 0) {
            // NAME=value assignments (alone or after `export`) set shell variables for later commands.
            const words = cmd[0]?.text === "export" ? cmd.slice(1) : cmd;
            if (words.length > 0 && words.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.text))) {
                for (const w of words) {
                    const eq = w.text.indexOf("=");
                    vars.set(w.text.slice(0, eq), w.unknown ? undefined : w.text.slice(eq + 1));
                }
            }
            commands.push(cmd);
        }
        cmd = [];
    };
    const expandVar = (i: number): number => {
        // at script[i] === "$"; returns the index of the last consumed char
        const rest = script.slice(i + 1);
        let m = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=?+][^}]*)?\}/.exec(rest);
        let name: string | undefined;
        let len = 0;
        if (m) {
            name = m[1];
            len = m[0].length;
            const def = /^\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/.exec(rest);
            const v = vars.get(name);
            if (v === undefined && def) {
                append(def[1]);
                return i + len;
            }
        } else if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
            name = m[0];
            len = m[0].length;
        } else if (rest.startsWith("(")) {
            // command substitution $(…): its output is unknown
            let depth = 0;
            let j = i + 1;
            for (; j < script.length; j++) {
                if (script[j] === "(") depth++;
                else if (script[j] === ")" && --depth === 0) break;
            }
            append("", `command substitution ${script.slice(i, j + 1)}`);
            return j;
        } else {
            append("$");
            return i;
        }
        const v = vars.get(name);
        if (v === undefined) append("", vars.has(name) ? `env ${name} is set from a reference (valueFrom) the pack cannot read` : `variable ${name} is not set in the container env`);
        else append(v);
        return i + len;
    };
    for (let i = 0; i < script.length; i++) {
        const c = script[i];
        if (c === "'") {
            const end = script.indexOf("'", i + 1);
            append(script.slice(i + 1, end < 0 ? script.length : end));
            i = end < 0 ? script.length : end;
        } else if (c === '"') {
            append("");
            let j = i + 1;
            for (; j < script.length && script[j] !== '"'; j++) {
                if (script[j] === "\\" && j + 1 < script.length && '$`"\\\n'.includes(script[j + 1])) {
                    if (script[j + 1] !== "\n") append(script[j + 1]);
                    j++;
                } else if (script[j] === "$") j = expandVar(j);
                else if (script[j] === "`") {
                    const end = script.indexOf("`", j + 1);
                    append("", "command substitution `…`");
                    j = end < 0 ? script.length : end;
                } else append(script[j]);
            }
            i = j;
        } else if (c === "\\") {
            if (script[i + 1] !== "\n" && i + 1 < script.length) append(script[i + 1]);
            i++;
        } else if (c === "$") {
            i = expandVar(i);
        } else if (c === "`") {
            const end = script.indexOf("`", i + 1);
            append("", "command substitution `…`");
            i = end < 0 ? script.length : end;
        } else if (c === "#" && word === undefined) {
            const nl = script.indexOf("\n", i);
            i = nl < 0 ? script.length : nl - 1;
        } else if (c === ";" || c === "\n" || c === "|" || c === "&" || c === "(" || c === ")") {
            endCommand();
            if ((c === "|" || c === "&") && script[i + 1] === c) i++;
        } else if (c === " " || c === "\t" || c === "\r") {
            endWord();
        } else {
            append(c);
        }
    }
    endCommand();
    return commands;
}

const SHELLS = /(^|\/)(ba|da|z|k)?sh$/;

/** The simple commands a container runs: its argv, or the commands of its `sh -c` script. */
export function containerCommands(container: JsonObject, injected: Record<string, string> = {}): Word[][] {
    const env = containerEnv(container, injected);
    const argv = [...arr(container, "command"), ...arr(container, "args")].filter((s): s is string => typeof s === "string").map((s) => k8sExpand(s, env));
    if (argv.length > 0 && SHELLS.test(argv[0])) {
        const c = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
        if (c > 0 && argv[c + 1] !== undefined) return shellCommands(argv[c + 1], env);
        return [];
    }
    // exec form: each element is one word; `$(VAR)` left unexpanded is unknown to the engine too.
    return [argv.map((a) => (/\$\([A-Za-z_][A-Za-z0-9_]*\)/.test(a) ? { text: a, unknown: `${/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/.exec(a)?.[0]} is not a literal env value of the container` } : { text: a }))];
}

/** Which engine a simple command launches (undefined: not an engine command). */
export function commandEngine(words: readonly string[]): Engine | undefined {
    const line = words.join(" ");
    if (/(^|[\s/])vllm\s+serve\b|\bvllm\.entrypoints\b/.test(line)) return "vllm";
    if (/\bsglang\.launch_server\b|(^|[\s/])sglang\s+serve\b/.test(line)) return "sglang";
    if (/(^|[\s/])trtllm-serve\b/.test(line)) return "trtllm";
    if (/launch_triton_server\.py\b/.test(line)) return "triton-trtllm";
    if (/(^|[\s/])tritonserver\b/.test(line)) return "triton";
    return undefined;
}

/** The engine an image ships, from its name (for args-only containers). */
export function imageEngine(image: string | undefined): Engine {
    if (!image) return "unknown";
    const i = image.toLowerCase();
    if (/sglang/.test(i)) return "sglang";
    if (/vllm|llm-d|huggingfaceserver|ray-llm/.test(i)) return "vllm";
    if (/tritonserver.*trtllm|tensorrtllm/.test(i)) return "triton-trtllm";
    if (/tensorrt-llm|trtllm/.test(i)) return "trtllm";
    if (/tritonserver/.test(i)) return "triton";
    return "unknown";
}

/**
 * Parallelism flags of a container, read with the flag table of the engine each command launches.
 * `injected` are variables the controller adds to the pod env (LeaderWorkerSet: LWS_GROUP_SIZE).
 */
export function argParallelism(container: JsonObject, injected: Record<string, string> = {}, engineHint?: Engine): ArgParallelism {
    const commands = containerCommands(container, injected);
    const engines = commands.map((c) => commandEngine(c.map((w) => w.text)));
    const anyEngine = engines.some((e) => e !== undefined);
    const fallback = engineHint && engineHint !== "unknown" ? engineHint : imageEngine(str(container, "image"));
    const out: ArgParallelism = { engine: anyEngine ? (engines.find((e) => e !== undefined) as Engine) : fallback, seen: [], unresolved: [] };
    commands.forEach((words, ci) => {
        const engine = anyEngine ? engines[ci] : fallback;
        if (engine === undefined || engine === "triton") return;
        if (engine === "unknown") {
            // A program the pack does not know (a custom server.py, an unknown image's entrypoint): its flags mean whatever it says.
            const like = words.find((w) => PARALLEL_LIKE.test(w.text.split("=")[0]));
            if (like) out.unresolved.push(`${like.text.split("=")[0]} is passed to a program that is not a known engine, so its meaning is not known`);
            return;
        }
        const table: Record<string, FlagDef> = TABLES[engine];
        for (let i = 0; i < words.length; i++) {
            const w = words[i];
            const eq = w.text.indexOf("=");
            let flag = eq > 0 && w.text.startsWith("-") ? w.text.slice(0, eq) : w.text;
            if (!flag.startsWith("-")) continue;
            if (engine === "vllm" && flag.startsWith("--")) flag = flag.replace(/_/g, "-");
            const def = table[flag];
            if (!def) {
                if (PARALLEL_LIKE.test(flag)) out.unresolved.push(`${flag} (not a spelling ${engine}'s parser reads)`);
                continue;
            }
            if (def.bool) {
                if (def.key === "dpAttention") out.dpAttention = true;
                if (def.key === "headless") out.headless = true;
                out.seen.push(flag);
                continue;
            }
            const valueWord: Word | undefined = eq > 0 && w.text.startsWith("-") ? { text: w.text.slice(eq + 1), unknown: w.unknown } : words[++i];
            if (def.key === "config") {
                out.unresolved.push(`${flag} ${valueWord?.text ?? ""} (a config file can set the parallelism)`.replace(" (", " (").trim());
                continue;
            }
            if (def.key === "distInit") continue;
            if (def.key === "nodeRank") {
                out.nodeRank = true;
                out.seen.push(flag);
                continue;
            }
            if (!valueWord || valueWord.unknown || !/^\d+$/.test(valueWord.text)) {
                out.unresolved.push(`${flag} ${valueWord?.unknown ? `(${valueWord.unknown})` : JSON.stringify(valueWord?.text ?? "")}`);
                continue;
            }
            const n = Number(valueWord.text);
            (out as unknown as Record<string, number>)[def.key] = n;
            out.seen.push(`${flag} ${n}`);
        }
    });
    return out;
}

/** Command lines of a container with env expanded, one string per simple command (for engine detection). */
export function commandTexts(container: JsonObject): string[] {
    return containerCommands(container).map((c) => c.map((w) => w.text).join(" "));
}
