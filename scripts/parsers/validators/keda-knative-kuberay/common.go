// Shared by the two validator binaries (kserve/ and keda-knative-kuberay/ are separate Go modules
// because their pinned components need different controller-runtime releases, so this file is kept
// identical in both; test/parsers/validators.test.ts fails when the copies differ).

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Verdict is one validator's answer on one object.
type Verdict struct {
	Validator string                   `json:"validator"`
	Kind      string                   `json:"kind"`
	Namespace string                   `json:"namespace,omitempty"`
	Name      string                   `json:"name"`
	Errors    []string                 `json:"errors"`
	Warnings  []string                 `json:"warnings,omitempty"`
	Derived   []map[string]interface{} `json:"derived,omitempty"`
	// Info carries what the validator computed that a test may assert on (e.g. the HPA metric
	// target KEDA's Prometheus scaler emits).
	Info map[string]interface{} `json:"info,omitempty"`
}

func newVerdict(validator string, obj map[string]interface{}) *Verdict {
	u := unstructured.Unstructured{Object: obj}
	return &Verdict{Validator: validator, Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(), Errors: []string{}}
}

func (v *Verdict) fail(err error) {
	if err != nil {
		v.Errors = append(v.Errors, err.Error())
	}
}

// guard turns a panic inside a component's code into an error verdict (the component would crash
// its webhook/controller on the same input, which is a finding too).
func guard(v *Verdict, f func()) {
	defer func() {
		if r := recover(); r != nil {
			v.Errors = append(v.Errors, fmt.Sprintf("panic in component code: %v\n%s", r, debug.Stack()))
		}
	}()
	f()
}

// versions of the given modules compiled in, from the build info (module@version, replacements
// resolved).
func versions(paths ...string) map[string]string {
	out := map[string]string{}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return out
	}
	for _, d := range bi.Deps {
		for _, p := range paths {
			if d.Path != p {
				continue
			}
			v := d.Version
			if d.Replace != nil {
				v = d.Replace.Version
			}
			out[d.Path] = v
		}
	}
	return out
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "validators: %v\n", err)
	os.Exit(2)
}

func kindOf(o map[string]interface{}) (apiVersion, kind string) {
	a, _ := o["apiVersion"].(string)
	k, _ := o["kind"].(string)
	return a, k
}

// convert round-trips an unstructured object into a typed one.
func convert(obj map[string]interface{}, into interface{}) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

func toMap(obj interface{}) (map[string]interface{}, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]interface{}
	return m, json.Unmarshal(b, &m)
}

// writeVerdicts prints {"versions": ..., "verdicts": [...]} on stdout.
func writeVerdicts(vers map[string]string, out []*Verdict) {
	if out == nil {
		out = []*Verdict{}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(map[string]interface{}{"versions": vers, "verdicts": out}); err != nil {
		fatal(err)
	}
}
