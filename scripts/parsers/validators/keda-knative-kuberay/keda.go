package main

// KEDA v2.20.2: the ScaledObject validating webhook (apis/keda/v1alpha1/scaledobject_webhook.go,
// registered on a manager whose client is a fake API server holding the stack's objects plus what
// KServe created, so the HPA/ScaledObject-conflict and CPU/memory checks see the real workloads),
// then, per trigger, the scaler construction KEDA's operator does (pkg/scaling/scalers_builder.go):
// for `prometheus` triggers NewPrometheusScaler (metadata parsing, auth, no network) and the HPA
// metric spec it produces.

import (
	"context"
	"fmt"
	"time"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	"github.com/kedacore/keda/v2/pkg/scalers"
	"github.com/kedacore/keda/v2/pkg/scalers/scalersconfig"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/conversion"
)

const (
	vKEDAWebhook = "keda@v2.20.2 ScaledObject webhook"
	vKEDAScaler  = "keda@v2.20.2 scaler builder (trigger metadata)"
)

// fakeManager is the part of a controller-runtime manager KEDA's webhook setup uses
// (SetupWebhookWithManager → setupKubernetesClients + webhook builder). Any other method panics,
// which would show up as a verdict error.
type fakeManager struct {
	manager.Manager
	c      client.Client
	s      *runtime.Scheme
	mapper meta.RESTMapper
	srv    webhook.Server
	reg    conversion.Registry
}

func (m *fakeManager) GetClient() client.Client                     { return m.c }
func (m *fakeManager) GetScheme() *runtime.Scheme                   { return m.s }
func (m *fakeManager) GetRESTMapper() meta.RESTMapper               { return m.mapper }
func (m *fakeManager) GetConfig() *rest.Config                      { return &rest.Config{} }
func (m *fakeManager) GetWebhookServer() webhook.Server             { return m.srv }
func (m *fakeManager) GetConverterRegistry() conversion.Registry    { return m.reg }
func (m *fakeManager) GetEventRecorder(string) events.EventRecorder { return nil }

// restMapper knows the workload kinds a ScaledObject can target.
func restMapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	for _, gvk := range []schema.GroupVersionKind{
		{Group: "apps", Version: "v1", Kind: "Deployment"},
		{Group: "apps", Version: "v1", Kind: "StatefulSet"},
		{Group: "leaderworkerset.x-k8s.io", Version: "v1", Kind: "LeaderWorkerSet"},
		{Group: "ray.io", Version: "v1", Kind: "RayCluster"},
		{Group: "serving.kserve.io", Version: "v1beta1", Kind: "InferenceService"},
	} {
		m.Add(gvk, meta.RESTScopeNamespace)
	}
	return m
}

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, kedav1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			fatal(err)
		}
	}
	return s
}

// typedObjects decodes the objects the scheme knows (workloads, HPAs, LimitRanges, the other
// ScaledObjects: what the webhook lists and gets); the rest is ignored.
func typedObjects(s *runtime.Scheme, objs []map[string]interface{}) []client.Object {
	var out []client.Object
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		gvk := u.GroupVersionKind()
		if !s.Recognizes(gvk) {
			continue
		}
		obj, err := s.New(gvk)
		if err != nil {
			continue
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o, obj); err != nil {
			continue
		}
		if co, ok := obj.(client.Object); ok {
			out = append(out, co)
		}
	}
	return out
}

func checkKEDA(objs []map[string]interface{}) []*Verdict {
	var sos []map[string]interface{}
	for _, o := range objs {
		if a, k := kindOf(o); k == "ScaledObject" && schema.FromAPIVersionAndKind(a, k).Group == kedav1alpha1.SchemeGroupVersion.Group {
			sos = append(sos, o)
		}
	}
	if len(sos) == 0 {
		return nil
	}
	s := newScheme()
	var verdicts []*Verdict
	// Each ScaledObject is validated as if it were created last: the fake API server holds the
	// workloads, HPAs and the other ScaledObjects of the stack.
	for i, o := range sos {
		v := newVerdict(vKEDAWebhook, o)
		sc := newVerdict(vKEDAScaler, o)
		verdicts = append(verdicts, v, sc)
		so := &kedav1alpha1.ScaledObject{}
		if err := convert(o, so); err != nil {
			v.fail(fmt.Errorf("decode: %w", err))
			continue
		}
		var others []map[string]interface{}
		for _, x := range objs {
			if isSame(x, sos[i]) {
				continue
			}
			others = append(others, x)
		}
		guard(v, func() {
			c := fake.NewClientBuilder().WithScheme(s).WithObjects(typedObjects(s, others)...).Build()
			mgr := &fakeManager{c: c, s: s, mapper: restMapper(), srv: webhook.NewServer(webhook.Options{}), reg: conversion.NewRegistry()}
			if err := (&kedav1alpha1.ScaledObject{}).SetupWebhookWithManager(mgr, false); err != nil {
				v.fail(fmt.Errorf("webhook setup: %w", err))
				return
			}
			dryRun := false
			warnings, err := so.ValidateCreate(&dryRun)
			v.Warnings = append(v.Warnings, warnings...)
			v.fail(err)
		})
		guard(sc, func() { buildScalers(sc, so) })
	}
	return verdicts
}

func isSame(a, b map[string]interface{}) bool {
	ua, ub := unstructured.Unstructured{Object: a}, unstructured.Unstructured{Object: b}
	return ua.GetKind() == ub.GetKind() && ua.GetNamespace() == ub.GetNamespace() && ua.GetName() == ub.GetName()
}

// buildScalers mirrors pkg/scaling/scalers_builder.go for the trigger types the project emits.
func buildScalers(v *Verdict, so *kedav1alpha1.ScaledObject) {
	v.Info = map[string]interface{}{}
	var metrics []interface{}
	for i, t := range so.Spec.Triggers {
		cfg := &scalersconfig.ScalerConfig{
			ScalableObjectName:      so.Name,
			ScalableObjectNamespace: so.Namespace,
			ScalableObjectType:      "ScaledObject",
			TriggerName:             t.Name,
			TriggerMetadata:         t.Metadata,
			TriggerType:             t.Type,
			TriggerUseCachedMetrics: t.UseCachedMetrics,
			ResolvedEnv:             map[string]string{},
			AuthParams:              map[string]string{},
			GlobalHTTPTimeout:       3 * time.Second,
			TriggerIndex:            i,
			MetricType:              t.MetricType,
			AsMetricSource:          false,
			ScaledObject:            so,
			TriggerUniqueKey:        fmt.Sprintf("ScaledObject-%s-%s-%d", so.Namespace, so.Name, i),
		}
		switch t.Type {
		case "prometheus":
			sc, err := scalers.NewPrometheusScaler(cfg)
			if err != nil {
				v.fail(fmt.Errorf("trigger %d (prometheus): %w", i, err))
				continue
			}
			for _, m := range sc.GetMetricSpecForScaling(context.Background()) {
				mm, _ := toMap(m)
				metrics = append(metrics, mm)
			}
			_ = sc.Close(context.Background())
		case "cpu", "memory":
			sc, err := scalers.NewCPUMemoryScaler(corev1.ResourceName(t.Type), cfg)
			if err != nil {
				v.fail(fmt.Errorf("trigger %d (%s): %w", i, t.Type, err))
				continue
			}
			for _, m := range sc.GetMetricSpecForScaling(context.Background()) {
				mm, _ := toMap(m)
				metrics = append(metrics, mm)
			}
		default:
			v.fail(fmt.Errorf("trigger %d: type %q is not built by this checker (add it to keda.go)", i, t.Type))
		}
	}
	v.Info["hpaMetrics"] = metrics
}
