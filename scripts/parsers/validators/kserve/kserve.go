package main

// KServe v0.20.0: the InferenceService mutating + validating webhooks, then the predictor
// reconciler (github.com/kserve/kserve@v0.20.0:pkg/controller/v1beta1/inferenceservice/components/predictor.go)
// run against a fake API server holding the stack's objects, the chart's inferenceservice-config
// and ClusterServingRuntimes. What it creates (Deployment, Service, KEDA ScaledObject, HPA, Knative
// Service) is returned as derived objects.

import (
	"context"
	"fmt"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	kservev1alpha1 "github.com/kserve/kserve/pkg/apis/serving/v1alpha1"
	"github.com/kserve/kserve/pkg/apis/serving/v1beta1"
	"github.com/kserve/kserve/pkg/constants"
	"github.com/kserve/kserve/pkg/controller/v1beta1/inferenceservice/components"
	isvcutils "github.com/kserve/kserve/pkg/controller/v1beta1/inferenceservice/utils"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	knservingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

const (
	vKServeWebhook = "kserve@v0.20.0 InferenceService webhooks (default + validate)"
	vKServeBuild   = "kserve@v0.20.0 predictor reconciler (objects it creates)"
)

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, v1beta1.AddToScheme, kservev1alpha1.AddToScheme, kedav1alpha1.AddToScheme, knservingv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			fatal(err)
		}
	}
	return s
}

// typedObjects decodes the stack's objects the scheme knows (core objects such as Secrets and
// ServiceAccounts matter to KServe's credential builder; the rest is ignored).
func typedObjects(s *runtime.Scheme, objs []map[string]interface{}) []client.Object {
	var out []client.Object
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		gvk := u.GroupVersionKind()
		if gvk.Group == v1beta1.SchemeGroupVersion.Group && gvk.Kind == "InferenceService" {
			continue // applied one by one below
		}
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

func checkKServe(in input) ([]*Verdict, []map[string]interface{}) {
	var verdicts []*Verdict
	var derived []map[string]interface{}
	var isvcs []map[string]interface{}
	for _, o := range in.Objects {
		if a, k := kindOf(o); k == "InferenceService" && schema.FromAPIVersionAndKind(a, k).Group == v1beta1.SchemeGroupVersion.Group {
			isvcs = append(isvcs, o)
		}
	}
	if len(isvcs) == 0 {
		return nil, nil
	}
	if in.KServe.ConfigMap == nil {
		fatal(fmt.Errorf("the stack has InferenceServices but no kserve.configMap (inferenceservice-config) was given"))
	}
	cm := &corev1.ConfigMap{}
	if err := convert(in.KServe.ConfigMap, cm); err != nil {
		fatal(fmt.Errorf("kserve.configMap: %w", err))
	}
	cm.Name = constants.InferenceServiceConfigMapName
	cm.Namespace = constants.KServeNamespace

	s := newScheme()
	base := typedObjects(s, in.Objects)
	for _, r := range in.KServe.Runtimes {
		csr := &kservev1alpha1.ClusterServingRuntime{}
		if err := convert(r, csr); err != nil {
			fatal(fmt.Errorf("kserve.runtimes: %w", err))
		}
		base = append(base, csr)
	}

	for _, o := range isvcs {
		v := newVerdict(vKServeWebhook, o)
		b := newVerdict(vKServeBuild, o)
		verdicts = append(verdicts, v, b)
		isvc := &v1beta1.InferenceService{}
		if err := convert(o, isvc); err != nil {
			v.fail(fmt.Errorf("decode: %w", err))
			continue
		}
		var ok bool
		guard(v, func() { ok = admitISVC(v, isvc, cm) })
		if !ok {
			b.fail(fmt.Errorf("not built: the InferenceService webhooks rejected it"))
			continue
		}
		guard(b, func() {
			objs, err := reconcilePredictor(s, base, cm, isvc)
			b.fail(err)
			for _, d := range objs {
				m, err := toMap(d)
				if err != nil {
					b.fail(err)
					continue
				}
				b.Derived = append(b.Derived, m)
				derived = append(derived, m)
			}
		})
	}
	return verdicts, derived
}

// admitISVC runs what the API server's admission chain runs on create: the mutating webhook's
// defaulting with the inferenceservice-config, then the validating webhook.
func admitISVC(v *Verdict, isvc *v1beta1.InferenceService, cm *corev1.ConfigMap) bool {
	isvcConfig, err := v1beta1.NewInferenceServicesConfig(cm)
	if err != nil {
		v.fail(fmt.Errorf("inferenceservice-config: %w", err))
		return false
	}
	deployConfig, err := v1beta1.NewDeployConfig(cm)
	if err != nil {
		v.fail(fmt.Errorf("inferenceservice-config deploy: %w", err))
		return false
	}
	securityConfig, err := v1beta1.NewSecurityConfig(cm)
	if err != nil {
		v.fail(fmt.Errorf("inferenceservice-config security: %w", err))
		return false
	}
	isvc.DefaultInferenceService(isvcConfig, deployConfig, securityConfig, nil, nil)
	warnings, err := (&v1beta1.InferenceServiceValidator{}).ValidateCreate(context.Background(), isvc)
	v.Warnings = append(v.Warnings, warnings...)
	v.fail(err)
	return err == nil
}

// reconcilePredictor runs KServe's predictor reconciler as the InferenceService controller does
// (pkg/controller/v1beta1/inferenceservice/controller.go: config, deployment mode, predictor) and
// returns what it created.
func reconcilePredictor(s *runtime.Scheme, base []client.Object, cm *corev1.ConfigMap, isvc *v1beta1.InferenceService) ([]client.Object, error) {
	ctx := context.Background()
	isvcConfig, err := v1beta1.NewInferenceServicesConfig(cm)
	if err != nil {
		return nil, err
	}
	deployConfig, err := v1beta1.NewDeployConfig(cm)
	if err != nil {
		return nil, err
	}
	var objs []client.Object
	var rtObjs []runtime.Object
	for _, o := range base {
		objs = append(objs, o.DeepCopyObject().(client.Object))
		if o.GetObjectKind().GroupVersionKind().Group == "" || isCore(o) {
			rtObjs = append(rtObjs, o.DeepCopyObject())
		}
	}
	rtObjs = append(rtObjs, cm.DeepCopy())
	isvc = isvc.DeepCopy()
	isvc.UID = "00000000-0000-0000-0000-000000000001"
	isvc.Generation = 1
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(append(objs, isvc)...).WithStatusSubresource(isvc).Build()
	cs := k8sfake.NewSimpleClientset(rtObjs...)

	annotations := map[string]string{}
	for k, val := range isvc.Annotations {
		annotations[k] = val
	}
	mode := isvcutils.GetDeploymentMode(isvc.Status.DeploymentMode, annotations, deployConfig)
	if _, err := components.NewPredictor(c, cs, s, isvcConfig, mode).Reconcile(ctx, isvc); err != nil {
		return nil, err
	}
	var out []client.Object
	lists := []client.ObjectList{&appsv1.DeploymentList{}, &corev1.ServiceList{}, &autoscalingv2.HorizontalPodAutoscalerList{}, &kedav1alpha1.ScaledObjectList{}, &knservingv1.ServiceList{}}
	for _, l := range lists {
		if err := c.List(ctx, l, client.InNamespace(isvc.Namespace)); err != nil {
			return nil, err
		}
		items, err := itemsOf(s, l)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if isOwnedBy(it, isvc) {
				out = append(out, it)
			}
		}
	}
	return out, nil
}

func isCore(o client.Object) bool {
	switch o.(type) {
	case *corev1.Secret, *corev1.ServiceAccount, *corev1.ConfigMap, *corev1.Namespace:
		return true
	}
	return false
}

func isOwnedBy(o client.Object, isvc *v1beta1.InferenceService) bool {
	for _, r := range o.GetOwnerReferences() {
		if r.UID == isvc.UID {
			return true
		}
	}
	return false
}

// itemsOf returns the items of a typed list with apiVersion/kind set (the fake client leaves
// TypeMeta empty on typed objects).
func itemsOf(s *runtime.Scheme, l client.ObjectList) ([]client.Object, error) {
	var out []client.Object
	add := func(o client.Object) error {
		gvks, _, err := s.ObjectKinds(o)
		if err != nil {
			return err
		}
		o.GetObjectKind().SetGroupVersionKind(gvks[0])
		out = append(out, o)
		return nil
	}
	switch t := l.(type) {
	case *appsv1.DeploymentList:
		for i := range t.Items {
			if err := add(&t.Items[i]); err != nil {
				return nil, err
			}
		}
	case *corev1.ServiceList:
		for i := range t.Items {
			if err := add(&t.Items[i]); err != nil {
				return nil, err
			}
		}
	case *autoscalingv2.HorizontalPodAutoscalerList:
		for i := range t.Items {
			if err := add(&t.Items[i]); err != nil {
				return nil, err
			}
		}
	case *kedav1alpha1.ScaledObjectList:
		for i := range t.Items {
			if err := add(&t.Items[i]); err != nil {
				return nil, err
			}
		}
	case *knservingv1.ServiceList:
		for i := range t.Items {
			if err := add(&t.Items[i]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
