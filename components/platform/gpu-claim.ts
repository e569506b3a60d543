/**
 * GpuClaim: GPUs requested through Dynamic Resource Allocation (`resource.k8s.io/v1`, Kubernetes
 * 1.34+). Emits a ResourceClaimTemplate (each pod gets its own claim and devices) or, with
 * `shared`, one ResourceClaim that several pods reference (they share the allocated devices).
 *
 * Requests: `count` GPUs (ExactCount) or every matching GPU on the node (`allDevices`, mode All); CEL selectors on
 * the NVIDIA DRA driver's device attributes (productName, uuid) and capacity (memory); and an
 * optional NIC request constrained to the GPU's PCIe root (`resource.kubernetes.io/pcieRoot`),
 * which keeps GPUDirect RDMA traffic off the inter-socket link.
 *
 * Pods use it through `podResourceClaim` (spec.resourceClaims[]) and `containerClaim`
 * (containers[].resources.claims[]).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Vendor } from "../types";
import { draDeviceClass } from "../physical/fleet";
import { componentOpts, componentType, standardLabels } from "../common/k8s";
import { dependsOnAll } from "../common/dependencies";

/** The NVIDIA DRA driver's attribute/capacity domain (its driver name). */
export const NVIDIA_DRA_DOMAIN = "gpu.nvidia.com";
/** Standard device attribute: the PCIe root complex a device hangs off. */
export const PCIE_ROOT_ATTRIBUTE = "resource.kubernetes.io/pcieRoot";

export interface GpuClaimNic {
    /** DeviceClass of the NIC DRA driver (e.g. one published by a NIC DRA driver); required. */
    deviceClassName: string;
    /** NICs to allocate alongside the GPUs. Defaults to 1. */
    count?: number;
    /** Extra CEL expressions the NIC must satisfy. Defaults to none. */
    cel?: string[];
}

export interface GpuClaimArgs {
    /** Namespace of the claim (the pods' namespace). */
    namespace: pulumi.Input<string>;
    /** Object name of the template/claim. Defaults to the resource name. */
    claimName?: string;
    /** Accelerator vendor; picks the DeviceClass. Defaults to "nvidia". */
    vendor?: Vendor;
    /** DeviceClass to allocate from. Defaults to the vendor's (e.g. "gpu.nvidia.com"). */
    deviceClassName?: string;
    /** GPUs per claim (ExactCount). Defaults to 1; ignored with `allDevices`. */
    count?: number;
    /** Every matching GPU on the node (allocationMode All) instead of `count`. Defaults to false. */
    allDevices?: boolean;
    /** Case-insensitive substring of the product name, e.g. "h100" (NVIDIA attribute `productName`). Defaults to any. */
    productName?: string;
    /** Only these GPU UUIDs (NVIDIA attribute `uuid`). Defaults to any. */
    uuids?: string[];
    /** Minimum GPU memory in GiB (NVIDIA capacity `memory`). Defaults to any. */
    minMemoryGiB?: number;
    /** Extra CEL expressions each GPU must satisfy. Defaults to none. */
    cel?: string[];
    /** One ResourceClaim shared by every pod that references it, instead of a per-pod template. Defaults to false. */
    shared?: boolean;
    /** Also allocate NICs on the same PCIe root as the GPUs. Defaults to none. */
    nic?: GpuClaimNic;
    /** The resource that installs the DRA driver (its DeviceClasses); the claim depends on it. Defaults to none. */
    driver?: k8s.helm.v3.Release;
}

/** A CEL string literal. */
function celString(s: string): string {
    return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Validate args; throws naming the arg and the fix. Pure. */
export function validateGpuClaimArgs(args: GpuClaimArgs, parent?: pulumi.Resource): void {
    const where = "GpuClaim";
    const count = args.allDevices ? "All" : (args.count ?? 1);
    if (count !== "All" && (!Number.isInteger(count) || count < 1)) {
        throw new pulumi.ResourceError(`${where}: count must be a positive integer (or allDevices: true); got ${JSON.stringify(args.count)}`, parent);
    }
    const vendor = args.vendor ?? "nvidia";
    if (vendor !== "nvidia" && (args.productName !== undefined || args.uuids !== undefined || args.minMemoryGiB !== undefined)) {
        throw new pulumi.ResourceError(`${where}: productName, uuids and minMemoryGiB select on NVIDIA DRA attributes; for vendor "${vendor}" write the selector in cel`, parent);
    }
    if (args.uuids !== undefined) {
        if (args.uuids.length === 0) throw new pulumi.ResourceError(`${where}: uuids must not be empty (omit it to allow any GPU)`, parent);
        if (typeof count === "number" && count > args.uuids.length) {
            throw new pulumi.ResourceError(`${where}: count ${count} exceeds the ${args.uuids.length} uuids allowed; lower count or list more uuids`, parent);
        }
    }
    if (args.minMemoryGiB !== undefined && !(args.minMemoryGiB > 0)) {
        throw new pulumi.ResourceError(`${where}: minMemoryGiB must be > 0; got ${args.minMemoryGiB}`, parent);
    }
    if (args.nic && args.nic.count !== undefined && (!Number.isInteger(args.nic.count) || args.nic.count < 1)) {
        throw new pulumi.ResourceError(`${where}: nic.count must be a positive integer; got ${args.nic.count}`, parent);
    }
    if (args.claimName !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.claimName)) {
        throw new pulumi.ResourceError(`${where}: claimName "${args.claimName}" is not a DNS-1123 label`, parent);
    }
}

/** CEL expressions for the GPU request. Pure. */
export function gpuSelectors(args: GpuClaimArgs): string[] {
    const attrs = `device.attributes[${celString(NVIDIA_DRA_DOMAIN)}]`;
    const out: string[] = [];
    if (args.productName !== undefined) out.push(`${attrs}.productName.lowerAscii().contains(${celString(args.productName.toLowerCase())})`);
    if (args.uuids !== undefined) out.push(`${attrs}.uuid in [${args.uuids.map(celString).join(", ")}]`);
    if (args.minMemoryGiB !== undefined) {
        out.push(`device.capacity[${celString(NVIDIA_DRA_DOMAIN)}].memory.compareTo(quantity(${celString(`${args.minMemoryGiB}Gi`)})) >= 0`);
    }
    out.push(...(args.cel ?? []));
    return out;
}

/** The `devices` block of the claim spec (requests + constraints). Pure. */
export function gpuClaimDevices(args: GpuClaimArgs): Record<string, unknown> {
    const count = args.allDevices ? "All" : (args.count ?? 1);
    const selectors = gpuSelectors(args).map((expression) => ({ cel: { expression } }));
    const gpu: Record<string, unknown> = {
        deviceClassName: args.deviceClassName ?? draDeviceClass(args.vendor ?? "nvidia"),
        allocationMode: count === "All" ? "All" : "ExactCount",
        ...(count === "All" ? {} : { count }),
        ...(selectors.length > 0 ? { selectors } : {}),
    };
    const requests: Record<string, unknown>[] = [{ name: "gpu", exactly: gpu }];
    const devices: Record<string, unknown> = { requests };
    if (args.nic) {
        const nicSelectors = (args.nic.cel ?? []).map((expression) => ({ cel: { expression } }));
        requests.push({
            name: "nic",
            exactly: {
                deviceClassName: args.nic.deviceClassName,
                allocationMode: "ExactCount",
                count: args.nic.count ?? 1,
                ...(nicSelectors.length > 0 ? { selectors: nicSelectors } : {}),
            },
        });
        devices["constraints"] = [{ requests: ["gpu", "nic"], matchAttribute: PCIE_ROOT_ATTRIBUTE }];
    }
    return devices;
}

/** An entry of a pod's `spec.resourceClaims` (core/v1 PodResourceClaim): one of the two sources is set. */
export interface PodResourceClaim {
    /** Name of the claim inside the pod; containers refer to it. */
    name: string;
    /** The ResourceClaimTemplate a per-pod claim is made from (unshared claims). */
    resourceClaimTemplateName?: string;
    /** The ResourceClaim the pod uses (shared claims). */
    resourceClaimName?: string;
}

/** An entry of a container's `resources.claims` (core/v1 ResourceClaim reference). */
export interface ContainerClaim {
    /** Name of the pod-level claim ({@link PodResourceClaim.name}). */
    name: string;
}

export class GpuClaim extends pulumi.ComponentResource {
    /** Name of the ResourceClaimTemplate (or ResourceClaim when shared). */
    public readonly claimName: pulumi.Output<string>;
    public readonly shared: boolean;
    /** Entry for the pod's `spec.resourceClaims`. */
    public readonly podResourceClaim: pulumi.Output<PodResourceClaim>;
    /** Entry for a container's `resources.claims` (all the claim's devices). */
    public readonly containerClaim: ContainerClaim;

    constructor(name: string, args: GpuClaimArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("GpuClaim"), name, args, componentOpts("platform", "GpuClaim", opts));
        validateGpuClaimArgs(args, this);
        this.shared = args.shared ?? false;
        const metadata = { name: args.claimName ?? name, namespace: args.namespace, labels: standardLabels("gpu-claim", name) };
        const spec = { devices: gpuClaimDevices(args) };
        // DeviceClasses come from the DRA driver release.
        const childOpts: pulumi.CustomResourceOptions = { parent: this, dependsOn: dependsOnAll(args.driver) };
        if (this.shared) {
            const claim = new k8s.resource.v1.ResourceClaim(name, { metadata, spec }, childOpts);
            this.claimName = claim.metadata.name;
        } else {
            const tpl = new k8s.resource.v1.ResourceClaimTemplate(name, { metadata, spec: { metadata: { labels: metadata.labels }, spec } }, childOpts);
            this.claimName = tpl.metadata.name;
        }
        // The pod-level claim name is local to the pod; "gpu" reads well in container specs.
        this.containerClaim = { name: "gpu" };
        this.podResourceClaim = this.claimName.apply((n): PodResourceClaim =>
            this.shared ? { name: "gpu", resourceClaimName: n } : { name: "gpu", resourceClaimTemplateName: n },
        );
        this.registerOutputs({ claimName: this.claimName });
    }
}
