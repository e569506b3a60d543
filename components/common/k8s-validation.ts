/**
 * The Kubernetes API server's own validation rules for values that become part of an object,
 * as pure functions: each returns `undefined` when the API server would accept the value, else one
 * sentence saying what is wrong (no path: callers add it). One shared set, so the stack schema,
 * components and tests agree with each other and with the API server.
 *
 * Each rule cites the function it mirrors in k8s.io/apimachinery (v0.34)
 * `pkg/util/validation/validation.go` (apimachinery) or k8s.io/kubernetes (v1.34)
 * `pkg/apis/core/validation/validation.go` (core).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** apimachinery `qualifiedNameFmt`: the name part of a qualified name and a non-empty label value. */
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** apimachinery `envVarNameFmt` (IsEnvVarName), the rule before relaxed validation. */
const STRICT_ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/**
 * apimachinery `resource.Quantity` canonical forms (ParseQuantity): a signed decimal number, then a
 * binary suffix (Ki..Ei), a decimal SI suffix (n, u, m, k, M, G, T, P, E) or an exponent (e3, E-2).
 */
const QUANTITY = /^([+-]?)(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const QUANTITY_MULTIPLIER: Record<string, number> = {
    "": 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const show = (s: string) => JSON.stringify(s);

/** apimachinery IsDNS1123Label: object names of most kinds, namespaces, Service names. */
export function dns1123Label(s: string, max = 63): string | undefined {
    if (s.length === 0) return "must not be empty";
    if (s.length > max) return `must be at most ${max} characters (got ${s.length})`;
    if (!DNS1123_LABEL.test(s)) return "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit";
    return undefined;
}

/** apimachinery IsDNS1123Subdomain: e.g. StorageClass names, label-key prefixes. */
export function dns1123Subdomain(s: string): string | undefined {
    if (s.length === 0) return "must not be empty";
    if (s.length > 253) return `must be at most 253 characters (got ${s.length})`;
    if (!DNS1123_SUBDOMAIN.test(s)) {
        return "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit";
    }
    return undefined;
}

/** apimachinery IsQualifiedName: label keys, annotation keys, taint keys — `[prefix/]name`. */
export function qualifiedName(s: string): string | undefined {
    const parts = s.split("/");
    let name = s;
    if (parts.length > 2) return `must be a qualified name ("[prefix/]name"): at most one '/' (got ${show(s)})`;
    if (parts.length === 2) {
        const [prefix, n] = parts;
        if (prefix.length === 0) return "prefix part must not be empty";
        const bad = dns1123Subdomain(prefix);
        if (bad) return `prefix part ${show(prefix)} ${bad}`;
        name = n;
    }
    if (name.length === 0) return "name part must not be empty";
    if (name.length > 63) return `name part must be at most 63 characters (got ${name.length})`;
    if (!QUALIFIED_NAME_PART.test(name)) {
        return `name part ${show(name)} must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`;
    }
    return undefined;
}

/** apimachinery IsValidLabelValue: label values (nodeSelector values, taint values). Empty is allowed. */
export function labelValue(s: string): string | undefined {
    if (s.length > 63) return `must be at most 63 characters (got ${s.length})`;
    if (s.length > 0 && !QUALIFIED_NAME_PART.test(s)) {
        return "must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
    }
    return undefined;
}

/**
 * Environment variable names (core `validateEnvVarName`). With RelaxedEnvironmentVariableValidation
 * (beta and on by default from 1.32, GA in 1.34) any printable ASCII character except '=' is
 * allowed (apimachinery IsRelaxedEnvVarName); before that, apimachinery IsEnvVarName's C-like rule.
 */
export function envVarName(s: string, kubernetesMinor = 34): string | undefined {
    if (s.length === 0) return "must not be empty";
    if (kubernetesMinor >= 32) {
        if (!/^[\x20-\x7e]+$/.test(s) || s.includes("=")) return "must consist of printable ASCII characters other than '='";
        return undefined;
    }
    if (!STRICT_ENV_VAR_NAME.test(s)) return "must consist of letters, digits, '_', '-' or '.', and not start with a digit (Kubernetes before 1.32)";
    if (s === "." || s === ".." || s.startsWith("..")) return "must not be '.' or '..' or start with '..'";
    return undefined;
}

/** The value of a resource quantity string in base units, or undefined when it does not parse (ParseQuantity). */
export function quantityValue(s: string): number | undefined {
    const m = QUANTITY.exec(s);
    if (!m) return undefined;
    const [, sign, num, , suffix = ""] = m;
    const base = Number(num) * (sign === "-" ? -1 : 1);
    if (/^[eE]/.test(suffix)) return base * 10 ** Number(suffix.slice(1));
    return base * QUANTITY_MULTIPLIER[suffix];
}

export interface QuantityRule {
    /** What the quantity measures, for the message ("storage", "memory", "CPU"). */
    what: string;
    /** core ValidatePositiveQuantityValue (PVC storage requests): must be > 0. Defaults to true. */
    positive?: boolean;
    /** Accept only the binary byte suffixes Ki..Ei (memory and storage sizes as this project writes them). */
    bytes?: boolean;
    /** An example for the message, e.g. "200Gi". */
    example: string;
}

/** apimachinery ParseQuantity plus core ValidatePositiveQuantityValue / ValidateNonnegativeQuantity. */
export function quantity(s: string, rule: QuantityRule): string | undefined {
    const v = quantityValue(s);
    if (v === undefined) return `must be a Kubernetes ${rule.what} quantity like ${show(rule.example)}`;
    if (rule.bytes && !/(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(s)) return `must be a ${rule.what} size with a binary suffix (Ki, Mi, Gi, Ti, Pi, Ei), like ${show(rule.example)}`;
    if ((rule.positive ?? true) && !(v > 0)) return `must be greater than zero, like ${show(rule.example)}`;
    if (v < 0) return "must not be negative";
    return undefined;
}

/** core validateExtendedResourceName: a fully-qualified `domain/name` outside kubernetes.io. */
export function extendedResourceName(s: string): string | undefined {
    if (!s.includes("/")) return `must be a fully-qualified extended resource name "<domain>/<name>", like "rdma/rdma_shared_device_a"`;
    const bad = qualifiedName(s);
    if (bad) return bad;
    const domain = s.split("/")[0];
    if (domain === "kubernetes.io" || domain.endsWith(".kubernetes.io")) return "must not be in the kubernetes.io domain (reserved for native resources)";
    if (s.length > 63 + 254) return "is too long";
    return undefined;
}

/**
 * distribution/reference grammar (what the kubelet pulls): an optional registry host (a first part
 * with a '.' or a port, or localhost), a lower-case path, then a tag and/or a digest.
 */
const IMAGE_REFERENCE =
    /^(?:(?:(?:localhost|(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+)(?::\d+)?|[a-zA-Z0-9-]+:\d+)\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Container image reference (`[registry[:port]/]path[:tag][@sha256:digest]`); the kubelet cannot pull others. */
export function imageReference(s: string): string | undefined {
    if (!IMAGE_REFERENCE.test(s)) return 'must be an image reference like "registry.example.com/org/image:1.2.3" (lower-case path, no spaces)';
    return undefined;
}

/** Linux network interface names (the Network Operator passes them to the RDMA device plugin): IFNAMSIZ-1, no '/' or whitespace. */
export function interfaceName(s: string): string | undefined {
    if (s.length === 0 || s.length > 15) return "must be 1-15 characters (Linux IFNAMSIZ)";
    if (/[\s/:]/.test(s) || s === "." || s === "..") return "must not contain whitespace, '/' or ':'";
    return undefined;
}

/** Every rule above, by the name used in docs and tests. */
export const K8S_RULES = {
    dns1123Label: "apimachinery validation.IsDNS1123Label",
    dns1123Subdomain: "apimachinery validation.IsDNS1123Subdomain",
    qualifiedName: "apimachinery validation.IsQualifiedName",
    labelValue: "apimachinery validation.IsValidLabelValue",
    envVarName: "core validateEnvVarName (IsRelaxedEnvVarName from 1.32, IsEnvVarName before)",
    quantity: "apimachinery resource.ParseQuantity + core ValidatePositiveQuantityValue",
    extendedResourceName: "core validateExtendedResourceName",
    imageReference: "distribution reference grammar (what the kubelet pulls)",
    interfaceName: "Linux dev_valid_name (IFNAMSIZ)",
} as const;
