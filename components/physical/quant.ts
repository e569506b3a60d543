/**
 * Weight quantisation: how many bytes a parameter takes as a checkpoint stores it and an engine
 * serves it, and which weights a scheme covers. Read from a config.json `quantization_config`,
 * from a well-known name suffix (`-FP8`, `-AWQ`, `-GPTQ-Int4`, `-NVFP4`, `.w4a16` …), or set with
 * `models[].dtype`. Pure functions, no Pulumi imports.
 *
 * Bytes per parameter include the scales the format stores next to the values:
 * - fp8 per tensor / per channel: 1 B (one scale per tensor or output row: negligible);
 * - fp8 blocks (DeepSeek-V3, Qwen3-FP8: `weight_block_size: [128, 128]`): 1 B + one fp32 scale
 *   per 128×128 block = 1 + 4/16384 B;
 * - int8 (w8a8 / w8a16, per channel): 1 B;
 * - int4 AWQ / GPTQ, group g (128 unless stated): 4 bits + a 16-bit scale and a packed 4-bit zero
 *   point per group = 0.5 + 2.5/g B (0.5195 at g = 128); symmetric compressed-tensors w4a16
 *   stores no zero point: 0.5 + 2/g;
 * - MXFP4 (OCP microscaling, gpt-oss): 4 bits + one 8-bit E8M0 scale per 32 = 4.25 bits;
 * - NVFP4: 4 bits + one FP8 E4M3 scale per 16 (+ one fp32 per tensor) = 4.5 bits;
 * - NF4 (bitsandbytes): 4 bits + one fp32 absmax per 64 (double quantisation: 8-bit absmax + one
 *   fp32 per 256 blocks).
 * Quantised checkpoints keep embeddings and lm_head in 16 bits (llm-compressor, AutoAWQ,
 * AutoGPTQ, ModelOpt and the FP8 releases all leave them out); a config's ignore list
 * (`ignore`, `modules_to_not_convert`, `exclude_modules`) can keep attention or shared experts
 * in 16 bits too; MXFP4 in gpt-oss covers the MoE experts only.
 */

/** The quantisation kinds the planner knows (also the values `models[].dtype` takes). */
export const QUANT_KINDS = ["bf16", "fp16", "fp32", "fp8", "fp8-block", "int8", "int4", "mxfp4", "nvfp4", "nf4"] as const;
/** Weight formats, as an enum object (the form Pulumi's schema inference reads); same values as {@link QUANT_KINDS}. */
export const QuantKind = {
    bf16: "bf16",
    fp16: "fp16",
    fp32: "fp32",
    fp8: "fp8",
    fp8_block: "fp8-block",
    int8: "int8",
    int4: "int4",
    mxfp4: "mxfp4",
    nvfp4: "nvfp4",
    nf4: "nf4",
} as const;
export type QuantKind = (typeof QuantKind)[keyof typeof QuantKind];
// Compile-time: the tuple and the enum object list the same kinds.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _quantKindsMatch: Same<QuantKind, (typeof QUANT_KINDS)[number]> = true;
void _quantKindsMatch;

/** `quantization_config.quant_method` values the planner reads. */
export const KNOWN_QUANT_METHODS = [
    "fp8",
    "fbgemm_fp8",
    "compressed-tensors",
    "awq",
    "gptq",
    "mxfp4",
    "modelopt",
    "bitsandbytes",
] as const;

/** How a model's weights are stored. */
export interface QuantScheme {
    kind: QuantKind;
    /** Human-readable, e.g. "int4 (AWQ, group 128)". */
    label: string;
    /** Bytes per quantised parameter, scales included. */
    bytesPerParam: number;
    /** `linear`: every linear layer of the transformer blocks; `experts`: MoE experts only. */
    scope: "linear" | "experts";
    /** Parts kept in 16 bits besides embeddings and lm_head. */
    keep16: { attention: boolean; sharedExperts: boolean; denseMlp: boolean };
    /** Where the scheme was read: `models[].dtype`, `quantization_config`, `name suffix`, `torch_dtype`. */
    from: string;
}

const KEEP_NONE = { attention: false, sharedExperts: false, denseMlp: false };

/** Bytes of a 16/32-bit dtype name as config.json spells it (`torch_dtype` / `dtype`), or undefined. */
export function floatBytes(dtype: unknown): { kind: "bf16" | "fp16" | "fp32"; bytes: number } | undefined {
    switch (String(dtype).toLowerCase()) {
        case "bfloat16":
        case "bf16":
            return { kind: "bf16", bytes: 2 };
        case "float16":
        case "fp16":
        case "half":
            return { kind: "fp16", bytes: 2 };
        case "float32":
        case "fp32":
        case "float":
            return { kind: "fp32", bytes: 4 };
        default:
            return undefined;
    }
}

/** A scheme of a kind with default parameters (int4: group 128 with zero points). */
export function schemeOfKind(kind: QuantKind, from: string, opts: { group?: number; zeroPoint?: boolean; doubleQuant?: boolean } = {}): QuantScheme {
    const base = { kind, scope: "linear" as const, keep16: { ...KEEP_NONE }, from };
    switch (kind) {
        case "bf16":
        case "fp16":
            return { ...base, label: kind, bytesPerParam: 2 };
        case "fp32":
            return { ...base, label: kind, bytesPerParam: 4 };
        case "fp8":
            return { ...base, label: "fp8", bytesPerParam: 1 };
        case "fp8-block":
            return { ...base, label: "fp8 (128×128 blocks)", bytesPerParam: 1 + 4 / (128 * 128) };
        case "int8": {
            const g = opts.group;
            return g && g > 0 ? { ...base, label: `int8 (group ${g})`, bytesPerParam: 1 + 2 / g } : { ...base, label: "int8", bytesPerParam: 1 };
        }
        case "int4": {
            const g = opts.group && opts.group > 0 ? opts.group : 128;
            const zero = opts.zeroPoint ?? true;
            return { ...base, label: `int4 (group ${g}${zero ? "" : ", symmetric"})`, bytesPerParam: 0.5 + (zero ? 2.5 : 2) / g };
        }
        case "mxfp4":
            return { ...base, label: "mxfp4", bytesPerParam: 0.5 + 1 / 32 };
        case "nvfp4":
            return { ...base, label: "nvfp4", bytesPerParam: 0.5 + 1 / 16 };
        case "nf4":
            return { ...base, label: "nf4", bytesPerParam: opts.doubleQuant ? 0.5 + 1 / 64 + 4 / (64 * 256) : 0.5 + 4 / 64 };
    }
}

/** A quantisation the planner cannot size; `field` is the config.json key that said so. */
export class QuantError extends Error {
    readonly field: string;
    constructor(field: string, message: string) {
        super(message);
        this.name = "QuantError";
        this.field = field;
    }
}

function unknown(field: string, value: unknown): QuantError {
    return new QuantError(
        field,
        `got ${JSON.stringify(value)}; allowed quant_method: ${KNOWN_QUANT_METHODS.join(", ")} ` +
            `(or set models[].dtype: ${QUANT_KINDS.join(", ")})`,
    );
}

/** Which parts an ignore list (`ignore`, `modules_to_not_convert`, `exclude_modules`) keeps in 16 bits. */
function keptBy(list: unknown): QuantScheme["keep16"] {
    const items = Array.isArray(list) ? list.map((x) => String(x)) : [];
    const has = (re: RegExp) => items.some((s) => re.test(s));
    return {
        attention: has(/self_attn|\battn\b|attention/),
        sharedExperts: has(/shared_expert/),
        denseMlp: false,
    };
}

type Json = Record<string, unknown>;
const obj = (x: unknown): Json | undefined => (x && typeof x === "object" && !Array.isArray(x) ? (x as Json) : undefined);

/**
 * The scheme a config.json `quantization_config` describes. Throws {@link QuantError} naming the
 * field when the method (or its parameters) are unknown.
 */
export function schemeFromQuantizationConfig(qc: Json): QuantScheme {
    const from = "quantization_config";
    const method = qc["quant_method"];
    const ignore = qc["ignore"] ?? qc["modules_to_not_convert"] ?? qc["exclude_modules"];
    const withKeep = (s: QuantScheme): QuantScheme => ({ ...s, keep16: keptBy(ignore) });
    switch (method) {
        case "fp8": {
            const block = qc["weight_block_size"];
            return withKeep(schemeOfKind(Array.isArray(block) && block.length === 2 ? "fp8-block" : "fp8", from));
        }
        case "fbgemm_fp8":
            return withKeep(schemeOfKind("fp8", from));
        case "awq":
        case "gptq": {
            const bits = Number(qc["bits"] ?? qc["w_bit"] ?? 4);
            const group = Number(qc["group_size"] ?? qc["q_group_size"] ?? 128);
            const label = method.toUpperCase();
            if (bits === 4) {
                const s = schemeOfKind("int4", from, { group, zeroPoint: true });
                return withKeep({ ...s, label: `int4 (${label}, group ${group > 0 ? group : "channel"})` });
            }
            if (bits === 8) return withKeep({ ...schemeOfKind("int8", from, { group }), label: `int8 (${label})` });
            throw new QuantError("quantization_config.bits", `got ${JSON.stringify(qc["bits"])} for ${method}; allowed: 4, 8`);
        }
        case "mxfp4":
            return { ...schemeOfKind("mxfp4", from), scope: "experts", keep16: keptBy(ignore) };
        case "bitsandbytes": {
            if (qc["load_in_4bit"]) return withKeep(schemeOfKind("nf4", from, { doubleQuant: Boolean(qc["bnb_4bit_use_double_quant"]) }));
            if (qc["load_in_8bit"]) return withKeep(schemeOfKind("int8", from));
            throw new QuantError("quantization_config.load_in_4bit", "bitsandbytes without load_in_4bit or load_in_8bit; allowed: one of them true");
        }
        case "modelopt": {
            const q = obj(qc["quantization"]) ?? qc;
            const algo = String(q["quant_algo"] ?? "").toUpperCase();
            const keep = keptBy(q["exclude_modules"] ?? ignore);
            if (algo === "FP8") return { ...schemeOfKind("fp8", from), keep16: keep };
            if (algo === "NVFP4") return { ...schemeOfKind("nvfp4", from), keep16: keep };
            if (algo === "W4A8_AWQ" || algo === "W4A16_AWQ") {
                return { ...schemeOfKind("int4", from, { group: Number(q["group_size"] ?? 128) }), keep16: keep };
            }
            throw new QuantError("quantization_config.quant_algo", `got ${JSON.stringify(q["quant_algo"])} for modelopt; allowed: FP8, NVFP4, W4A16_AWQ, W4A8_AWQ`);
        }
        case "compressed-tensors":
            return compressedTensors(qc, ignore);
        default:
            throw unknown("quantization_config.quant_method", method);
    }
}

/** llm-compressor's compressed-tensors format: the weights of the first config group decide. */
function compressedTensors(qc: Json, ignore: unknown): QuantScheme {
    const from = "quantization_config";
    const groups = obj(qc["config_groups"]);
    const first = groups ? obj(Object.values(groups)[0]) : undefined;
    const w = first ? obj(first["weights"]) : undefined;
    if (!w) throw new QuantError("quantization_config.config_groups", "compressed-tensors without config_groups.<group>.weights; allowed: a config group with weights {num_bits, type, strategy}");
    const bits = Number(w["num_bits"]);
    const type = String(w["type"] ?? "int");
    const strategy = String(w["strategy"] ?? "tensor");
    const group = Number(w["group_size"] ?? 0);
    const keep = keptBy(ignore);
    let s: QuantScheme;
    if (bits === 8 && type === "float") s = schemeOfKind(strategy === "block" ? "fp8-block" : "fp8", from);
    else if (bits === 8 && type === "int") s = schemeOfKind("int8", from, { group: strategy === "group" ? group : undefined });
    else if (bits === 4 && type === "float") s = schemeOfKind(group === 32 ? "mxfp4" : "nvfp4", from);
    else if (bits === 4 && type === "int") s = schemeOfKind("int4", from, { group: group > 0 ? group : 128, zeroPoint: w["symmetric"] === false });
    else {
        throw new QuantError(
            "quantization_config.config_groups.weights",
            `got num_bits ${JSON.stringify(w["num_bits"])}, type ${JSON.stringify(w["type"])}; allowed: 8-bit float (fp8), 8-bit int, 4-bit int (w4a16), 4-bit float (nvfp4/mxfp4)`,
        );
    }
    // Targets that name experts only (e.g. Kimi-K2-Thinking's INT4 experts) keep everything else in 16 bits.
    const targets = Array.isArray(first?.["targets"]) ? (first!["targets"] as unknown[]).map(String) : [];
    const expertsOnly = targets.length > 0 && targets.every((t) => /expert/.test(t) && !/shared/.test(t));
    return { ...s, keep16: keep, ...(expertsOnly ? { scope: "experts" as const } : {}) };
}

/** Name suffixes of quantised releases, longest first, and the scheme each means. */
const SUFFIXES: { re: RegExp; kind: QuantKind; label?: string; group?: number }[] = [
    { re: /[-_.](fp8[-_]dynamic|fp8[-_]static)$/i, kind: "fp8", label: "fp8 (llm-compressor)" },
    { re: /[-_.]fp8[-_]block$/i, kind: "fp8-block" },
    { re: /[-_.]fp8$/i, kind: "fp8" },
    { re: /[-_.](quantized\.)?w8a8[-_]?fp8$/i, kind: "fp8" },
    { re: /[-_.]awq[-_]int4$/i, kind: "int4", label: "int4 (AWQ)" },
    { re: /[-_.]awq$/i, kind: "int4", label: "int4 (AWQ)" },
    { re: /[-_.]gptq[-_]int4$/i, kind: "int4", label: "int4 (GPTQ)" },
    { re: /[-_.]gptq[-_]int8$/i, kind: "int8", label: "int8 (GPTQ)" },
    { re: /[-_.]gptq$/i, kind: "int4", label: "int4 (GPTQ)" },
    { re: /[-_.](quantized\.)?w4a16$/i, kind: "int4", label: "int4 (w4a16)" },
    { re: /[-_.](quantized\.)?w8a8$/i, kind: "int8", label: "int8 (w8a8)" },
    { re: /[-_.](quantized\.)?w8a16$/i, kind: "int8", label: "int8 (w8a16)" },
    { re: /[-_.]int8$/i, kind: "int8" },
    { re: /[-_.]int4$/i, kind: "int4" },
    { re: /[-_.]nvfp4$/i, kind: "nvfp4" },
    { re: /[-_.]fp4$/i, kind: "nvfp4", label: "nvfp4 (FP4)" },
    { re: /[-_.]mxfp4$/i, kind: "mxfp4" },
    { re: /[-_.]bnb[-_]4bit$/i, kind: "nf4" },
];

/**
 * The quantisation a model id's suffix names, and the id without it (the base model), e.g.
 * `RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic` → fp8 + `RedHatAI/Llama-3.3-70B-Instruct`.
 * Undefined when the id has no known suffix.
 */
export function quantFromName(id: string): { scheme: QuantScheme; baseId: string } | undefined {
    const s = id.trim();
    for (const x of SUFFIXES) {
        const m = x.re.exec(s);
        if (!m) continue;
        const scheme = schemeOfKind(x.kind, "name suffix", { group: x.group });
        return { scheme: x.label ? { ...scheme, label: x.label } : scheme, baseId: s.slice(0, m.index) };
    }
    return undefined;
}

/** KV-cache element types `models[].kvCacheDtype` takes. */
export const KV_CACHE_DTYPES = ["auto", "fp8", "fp8_e4m3", "fp8_e5m2"] as const;
/** KV-cache element types, as an enum object; same values as {@link KV_CACHE_DTYPES}. */
export const KvCacheDtype = {
    auto: "auto",
    fp8: "fp8",
    fp8_e4m3: "fp8_e4m3",
    fp8_e5m2: "fp8_e5m2",
} as const;
export type KvCacheDtype = (typeof KvCacheDtype)[keyof typeof KvCacheDtype];
const _kvDtypesMatch: Same<KvCacheDtype, (typeof KV_CACHE_DTYPES)[number]> = true;
void _kvDtypesMatch;

/**
 * The engine flag for a KV-cache dtype (none for `auto`). vLLM 0.11 takes `--kv-cache-dtype
 * {auto,fp8,fp8_e4m3,fp8_e5m2,fp8_inc}` (`fp8` = e4m3 on CUDA); SGLang 0.5 takes
 * `--kv-cache-dtype {auto,fp8_e5m2,fp8_e4m3,…}` without a plain `fp8`, so `fp8` becomes
 * `fp8_e4m3` there. TensorRT-LLM fixes the KV-cache dtype when its engine is built (refused
 * by the validation gate).
 */
export function kvCacheDtypeArgs(engine: string, dtype: KvCacheDtype | undefined): string[] {
    if (!dtype || dtype === "auto" || engine === "trtllm") return [];
    return ["--kv-cache-dtype", engine === "sglang" && dtype === "fp8" ? "fp8_e4m3" : dtype];
}
