/**
 * Every engine command line the project generates, found in the containers of the planned
 * objects: `vllm serve …`, `python3 -m sglang.launch_server …`, `python3 -m dynamo.vllm …`, also
 * inside the `sh -c` scripts of the multi-node engines (LWS leader, Ray head), with the variables
 * the kubelet / LeaderWorkerSet / the script substitute expanded; plus which flag table (engine
 * parser version) each container's image runs.
 */
import { images } from "../../components/versions";
import { presets } from "./kserve-llmisvc";
import { allContainers, type ContainerRef, type CorpusStack, expandVars, objName, shellSplit } from "./corpus";

export type EngineKind = "vllm" | "sglang" | "dynamo-vllm";

export interface EngineCommandLine {
    stack: string;
    /** Object and container path, e.g. `StatefulSet/inference/qwen: spec.template.spec.containers[0]`. */
    where: string;
    engine: EngineKind;
    image: string;
    /** Words after the command (`serve`, `-m sglang.launch_server`, `-m dynamo.vllm`). */
    argv: string[];
    /** Variables left unexpanded (a value the parser would see literally). */
    unresolved: string[];
}

function tagOf(image: string): string {
    const at = image.lastIndexOf(":");
    return at > image.lastIndexOf("/") ? image.slice(at + 1) : "";
}

/**
 * vLLM releases of images the project runs without pinning them itself: the vLLM image of KServe
 * v0.20.0's LLMInferenceServiceConfig presets (kserve-runtime-configs chart). llm-d-cuda v0.8.0
 * ships vLLM v0.23.0 (llm-d/llm-d issue #1819, "Components V0.8.0"), built from llm-d's vLLM commit:
 * its parser is checked with the published v0.23.0 parser, the nearest one there is.
 */
export const PRESET_IMAGE_VLLM: Record<string, string> = { "ghcr.io/llm-d/llm-d-cuda:v0.8.0": "0.23.0" };

/** Main-container images of the KServe presets. */
export function presetImages(): string[] {
    const out = new Set<string>();
    for (const spec of presets().values()) {
        for (const part of [spec["template"], (spec["prefill"] as Record<string, unknown> | undefined)?.["template"], spec["worker"]]) {
            for (const c of ((part as { containers?: { name?: string; image?: string }[] } | undefined)?.containers ?? [])) if (c.name === "main" && c.image) out.add(c.image);
        }
    }
    return [...out].sort();
}

/**
 * The flag table each pinned engine image runs, from components/versions.ts. Images whose parser
 * cannot be generated here map to the reason instead (reported as not checked by a real parser).
 */
export function imageTables(): { image: string; engine: EngineKind; table?: string; unchecked?: string }[] {
    const vllmRocm = /_vllm_(\d+\.\d+\.\d+)_/.exec(images.vllmRocm);
    return [
        { image: images.vllm, engine: "vllm", table: `vllm-${tagOf(images.vllm).replace(/^v/, "")}` },
        // AMD's ROCm build names the vLLM release it packages in its tag (rocm/vllm: …_vllm_<version>_<date>).
        vllmRocm
            ? { image: images.vllmRocm, engine: "vllm", table: `vllm-${vllmRocm[1]}` }
            : { image: images.vllmRocm, engine: "vllm", unchecked: "the ROCm image tag names no vLLM release" },
        {
            image: images.vllmGaudi,
            engine: "vllm",
            unchecked: "the Gaudi image runs HabanaAI's vllm-fork, which is not published on PyPI: its parser cannot be generated here",
        },
        {
            image: images.llmdCuda,
            engine: "vllm",
            unchecked: "llm-d's CUDA image builds vLLM from a commit of its own, not a PyPI release: no parser to generate",
        },
        { image: images.sglang, engine: "sglang", table: `sglang-${tagOf(images.sglang).replace(/^v/, "")}` },
        // The ROCm build of the same SGLang release (tag v<version>-rocm…).
        { image: images.sglangRocm, engine: "sglang", table: `sglang-${tagOf(images.sglangRocm).replace(/^v/, "").replace(/-rocm.*$/, "")}` },
        { image: images.dynamoVllmRuntime, engine: "dynamo-vllm", table: `dynamo-vllm-${tagOf(images.dynamoVllmRuntime)}` },
        ...presetImages().map((image) =>
            PRESET_IMAGE_VLLM[image]
                ? { image, engine: "vllm" as const, table: `vllm-${PRESET_IMAGE_VLLM[image]}` }
                : { image, engine: "vllm" as const, unchecked: "a KServe preset image whose vLLM release is not known here (add it to PRESET_IMAGE_VLLM)" },
        ),
    ];
}

/** Env values LeaderWorkerSet injects, with representative values for a group of `size` pods (rank 0). */
function lwsEnv(size: number): Record<string, string> {
    return { LWS_LEADER_ADDRESS: "model-0.model.inference", LWS_GROUP_SIZE: String(size), LWS_WORKER_INDEX: "0", LWS_GROUP_INDEX: "0" };
}

function containerEnv(c: Record<string, unknown>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const e of (c["env"] as { name?: string; value?: unknown }[] | undefined) ?? []) {
        if (e.name && typeof e.value === "string") env[e.name] = e.value;
    }
    return env;
}

const ENGINE_PREFIXES: { words: string[]; engine: EngineKind }[] = [
    { words: ["vllm", "serve"], engine: "vllm" },
    { words: ["python3", "-m", "sglang.launch_server"], engine: "sglang" },
    { words: ["python", "-m", "sglang.launch_server"], engine: "sglang" },
    { words: ["python3", "-m", "dynamo.vllm"], engine: "dynamo-vllm" },
];

function matchEngine(words: string[]): { engine: EngineKind; argv: string[] } | undefined {
    for (const p of ENGINE_PREFIXES) {
        if (p.words.every((w, i) => words[i] === w)) return { engine: p.engine, argv: words.slice(p.words.length) };
    }
    return undefined;
}

/** Simple commands of a shell script (split on newlines, `;`, `&&`, `||` outside quotes). */
export function scriptCommands(script: string): string[] {
    const out: string[] = [];
    let cur = "";
    let quote: string | undefined;
    for (let i = 0; i < script.length; i++) {
        const c = script[i];
        if (quote) {
            if (c === quote) quote = undefined;
            else if (c === "\\" && quote === '"') cur += script[i++];
            cur += c;
            continue;
        }
        if (c === "'" || c === '"') quote = c;
        if (c === "\n" || c === ";" || (c === "&" && script[i + 1] === "&") || (c === "|" && script[i + 1] === "|")) {
            if (c !== "\n" && c !== ";") i++;
            out.push(cur.trim());
            cur = "";
            continue;
        }
        cur += c;
    }
    out.push(cur.trim());
    return out.filter((s) => s.length > 0);
}

/** Engine command lines of one container (none when it runs no engine). */
export function containerCommandLines(stack: string, ref: ContainerRef): EngineCommandLine[] {
    const c = ref.container;
    const image = String(c["image"] ?? "");
    const words = [...((c["command"] as string[] | undefined) ?? []), ...((c["args"] as string[] | undefined) ?? [])].map(String);
    const lwsSize = ref.pod.object.kind === "LeaderWorkerSet" ? Number((ref.pod.object as { spec?: { leaderWorkerTemplate?: { size?: number } } }).spec?.leaderWorkerTemplate?.size ?? 1) : 1;
    const env = { ...lwsEnv(lwsSize), ...containerEnv(c) };
    const where = `${objName(ref.pod.object)}: ${ref.path}`;
    const lines: { engine: EngineKind; argv: string[] }[] = [];
    const direct = matchEngine(words);
    if (direct) lines.push(direct);
    else if (/^(\/bin\/)?(ba)?sh$/.test(words[0] ?? "") && words[1] === "-c" && words[2] !== undefined) {
        // Variables the script assigns (e.g. START_RANK=$(( … ))) are runtime values: use a sample.
        const assigned: Record<string, string> = {};
        for (const cmd of scriptCommands(words[2])) {
            const assign = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(cmd);
            if (assign && !cmd.includes(" ")) assigned[assign[1]] = "0";
            const w = shellSplit(cmd);
            const start = w[0] === "exec" ? 1 : 0;
            const m = matchEngine(w.slice(start));
            if (m) lines.push(m);
        }
        Object.assign(env, assigned, env);
    }
    return lines.map(({ engine, argv }) => {
        const expanded = argv.map((w) => expandVars(w, env)).filter((w, i) => !(w === "" && /^\$/.test(argv[i])));
        const unresolved = expanded.filter((w) => /\$\(?\{?[A-Za-z_]/.test(w));
        return { stack, where, engine, image, argv: expanded, unresolved };
    });
}

/** Every engine command line in the stack's objects. */
export function engineCommandLines(s: CorpusStack): EngineCommandLine[] {
    return allContainers(s).flatMap((ref) => containerCommandLines(s.file, ref));
}
