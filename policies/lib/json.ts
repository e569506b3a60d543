/**
 * Small, total accessors over untyped JSON (resource props, YAML documents). Every rule reads its
 * input through these, so a malformed manifest yields "field absent", never a crash.
 */
export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The object at `path` below `v`, or undefined. */
export function obj(v: unknown, ...path: string[]): JsonObject | undefined {
    const r = at(v, path);
    return isObject(r) ? r : undefined;
}

export function arr(v: unknown, ...path: string[]): unknown[] {
    const r = at(v, path);
    return Array.isArray(r) ? r : [];
}

export function objs(v: unknown, ...path: string[]): JsonObject[] {
    return arr(v, ...path).filter(isObject);
}

export function str(v: unknown, ...path: string[]): string | undefined {
    const r = at(v, path);
    return typeof r === "string" ? r : undefined;
}

export function bool(v: unknown, ...path: string[]): boolean | undefined {
    const r = at(v, path);
    return typeof r === "boolean" ? r : undefined;
}

/** A number, or a string that is a plain decimal integer (Kubernetes quantities, Helm values). */
export function int(v: unknown, ...path: string[]): number | undefined {
    const r = at(v, path);
    if (typeof r === "number" && Number.isFinite(r)) return r;
    if (typeof r === "string" && /^\s*\d+\s*$/.test(r)) return Number(r);
    return undefined;
}

export function stringMap(v: unknown, ...path: string[]): Record<string, string> {
    const o = obj(v, ...path);
    const out: Record<string, string> = {};
    if (!o) return out;
    for (const [k, val] of Object.entries(o)) {
        if (typeof val === "string" || typeof val === "number" || typeof val === "boolean") out[k] = String(val);
    }
    return out;
}

function at(v: unknown, path: string[]): unknown {
    let cur: unknown = v;
    for (const p of path) {
        if (!isObject(cur)) return undefined;
        cur = cur[p];
    }
    return cur;
}
