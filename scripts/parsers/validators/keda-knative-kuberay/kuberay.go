package main

// KubeRay: the RayService controller's own spec validation
// (ray-operator/controllers/ray/utils/validation.go: ValidateRayServiceMetadata,
// ValidateRayServiceSpec, which runs ValidateRayClusterSpec on spec.rayClusterConfig) and, for
// RayClusters, ValidateRayClusterMetadata + ValidateRayClusterSpec.
//
// The chart pinned is kuberay-operator 1.7.0, but the Go module proxy refuses
// github.com/ray-project/kuberay/ray-operator@v1.7.0 (403, "This module version is not available");
// v1.6.0 is the newest release it serves, so that is what is compiled in. docs/conformance.md lists
// what v1.7.0's validation adds (checks on fields the project does not set).

import (
	"fmt"

	rayv1 "github.com/ray-project/kuberay/ray-operator/apis/ray/v1"
	rayutils "github.com/ray-project/kuberay/ray-operator/controllers/ray/utils"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	vRayService = "kuberay ray-operator@v1.6.0 RayService validation"
	vRayCluster = "kuberay ray-operator@v1.6.0 RayCluster validation"
)

func checkKubeRay(objs []map[string]interface{}) []*Verdict {
	var verdicts []*Verdict
	for _, o := range objs {
		a, k := kindOf(o)
		if schema.FromAPIVersionAndKind(a, k).Group != rayv1.GroupVersion.Group {
			continue
		}
		switch k {
		case "RayService":
			v := newVerdict(vRayService, o)
			verdicts = append(verdicts, v)
			rs := &rayv1.RayService{}
			if err := convert(o, rs); err != nil {
				v.fail(fmt.Errorf("decode: %w", err))
				continue
			}
			guard(v, func() {
				v.fail(rayutils.ValidateRayServiceMetadata(rs.ObjectMeta))
				v.fail(rayutils.ValidateRayServiceSpec(rs))
			})
		case "RayCluster":
			v := newVerdict(vRayCluster, o)
			verdicts = append(verdicts, v)
			rc := &rayv1.RayCluster{}
			if err := convert(o, rc); err != nil {
				v.fail(fmt.Errorf("decode: %w", err))
				continue
			}
			guard(v, func() {
				v.fail(rayutils.ValidateRayClusterMetadata(rc.ObjectMeta))
				v.fail(rayutils.ValidateRayClusterSpec(&rc.Spec, rc.Annotations))
			})
		}
	}
	return verdicts
}
