// Package autoscaling serves the autoscaling API group in versions v2 (the hub) and v1.
package autoscaling

import (
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/errors"

	"github.com/skiff-sh/skiff/apis/autoscaling/defaults"
	"github.com/skiff-sh/skiff/apis/autoscaling/horizontalpodautoscaler"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the autoscaling group. v2 types are the hub; v1 HorizontalPodAutoscalers are
// converted to and from them. autoscaling/v1 Scale is the scale subresource's type of every group.
var Group = registry.Group{
	Name:     autoscalingv2.GroupName,
	Versions: []string{"v2", "v1"},
	Install: func() error {
		add := func(s *runtime.Scheme) error {
			return errors.NewAggregate([]error{autoscalingv2.AddToScheme(s), autoscalingv1.AddToScheme(s)})
		}
		if err := scheme.AddGroup(add, []schema.GroupVersion{autoscalingv2.SchemeGroupVersion, autoscalingv1.SchemeGroupVersion}, autoscalingv2.SchemeGroupVersion, autoscalingv1.SchemeGroupVersion); err != nil {
			return err
		}
		if err := horizontalpodautoscaler.RegisterConversions(scheme.Scheme); err != nil {
			return err
		}
		defaults.RegisterV1Defaults(scheme.Scheme)
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: horizontalpodautoscaler.NewVersionedStorage,
}
