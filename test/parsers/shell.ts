/**
 * Just enough of bash to run the last line of KServe's vLLM preset script offline:
 * `eval "exec vllm serve /mnt/models … ${VLLM_ADDITIONAL_ARGS} $@"` — word splitting with quotes,
 * backslash-newline continuations, `$VAR` / `${VAR}` / `${VAR:-default}` / `"$@"` expansion with
 * field splitting of unquoted expansions, then `eval`'s second parse of the joined words.
 */

export interface ShellEnv {
    vars: Record<string, string>;
    /** Positional parameters ($1…): the container args after the command's `--` ($0). */
    positional: string[];
}

type Piece = { text: string; quoted: boolean; split?: boolean };

function lookup(env: ShellEnv, name: string): string {
    return env.vars[name] ?? "";
}

/**
 * Parse one simple command starting at `src[start]` (up to an unquoted newline or `;`), with
 * expansions; returns the words and where the command ended.
 */
export function parseCommand(src: string, start: number, env: ShellEnv): { words: string[]; end: number } {
    const words: string[] = [];
    let pieces: Piece[] = [];
    let pending: string[][] = []; // "$@" inside a word: separate words
    const flush = () => {
        if (pieces.length === 0 && pending.length === 0) return;
        // Field-split unquoted expansions; join quoted/literal text.
        let cur = "";
        let have = false;
        for (const p of pieces) {
            if (p.split) {
                const fields = p.text.split(/[ \t\n]+/);
                fields.forEach((f, i) => {
                    if (i > 0) {
                        if (have) words.push(cur);
                        cur = "";
                        have = false;
                    }
                    if (f !== "") {
                        cur += f;
                        have = true;
                    }
                });
            } else {
                cur += p.text;
                have = have || p.quoted || p.text !== "";
            }
        }
        if (have) words.push(cur);
        pieces = [];
        pending = [];
    };
    const expandVar = (i: number): { text: string; next: number; at?: boolean } => {
        // src[i] === "$"
        const c = src[i + 1];
        if (c === "@" || c === "*") return { text: env.positional.join(" "), next: i + 2, at: c === "@" };
        if (c === "{") {
            const close = src.indexOf("}", i);
            const body = src.slice(i + 2, close);
            const m = /^([A-Za-z_][A-Za-z0-9_]*)(:-(.*))?$/.exec(body);
            if (!m) throw new Error(`unsupported expansion \${${body}}`);
            const v = lookup(env, m[1]);
            return { text: v !== "" ? v : (m[3] ?? ""), next: close + 1 };
        }
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i + 1));
        if (m) return { text: lookup(env, m[0]), next: i + 1 + m[0].length };
        return { text: "$", next: i + 1 };
    };
    let i = start;
    while (i < src.length) {
        const c = src[i];
        if (c === "\\" && src[i + 1] === "\n") {
            i += 2;
            continue;
        }
        if (c === "\n" || c === ";") break;
        if (c === "\\" && i + 1 < src.length) {
            pieces.push({ text: src[i + 1], quoted: true });
            i += 2;
            continue;
        }
        if (c === " " || c === "\t") {
            flush();
            i++;
            continue;
        }
        if (c === "'") {
            const j = src.indexOf("'", i + 1);
            pieces.push({ text: src.slice(i + 1, j), quoted: true });
            i = j + 1;
            continue;
        }
        if (c === '"') {
            let text = "";
            i++;
            while (src[i] !== '"') {
                if (i >= src.length) throw new Error("unterminated double quote");
                if (src[i] === "\\" && src[i + 1] === "\n") {
                    i += 2;
                } else if (src[i] === "\\" && '"\\$`'.includes(src[i + 1])) {
                    text += src[i + 1];
                    i += 2;
                } else if (src[i] === "$") {
                    const e = expandVar(i);
                    if (e.at && env.positional.length > 0) {
                        // "…$@…": first positional joins the text before, last joins the text after.
                        text += env.positional[0];
                        if (env.positional.length > 1) {
                            pieces.push({ text, quoted: true });
                            flush();
                            for (const p of env.positional.slice(1, -1)) words.push(p);
                            text = env.positional[env.positional.length - 1];
                        }
                    } else text += e.text;
                    i = e.next;
                } else text += src[i++];
            }
            pieces.push({ text, quoted: true });
            i++;
            continue;
        }
        if (c === "$") {
            const e = expandVar(i);
            pieces.push({ text: e.text, quoted: false, split: true });
            i = e.next;
            continue;
        }
        pieces.push({ text: c, quoted: false });
        i++;
    }
    flush();
    return { words, end: i };
}

/**
 * The words `eval` executes: its arguments joined with spaces and parsed again (quotes removed a
 * second time). A word with a quote, backslash or `$` that reaches the second parse is changed by
 * it: such words are reported.
 */
export function evalWords(args: string[]): { words: string[]; altered: string[] } {
    const joined = args.join(" ");
    const altered = args.filter((a) => /["'\\$`]/.test(a) || /\s/.test(a));
    const { words } = parseCommand(joined, 0, { vars: {}, positional: [] });
    return { words, altered };
}
