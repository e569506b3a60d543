package main

// Knative Serving v0.47.0 (= Knative 1.20.0, what knative-operator v1.20.0 installs): the Service
// admission webhook's defaulting and validation (pkg/apis/serving/v1 Service.SetDefaults/Validate)
// on every Knative Service KServe's reconciler built, with the config-features / config-defaults /
// config-autoscaler the stack's KnativeServing CR sets (spec.config.<name>, merged by the operator
// into the config-<name> ConfigMaps; absent keys keep Knative's defaults).

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"knative.dev/pkg/apis"
	apiconfig "knative.dev/serving/pkg/apis/config"
	knservingv1 "knative.dev/serving/pkg/apis/serving/v1"
	autoscalerconfig "knative.dev/serving/pkg/autoscaler/config"
)

const vKnative = "knative serving@v0.47.0 Service webhook (default + validate)"

type knativeConfig struct {
	found bool
	data  map[string]map[string]string
	err   error
}

// knativeConfigFrom reads spec.config of the stack's KnativeServing (operator.knative.dev).
func knativeConfigFrom(objs []map[string]interface{}) knativeConfig {
	kc := knativeConfig{data: map[string]map[string]string{}}
	for _, o := range objs {
		a, k := kindOf(o)
		if k != "KnativeServing" || schema.FromAPIVersionAndKind(a, k).Group != "operator.knative.dev" {
			continue
		}
		kc.found = true
		cfg, _, err := unstructured.NestedMap(o, "spec", "config")
		if err != nil {
			kc.err = err
			return kc
		}
		for name, v := range cfg {
			m, ok := v.(map[string]interface{})
			if !ok {
				kc.err = fmt.Errorf("spec.config.%s is not a map", name)
				return kc
			}
			kc.data[name] = map[string]string{}
			for key, val := range m {
				s, ok := val.(string)
				if !ok {
					kc.err = fmt.Errorf("spec.config.%s.%s is %T, ConfigMap data must be strings", name, key, val)
					return kc
				}
				kc.data[name][key] = s
			}
		}
	}
	return kc
}

func (kc knativeConfig) context() (context.Context, error) {
	if kc.err != nil {
		return nil, kc.err
	}
	features, err := apiconfig.NewFeaturesConfigFromMap(kc.data["features"])
	if err != nil {
		return nil, fmt.Errorf("config-features: %w", err)
	}
	defaults, err := apiconfig.NewDefaultsConfigFromMap(kc.data["defaults"])
	if err != nil {
		return nil, fmt.Errorf("config-defaults: %w", err)
	}
	as, err := autoscalerconfig.NewConfigFromMap(kc.data["autoscaler"])
	if err != nil {
		return nil, fmt.Errorf("config-autoscaler: %w", err)
	}
	ctx := apiconfig.ToContext(context.Background(), &apiconfig.Config{Features: features, Defaults: defaults, Autoscaler: as})
	return apis.WithinCreate(ctx), nil
}

func checkKnative(derived []map[string]interface{}, kc knativeConfig) []*Verdict {
	var verdicts []*Verdict
	for _, o := range derived {
		a, k := kindOf(o)
		if k != "Service" || schema.FromAPIVersionAndKind(a, k).Group != knservingv1.SchemeGroupVersion.Group {
			continue
		}
		v := newVerdict(vKnative, o)
		verdicts = append(verdicts, v)
		if !kc.found {
			v.fail(fmt.Errorf("the stack builds a Knative Service but has no KnativeServing: nothing would serve it"))
			continue
		}
		ctx, err := kc.context()
		if err != nil {
			v.fail(err)
			continue
		}
		ksvc := &knservingv1.Service{}
		if err := convert(o, ksvc); err != nil {
			v.fail(fmt.Errorf("decode: %w", err))
			continue
		}
		guard(v, func() {
			ksvc.SetDefaults(ctx)
			// As knative.dev/pkg's admission webhook does (webhook/resourcesemantics/validation):
			// error-level field errors reject, warning-level ones come back as warnings.
			fe := ksvc.Validate(ctx)
			if errs := fe.Filter(apis.ErrorLevel); errs != nil {
				for _, e := range errs.WrappedErrors() {
					v.fail(e)
				}
				if len(errs.WrappedErrors()) == 0 {
					v.fail(errs)
				}
			}
			if warns := fe.Filter(apis.WarningLevel); warns != nil {
				for _, w := range warns.WrappedErrors() {
					v.Warnings = append(v.Warnings, w.Error())
				}
			}
		})
	}
	return verdicts
}
