// Command kserve runs KServe v0.20.0's own code on the InferenceServices a stack generates
// (verification level 4, see docs/conformance.md "Component validators"): the mutating webhook's
// defaulting and the validating webhook, then the predictor reconciler against a fake API server.
// It is a separate Go module from ../keda-knative-kuberay because KServe v0.20.0 is built against
// controller-runtime v0.22 and KEDA v2.18 (its own pins), KEDA v2.20.2 against v0.23; what KServe
// builds (ScaledObject, Knative Service, Deployment, HPA) goes on to that binary.
//
// stdin: {"objects": [<every object of one stack, as applied>], "kserve": {"configMap":
// <inferenceservice-config ConfigMap>, "runtimes": [<ClusterServingRuntime>...]}}
//
// stdout: {"versions": {module: version}, "verdicts": [{validator, kind, namespace, name, errors,
// warnings, derived}]} — two verdicts per InferenceService (webhooks; reconciler, whose `derived`
// holds the objects it created). Exit 0 whenever verdicts could be produced: a verdict with errors
// is a finding.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"go.uber.org/zap/zapcore"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

type input struct {
	Objects []map[string]interface{} `json:"objects"`
	KServe  struct {
		ConfigMap map[string]interface{}   `json:"configMap"`
		Runtimes  []map[string]interface{} `json:"runtimes"`
	} `json:"kserve"`
}

var modules = []string{"github.com/kserve/kserve", "github.com/kedacore/keda/v2", "knative.dev/serving", "k8s.io/api", "sigs.k8s.io/controller-runtime"}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--versions" {
		_ = json.NewEncoder(os.Stdout).Encode(versions(modules...))
		return
	}
	logf.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapcore.ErrorLevel)))
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fatal(err)
	}
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		fatal(fmt.Errorf("stdin is not the expected JSON document: %w", err))
	}
	verdicts, _ := checkKServe(in)
	writeVerdicts(versions(modules...), verdicts)
}
