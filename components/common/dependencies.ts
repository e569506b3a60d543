/**
 * `dependsOn` lists from resource args, in a form that holds in both places a component runs.
 *
 * In a TypeScript program a resource arg (`k8s.helm.v3.Release`, `k8s.yaml.v2.ConfigFile`, or a
 * list of them) is the object itself. Through the multi-language package (PulumiPlugin.yaml) the
 * component provider host rehydrates it from a resource reference and, when the caller reported
 * dependencies for the arg beyond the reference's own URN — a YAML program passing another
 * component's output, `[${kserve.controller}]`, or any list with dependencies — hands it over wrapped in an
 * Output (@pulumi/pulumi provider/server.js `deserializeInputs`), whatever the TypeScript type
 * says. Spreading such a list (`[...(args.x ?? [])]`) then throws "is not iterable" in the host.
 * `dependsOn` itself accepts Outputs of resources and of lists of them (runtime/dependsOn.js
 * `gatherExplicitDependencies`), so components collect resource args through `dependsOnAll`
 * instead of spreading them, and otherwise only test them for presence (docs/package.md,
 * "Ordering across the package boundary").
 */
import * as pulumi from "@pulumi/pulumi";

/** A resource arg as a component may receive it: a resource or list of them, possibly in an Output; or absent. */
export type ResourceArg = pulumi.Input<pulumi.Resource> | pulumi.Input<pulumi.Input<pulumi.Resource>[]> | undefined;

/**
 * One `dependsOn` list from resource args: each a resource, a list of resources, an Output of
 * either, or undefined (skipped). Never iterates an Output.
 */
export function dependsOnAll(...args: ResourceArg[]): pulumi.Input<pulumi.Resource>[] {
    const out: pulumi.Input<pulumi.Resource>[] = [];
    for (const a of args) {
        if (a === undefined) continue;
        if (Array.isArray(a)) out.push(...a);
        // A resource, a promise, or an Output of a resource or of a list: dependsOn resolves it.
        else out.push(a as pulumi.Input<pulumi.Resource>);
    }
    return out;
}
