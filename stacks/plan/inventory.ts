/**
 * The rendered side of an offline plan: every Helm release rendered (stacks/plan/render.ts)
 * and the stack's image inventory (stacks/plan/images.ts), as files for writePlan —
 * rendered/<release>.yaml and images.txt — plus the lines the plan command prints.
 */
import type { PlanResult } from "./plan";
import { findHelm, renderReleases, renderedFiles, renderedObjects, renderSummary, type RenderedStack } from "./render";
import { imageInventory, imagesTxt, programImages, renderedImages, type ImageEntry } from "./images";

export interface StackRender {
    rendered: RenderedStack;
    images: ImageEntry[];
    files: Record<string, string>;
    summary: string[];
}

export function renderStackPlan(result: PlanResult, opts: { chartsDir?: string; helm?: string | null } = {}): StackRender {
    const helm = opts.helm === null ? undefined : (opts.helm ?? findHelm());
    const rendered = renderReleases(result.resources, { helm, chartsDir: opts.chartsDir, kubeVersion: result.config.cluster.kubernetesVersion });
    const images = imageInventory([...programImages(result.resources), ...renderedImages(renderedObjects(rendered))]);
    const missing = rendered.releases.filter((r) => r.skipped).map((r) => `${r.release.releaseName} (${r.skipped})`);
    const floating = images.filter((i) => i.floating);
    const header = [
        `Images stack "${result.stack.name}" pulls: ${images.length}. Format: <image><TAB><where it is set>[; …]`,
        ...(missing.length ? [`NOT COMPLETE: ${missing.length} Helm release(s) not rendered, their images are missing: ${missing.join(", ")}`] : []),
        ...(floating.length ? [`${floating.length} floating (untagged or :latest) image(s), marked [floating tag]`] : []),
    ];
    const summary = [
        ...renderSummary(rendered),
        `images: ${images.length} (${floating.length} floating${missing.length ? `; incomplete: ${missing.length} release(s) not rendered` : ""})`,
        ...floating.map((f) => `  [floating tag] ${f.image}: ${f.sources[0]}${f.sources.length > 1 ? ` (+${f.sources.length - 1})` : ""}`),
    ];
    return { rendered, images, files: { ...renderedFiles(rendered), "images.txt": imagesTxt(images, header) }, summary };
}
