import { arr, bool, obj, objs, str, stringMap, type JsonObject } from "../lib/json";
import { isKind, workloadsOf, type PodView, workloadName } from "../lib/workload";
import type { StackRule, StackViolation } from "../lib/rule";

/** Kubernetes label-selector semantics (matchLabels + matchExpressions); an empty selector selects everything. */
export function selectorMatches(selector: JsonObject | undefined, labels: Record<string, string>): boolean {
    if (!selector) return false;
    for (const [k, v] of Object.entries(stringMap(selector, "matchLabels"))) if (labels[k] !== v) return false;
    for (const e of objs(selector, "matchExpressions")) {
        const key = str(e, "key") ?? "";
        const values = arr(e, "values").map(String);
        switch (str(e, "operator")) {
            case "In":
                if (!(key in labels) || !values.includes(labels[key])) return false;
                break;
            case "NotIn":
                if (key in labels && values.includes(labels[key])) return false;
                break;
            case "Exists":
                if (!(key in labels)) return false;
                break;
            case "DoesNotExist":
                if (key in labels) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

function namespaceCovered(monitor: JsonObject, monitorNs: string | undefined, targetNs: string | undefined): boolean {
    const nsSel = obj(monitor, "spec", "namespaceSelector");
    if (bool(nsSel, "any") === true) return true;
    const names = arr(nsSel, "matchNames").map(String);
    if (names.length > 0) return targetNs === undefined || names.includes(targetNs);
    return monitorNs === undefined || targetNs === undefined || monitorNs === targetNs;
}

/** Rule 13: every inference engine is scraped by Prometheus (PodMonitor, ServiceMonitor via a Service, or its chart/operator). */
export const enginesScraped: StackRule = {
    scope: "stack",
    name: "engines-scraped",
    description: "Every inference engine workload (vLLM, SGLang, Triton, Ray LLM, KServe, NIM, llm-d) is selected by a PodMonitor, or by a ServiceMonitor through a Service that selects its pods, or is monitored by its own chart/operator.",
    severity: "medium",
    enforcementLevel: "advisory",
    remediationSteps: "Add a PodMonitor (monitoring.coreos.com/v1) whose selector.matchLabels match the engine's pod labels with podMetricsEndpoints [{port: <metrics port>, path: /metrics}], or enable the chart's monitoring (llm-d: decode.monitoring.podmonitor.enabled; NIM: spec.metrics.enabled).",
    fleet: "unused",
    check(items) {
        const k8s = items.flatMap((i) => (i.subject.form === "k8s" ? [{ item: i, s: i.subject }] : []));
        const podMonitors = k8s.filter(({ s }) => isKind(s, "monitoring.coreos.com", "PodMonitor"));
        const serviceMonitors = k8s.filter(({ s }) => isKind(s, "monitoring.coreos.com", "ServiceMonitor"));
        const services = k8s.filter(({ s }) => isKind(s, "", "Service"));
        const violations: StackViolation[] = [];
        const unknown: string[] = [];
        const selected = (p: PodView, ns: string | undefined): boolean =>
            podMonitors.some(({ s }) => namespaceCovered(s.body, s.ref.namespace, ns) && selectorMatches(obj(s.body, "spec", "selector"), p.labels)) ||
            services.some(({ s: svc }) => {
                const sel = stringMap(svc.body, "spec", "selector");
                if (Object.keys(sel).length === 0 || !Object.entries(sel).every(([k, v]) => p.labels[k] === v)) return false;
                if (svc.ref.namespace !== undefined && ns !== undefined && svc.ref.namespace !== ns) return false;
                const svcLabels = stringMap(svc.body, "metadata", "labels");
                return serviceMonitors.some(({ s: sm }) => namespaceCovered(sm.body, sm.ref.namespace, svc.ref.namespace) && selectorMatches(obj(sm.body, "spec", "selector"), svcLabels));
            });
        for (const item of items) {
            for (const w of workloadsOf(item.subject)) {
                if (!w.engine || w.selfMonitored) continue;
                const name = workloadName(w);
                const known = w.pods.filter((p) => p.labelsKnown);
                if (known.length === 0) {
                    if (isKind(w.subject, "apps.nvidia.com", "NIMService")) {
                        violations.push({ item, message: `${name} serves a model but its metrics are off: set spec.metrics.enabled: true with spec.metrics.serviceMonitor so the NIM Operator creates a ServiceMonitor.` });
                    } else {
                        unknown.push(name);
                    }
                    continue;
                }
                if (known.some((p) => selected(p, w.ref.namespace))) continue;
                const p = known[0];
                violations.push({
                    item,
                    message: `${name} runs an inference engine but no PodMonitor, or ServiceMonitor through a Service, selects its pods (labels ${JSON.stringify(p.labels)}), so its latency, queue and KV-cache metrics are not collected and autoscaling on them cannot work: add a PodMonitor with selector.matchLabels from these labels and podMetricsEndpoints [{port: <metrics port name>, path: /metrics}].`,
                });
            }
        }
        return {
            violations,
            skipped: unknown.length > 0 ? `pod labels of ${unknown.join(", ")} are set by their controller, so scraping was not checked for them` : undefined,
        };
    },
};

