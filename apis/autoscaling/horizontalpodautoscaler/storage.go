package horizontalpodautoscaler

import (
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the horizontalpodautoscalers resource with its status subresource. It
// stores autoscaling/v2 objects; the v1 API serves the same storage (see NewVersionedStorage).
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   autoscalingv2.Resource("horizontalpodautoscalers"),
		Singular:   "horizontalpodautoscaler",
		New:        func() runtime.Object { return &autoscalingv2.HorizontalPodAutoscaler{} },
		NewList:    func() runtime.Object { return &autoscalingv2.HorizontalPodAutoscalerList{} },
		Strategy:   Strategy,
		ShortNames: []string{"hpa"},
		Categories: []string{"all"},
		Table:      table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"horizontalpodautoscalers":        store,
		"horizontalpodautoscalers/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}

// NewVersionedStorage serves one store of HorizontalPodAutoscalers at autoscaling/v2 and v1,
// as upstream does: the request's version is converted to and from the stored v2 objects.
func NewVersionedStorage(optsGetter generic.RESTOptionsGetter) (registry.VersionedStorage, error) {
	resources, err := NewStorage(optsGetter)
	if err != nil {
		return nil, err
	}
	return registry.VersionedStorage{"v2": resources, "v1": resources}, nil
}

var table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Reference", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["scaleTargetRef"]},
		{Name: "Targets", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["metrics"]},
		{Name: "MinPods", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["minReplicas"]},
		{Name: "MaxPods", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["maxReplicas"]},
		{Name: "Replicas", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerStatus{}.SwaggerDoc()["currentReplicas"]},
		registry.AgeColumn,
	},
	Row: func(obj runtime.Object) ([]any, error) {
		hpa := obj.(*autoscalingv2.HorizontalPodAutoscaler)
		minPods := "<unset>"
		if hpa.Spec.MinReplicas != nil {
			minPods = fmt.Sprintf("%d", *hpa.Spec.MinReplicas)
		}
		return []any{
			fmt.Sprintf("%s/%s", hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name),
			formatMetrics(hpa.Spec.Metrics, hpa.Status.CurrentMetrics),
			minPods, int64(hpa.Spec.MaxReplicas), int64(hpa.Status.CurrentReplicas), registry.AgeOf(hpa),
		}, nil
	},
}

// formatMetrics renders up to two metrics as "current/target" the way kubectl shows them.
func formatMetrics(specs []autoscalingv2.MetricSpec, statuses []autoscalingv2.MetricStatus) string {
	if len(specs) == 0 {
		return "<none>"
	}
	var list []string
	for i, spec := range specs {
		var status *autoscalingv2.MetricStatus
		if i < len(statuses) {
			status = &statuses[i]
		}
		list = append(list, formatMetric(&spec, status))
	}
	const shown = 2
	if len(list) > shown {
		return fmt.Sprintf("%s + %d more...", strings.Join(list[:shown], ", "), len(list)-shown)
	}
	return strings.Join(list, ", ")
}

func formatMetric(spec *autoscalingv2.MetricSpec, status *autoscalingv2.MetricStatus) string {
	current := "<unknown>"
	switch spec.Type {
	case autoscalingv2.ExternalMetricSourceType:
		if spec.External.Target.AverageValue != nil {
			if status != nil && status.External != nil && status.External.Current.AverageValue != nil {
				current = status.External.Current.AverageValue.String()
			}
			return fmt.Sprintf("%s/%s (avg)", current, spec.External.Target.AverageValue.String())
		}
		if status != nil && status.External != nil {
			current = status.External.Current.Value.String()
		}
		return fmt.Sprintf("%s/%s", current, spec.External.Target.Value.String())
	case autoscalingv2.PodsMetricSourceType:
		if status != nil && status.Pods != nil {
			current = status.Pods.Current.AverageValue.String()
		}
		return fmt.Sprintf("%s/%s", current, spec.Pods.Target.AverageValue.String())
	case autoscalingv2.ObjectMetricSourceType:
		if spec.Object.Target.AverageValue != nil {
			if status != nil && status.Object != nil && status.Object.Current.AverageValue != nil {
				current = status.Object.Current.AverageValue.String()
			}
			return fmt.Sprintf("%s/%s (avg)", current, spec.Object.Target.AverageValue.String())
		}
		if status != nil && status.Object != nil {
			current = status.Object.Current.Value.String()
		}
		return fmt.Sprintf("%s/%s", current, spec.Object.Target.Value.String())
	case autoscalingv2.ResourceMetricSourceType:
		if spec.Resource.Target.AverageValue != nil {
			if status != nil && status.Resource != nil {
				current = status.Resource.Current.AverageValue.String()
			}
			return fmt.Sprintf("%s: %s/%s", spec.Resource.Name, current, spec.Resource.Target.AverageValue.String())
		}
		if status != nil && status.Resource != nil && status.Resource.Current.AverageUtilization != nil {
			current = fmt.Sprintf("%d%%", *status.Resource.Current.AverageUtilization)
		}
		return fmt.Sprintf("%s: %s/%s", spec.Resource.Name, current, utilization(spec.Resource.Target.AverageUtilization))
	case autoscalingv2.ContainerResourceMetricSourceType:
		cr := spec.ContainerResource
		if cr.Target.AverageValue != nil {
			if status != nil && status.ContainerResource != nil {
				current = status.ContainerResource.Current.AverageValue.String()
			}
			return fmt.Sprintf("%s: %s/%s", cr.Name, current, cr.Target.AverageValue.String())
		}
		if status != nil && status.ContainerResource != nil && status.ContainerResource.Current.AverageUtilization != nil {
			current = fmt.Sprintf("%d%%", *status.ContainerResource.Current.AverageUtilization)
		}
		return fmt.Sprintf("%s: %s/%s", cr.Name, current, utilization(cr.Target.AverageUtilization))
	}
	return "<unknown type>"
}

func utilization(target *int32) string {
	if target == nil {
		return "<auto>"
	}
	return fmt.Sprintf("%d%%", *target)
}
