package pod

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/core/defaults"
)

func resources(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func equalLists(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}

// The expectations are what kube-apiserver v1.37 stores for the same pods.
func TestDefaultPodLevelResources(t *testing.T) {
	tests := []struct {
		name                 string
		pod                  corev1.ResourceRequirements
		containers           []corev1.ResourceRequirements
		init                 []corev1.ResourceRequirements
		sidecar              bool
		wantReqs, wantLimits corev1.ResourceList
	}{
		{
			name:       "limits only: requests from containers, then from pod limits",
			pod:        corev1.ResourceRequirements{Limits: resources("cpu", "1", "memory", "256Mi")},
			containers: []corev1.ResourceRequirements{{Requests: resources("cpu", "100m")}, {Limits: resources("memory", "64Mi"), Requests: resources("memory", "64Mi")}},
			wantReqs:   resources("cpu", "100m", "memory", "64Mi"),
			wantLimits: resources("cpu", "1", "memory", "256Mi"),
		},
		{
			name:       "requests only: limits not defaulted unless every container limits",
			pod:        corev1.ResourceRequirements{Requests: resources("memory", "128Mi")},
			containers: []corev1.ResourceRequirements{{Requests: resources("cpu", "100m", "memory", "64Mi"), Limits: resources("cpu", "200m")}},
			wantReqs:   resources("cpu", "100m", "memory", "128Mi"),
			wantLimits: resources("cpu", "200m"),
		},
		{
			name:       "limit raised to the pod-level request",
			pod:        corev1.ResourceRequirements{Requests: resources("cpu", "2")},
			containers: []corev1.ResourceRequirements{{Requests: resources("cpu", "1"), Limits: resources("cpu", "1")}},
			wantReqs:   resources("cpu", "2"),
			wantLimits: resources("cpu", "2"),
		},
		{
			name:       "init containers and sidecars: max of the running sum and each init step",
			pod:        corev1.ResourceRequirements{Limits: resources("memory", "1Gi")},
			containers: []corev1.ResourceRequirements{{Requests: resources("cpu", "100m")}},
			init:       []corev1.ResourceRequirements{{Requests: resources("cpu", "50m")}, {Requests: resources("cpu", "500m")}},
			sidecar:    true,
			wantReqs:   resources("cpu", "550m", "memory", "1Gi"),
			wantLimits: resources("memory", "1Gi"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &corev1.PodSpec{Resources: tt.pod.DeepCopy()}
			for i, r := range tt.containers {
				spec.Containers = append(spec.Containers, corev1.Container{Name: string(rune('a' + i)), Resources: r})
			}
			for i, r := range tt.init {
				c := corev1.Container{Name: string(rune('m' + i)), Resources: r}
				if i == 0 && tt.sidecar {
					c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
				}
				spec.InitContainers = append(spec.InitContainers, c)
			}
			DefaultPodLevelResources(spec)
			if !equalLists(spec.Resources.Requests, tt.wantReqs) || !equalLists(spec.Resources.Limits, tt.wantLimits) {
				t.Errorf("requests %v limits %v, want %v %v", spec.Resources.Requests, spec.Resources.Limits, tt.wantReqs, tt.wantLimits)
			}
		})
	}
}

type recorder struct{ msgs []string }

func (r *recorder) AddWarning(_, text string) { r.msgs = append(r.msgs, text) }

func TestAppArmorAnnotationsSyncedOnCreate(t *testing.T) {
	pod := newPod()
	pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "side", Image: "nginx"}, corev1.Container{Name: "bad", Image: "nginx"})
	pod.Annotations = map[string]string{
		corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + "app":  "runtime/default",
		corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + "side": "localhost/my-profile",
		corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + "bad":  "localhost/",
	}
	defaults.SetObjectDefaults_Pod(pod)
	rec := &recorder{}
	Strategy.PrepareForCreate(warning.WithWarningRecorder(context.Background(), rec), pod)
	if p := pod.Spec.Containers[0].SecurityContext.AppArmorProfile; p == nil || p.Type != corev1.AppArmorProfileTypeRuntimeDefault {
		t.Errorf("app profile %+v", p)
	}
	if p := pod.Spec.Containers[1].SecurityContext.AppArmorProfile; p == nil || p.Type != corev1.AppArmorProfileTypeLocalhost || *p.LocalhostProfile != "my-profile" {
		t.Errorf("side profile %+v", p)
	}
	if pod.Spec.Containers[2].SecurityContext != nil {
		t.Errorf("an invalid annotation must not be copied: %+v", pod.Spec.Containers[2].SecurityContext)
	}
	if len(rec.msgs) != 3 || rec.msgs[0] != `metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: deprecated since v1.30; use the "appArmorProfile" field instead` {
		t.Errorf("warnings %q", rec.msgs)
	}
}
