/**
 * The API server's name rules the fleet config needs, as pure functions returning `undefined`
 * when valid, else one sentence. The pack's own copy (it imports nothing outside policies/) of
 * components/common/k8s-validation.ts; test/policies/fleet-contract.test.ts checks both give the
 * same answers. Mirrors k8s.io/apimachinery (v0.34) pkg/util/validation/validation.go.
 */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** apimachinery `qualifiedNameFmt`: the name part of a qualified name and a non-empty label value. */
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const show = (s: string) => JSON.stringify(s);

/** apimachinery IsDNS1123Subdomain. */
export function dns1123Subdomain(s: string): string | undefined {
    if (s.length === 0) return "must not be empty";
    if (s.length > 253) return `must be at most 253 characters (got ${s.length})`;
    if (!DNS1123_SUBDOMAIN.test(s)) {
        return "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit";
    }
    return undefined;
}

/** apimachinery IsQualifiedName: label keys, taint keys — `[prefix/]name`. */
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

/** apimachinery IsValidLabelValue: label values, taint values. Empty is allowed. */
export function labelValue(s: string): string | undefined {
    if (s.length > 63) return `must be at most 63 characters (got ${s.length})`;
    if (s.length > 0 && !QUALIFIED_NAME_PART.test(s)) {
        return "must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
    }
    return undefined;
}

/** core IsExtendedResourceName: `<domain>/<name>`, not in kubernetes.io. */
export function extendedResourceName(s: string): string | undefined {
    if (!s.includes("/")) return `must be a fully-qualified extended resource name "<domain>/<name>", like "rdma/rdma_shared_device_a"`;
    const bad = qualifiedName(s);
    if (bad) return bad;
    const domain = s.split("/")[0];
    if (domain === "kubernetes.io" || domain.endsWith(".kubernetes.io")) return "must not be in the kubernetes.io domain (reserved for native resources)";
    if (s.length > 63 + 254) return "is too long";
    return undefined;
}
