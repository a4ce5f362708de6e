package fieldpath

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestContainerResource(t *testing.T) {
	q := resource.MustParse
	alloc := corev1.ResourceList{corev1.ResourceCPU: q("4"), corev1.ResourceMemory: q("8Gi"), corev1.ResourceEphemeralStorage: q("100Gi")}
	pod := &corev1.Pod{Spec: corev1.PodSpec{
		Containers: []corev1.Container{
			{Name: "app", Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: q("250m"), corev1.ResourceMemory: q("64Mi"), "hugepages-2Mi": q("4Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: q("1500m"), corev1.ResourceMemory: q("0")},
			}},
			{Name: "side"},
		},
		InitContainers: []corev1.Container{{Name: "init", Resources: corev1.ResourceRequirements{
			Limits: corev1.ResourceList{corev1.ResourceMemory: q("1Gi")},
		}}},
	}}
	withPodLimits := pod.DeepCopy()
	withPodLimits.Spec.Resources = &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: q("2")}}
	tests := []struct {
		name, resource, container string
		pod                       *corev1.Pod
		divisor                   string
		want, wantErr             string
	}{
		{name: "cpu limit rounds up to cores", resource: "limits.cpu", want: "2"},
		{name: "cpu limit in millicores", resource: "limits.cpu", divisor: "1m", want: "1500"},
		{name: "cpu request rounds up", resource: "requests.cpu", want: "1"},
		{name: "memory request in Mi", resource: "requests.memory", divisor: "1Mi", want: "64"},
		{name: "zero memory limit is allocatable", resource: "limits.memory", want: "8589934592"},
		{name: "unset ephemeral limit is allocatable in Gi", resource: "limits.ephemeral-storage", divisor: "1Gi", want: "100"},
		{name: "unset request is zero", resource: "requests.ephemeral-storage", want: "0"},
		{name: "hugepages request", resource: "requests.hugepages-2Mi", divisor: "1Mi", want: "4"},
		{name: "hugepages limit not defaulted", resource: "limits.hugepages-2Mi", want: "0"},
		{name: "named container", resource: "limits.cpu", container: "side", want: "4"},
		{name: "named init container", resource: "limits.memory", container: "init", divisor: "1Mi", want: "1024"},
		{name: "pod-level limit caps default", resource: "limits.cpu", container: "side", pod: withPodLimits, want: "2"},
		{name: "missing container", resource: "limits.cpu", container: "nope", wantErr: "container nope not found"},
		{name: "unsupported", resource: "limits.gpu", wantErr: "unsupported container resource : limits.gpu"},
		{name: "unsupported kind", resource: "cpu", wantErr: "unsupported container resource : cpu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pod
			if tt.pod != nil {
				p = tt.pod
			}
			sel := &corev1.ResourceFieldSelector{Resource: tt.resource, ContainerName: tt.container}
			if tt.divisor != "" {
				sel.Divisor = q(tt.divisor)
			}
			got, err := ContainerResource(sel, p, &p.Spec.Containers[0], alloc)
			checkResult(t, got, err, tt.want, tt.wantErr)
		})
	}
	if m := pod.Spec.Containers[0].Resources.Limits[corev1.ResourceMemory]; !m.IsZero() {
		t.Error("ContainerResource changed the pod's limits")
	}
}
