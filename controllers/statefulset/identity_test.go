package statefulset

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func testSet(name string, replicas int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: "set-uid"},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(replicas),
			ServiceName: "svc",
			Selector:    &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}},
			},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}}},
			UpdateStrategy:       appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
		},
	}
}

func TestParentAndOrdinal(t *testing.T) {
	tests := []struct {
		name, parent string
		ordinal      int
	}{
		{"web-0", "web", 0},
		{"web-12", "web", 12},
		{"my-app-3", "my-app", 3},
		{"web", "", -1},
		{"web-", "", -1},
		{"web-x", "", -1},
		{"web-99999999999", "web", -1}, // beyond int32
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, ordinal := parentAndOrdinal(tt.name)
			if parent != tt.parent || ordinal != tt.ordinal {
				t.Errorf("parentAndOrdinal(%q) = %q, %d; want %q, %d", tt.name, parent, ordinal, tt.parent, tt.ordinal)
			}
		})
	}
}

func TestOrdinalRange(t *testing.T) {
	tests := []struct {
		name     string
		start    *int32
		replicas int32
		pod      string
		want     bool
	}{
		{"first", nil, 3, "web-0", true},
		{"last", nil, 3, "web-2", true},
		{"beyond", nil, 3, "web-3", false},
		{"start shifts range", ptr.To[int32](5), 2, "web-6", true},
		{"below start", ptr.To[int32](5), 2, "web-4", false},
		{"zero replicas", nil, 0, "web-0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := testSet("web", tt.replicas)
			if tt.start != nil {
				set.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: *tt.start}
			}
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: tt.pod}}
			if got := inOrdinalRange(pod, set); got != tt.want {
				t.Errorf("inOrdinalRange(%s) = %v, want %v", tt.pod, got, tt.want)
			}
		})
	}
}

func TestNewPod(t *testing.T) {
	set := testSet("web", 3)
	set.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "data"}, {Name: "config"}}
	pod := newPod(set, 2)
	checks := map[string][2]string{
		"name":      {pod.Name, "web-2"},
		"namespace": {pod.Namespace, "ns"},
		"hostname":  {pod.Spec.Hostname, "web-2"},
		"subdomain": {pod.Spec.Subdomain, "svc"},
		"pod-name":  {pod.Labels[appsv1.StatefulSetPodNameLabel], "web-2"},
		"pod-index": {pod.Labels[appsv1.PodIndexLabel], "2"},
		"app":       {pod.Labels["app"], "web"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", what, c[0], c[1])
		}
	}
	if ref := metav1.GetControllerOf(pod); ref == nil || ref.Kind != "StatefulSet" || ref.UID != "set-uid" {
		t.Errorf("controller ref = %+v", ref)
	}
	if len(pod.Spec.Volumes) != 2 || pod.Spec.Volumes[0].PersistentVolumeClaim == nil ||
		pod.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "data-web-2" || pod.Spec.Volumes[1].Name != "config" {
		t.Errorf("volumes = %+v", pod.Spec.Volumes)
	}
	if !identityMatches(set, pod) || !storageMatches(set, pod) {
		t.Error("a new pod does not match its own identity and storage")
	}
	if set.Spec.Template.Labels[appsv1.StatefulSetPodNameLabel] != "" {
		t.Error("newPod changed the set's template")
	}
}

func TestMatches(t *testing.T) {
	set := testSet("web", 3)
	tests := []struct {
		name             string
		mutate           func(*corev1.Pod)
		identity, storge bool
	}{
		{"untouched", func(*corev1.Pod) {}, true, true},
		{"label removed", func(p *corev1.Pod) { delete(p.Labels, appsv1.StatefulSetPodNameLabel) }, false, true},
		{"other namespace", func(p *corev1.Pod) { p.Namespace = "other" }, false, true},
		{"claim renamed", func(p *corev1.Pod) { p.Spec.Volumes[0].PersistentVolumeClaim.ClaimName = "x" }, true, false},
		{"volume dropped", func(p *corev1.Pod) { p.Spec.Volumes = nil }, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := newPod(set, 1)
			tt.mutate(pod)
			if got := identityMatches(set, pod); got != tt.identity {
				t.Errorf("identityMatches = %v, want %v", got, tt.identity)
			}
			if got := storageMatches(set, pod); got != tt.storge {
				t.Errorf("storageMatches = %v, want %v", got, tt.storge)
			}
		})
	}
}

func TestClaimsFor(t *testing.T) {
	set := testSet("web", 1)
	set.Spec.VolumeClaimTemplates[0].Labels = map[string]string{"tier": "db"}
	claims := claimsFor(set, newPod(set, 0))
	c, ok := claims["data"]
	if !ok || c.Name != "data-web-0" || c.Namespace != "ns" {
		t.Fatalf("claims = %+v", claims)
	}
	if c.Labels["tier"] != "db" || c.Labels["app"] != "web" {
		t.Errorf("claim labels = %v, want template and selector labels", c.Labels)
	}
	if _, ok := set.Spec.VolumeClaimTemplates[0].Labels["app"]; ok {
		t.Error("claimsFor changed the template's labels")
	}
}

func TestNewVersionedPod(t *testing.T) {
	tests := []struct {
		name      string
		partition *int32
		current   int32 // status.currentReplicas
		ordinal   int
		want      string
	}{
		{"below partition keeps current", ptr.To[int32](2), 0, 1, "cur"},
		{"at partition takes update", ptr.To[int32](2), 0, 2, "upd"},
		{"no rollingUpdate: below currentReplicas", nil, 2, 1, "cur"},
		{"no rollingUpdate: beyond currentReplicas", nil, 2, 2, "upd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := testSet("web", 3)
			set.Status.CurrentReplicas = tt.current
			if tt.partition != nil {
				set.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{Partition: tt.partition}
			}
			pod := newVersionedPod(set, set, "cur", "upd", tt.ordinal)
			if got := podRevision(pod); got != tt.want {
				t.Errorf("revision = %q, want %q", got, tt.want)
			}
		})
	}
}
