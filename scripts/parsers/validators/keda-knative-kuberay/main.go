// Command keda-knative-kuberay runs KEDA v2.20.2's, Knative Serving v0.47.0's and KubeRay
// ray-operator v1.6.0's own validation code on Kubernetes objects (verification level 4, see
// docs/conformance.md "Component validators"). The KServe validator (../kserve) is a separate
// binary: KServe v0.20.0 is built against controller-runtime v0.22, KEDA v2.20.2 against v0.23.
//
// stdin: {"objects": [<every object of one stack, as applied, plus what KServe's reconciler built>]}
// stdout: {"versions": {module: version}, "verdicts": [{validator, kind, namespace, name, errors, warnings, info}]}
// — one verdict per (validator, object) for every ScaledObject, Knative Service, RayService and
// RayCluster in the input. Exit 0 whenever verdicts could be produced: a verdict with errors is a
// finding, not a crash.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"go.uber.org/zap/zapcore"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

var modules = []string{"github.com/kedacore/keda/v2", "knative.dev/serving", "knative.dev/networking", "knative.dev/pkg", "github.com/ray-project/kuberay/ray-operator", "k8s.io/api", "sigs.k8s.io/controller-runtime"}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--versions" {
		_ = json.NewEncoder(os.Stdout).Encode(versions(modules...))
		return
	}
	// Components log through controller-runtime; keep their logs on stderr, errors only.
	logf.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapcore.ErrorLevel)))

	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fatal(err)
	}
	var in struct {
		Objects []map[string]interface{} `json:"objects"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		fatal(fmt.Errorf("stdin is not the expected JSON document: %w", err))
	}
	var out []*Verdict
	out = append(out, checkKEDA(in.Objects)...)
	out = append(out, checkKnative(in.Objects, knativeConfigFrom(in.Objects))...)
	out = append(out, checkKubeRay(in.Objects)...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Validator != out[j].Validator {
			return out[i].Validator < out[j].Validator
		}
		return out[i].Name < out[j].Name
	})
	writeVerdicts(versions(modules...), out)
}
