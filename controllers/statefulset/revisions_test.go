package statefulset

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/internal/history"
)

// defaultedSet is a set as the API returns it after defaulting.
func defaultedSet() *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "test", Namespace: "default", UID: "ec335e25-1045-4216-8634-50cfbe05f3d6"},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "foo"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "foo"}, Annotations: map[string]string{"test": "value"}},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name: "test", Image: "test", ImagePullPolicy: corev1.PullAlways,
						TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
					}},
					DNSPolicy:                     corev1.DNSClusterFirst,
					RestartPolicy:                 corev1.RestartPolicyAlways,
					SchedulerName:                 "default-scheduler",
					SecurityContext:               &corev1.PodSecurityContext{},
					TerminationGracePeriodSeconds: ptr.To[int64](30),
				},
			},
		},
	}
}

func TestNewRevisionName(t *testing.T) {
	// The name upstream's controller gives this set's first revision (checked against a
	// revision kube-controller-manager 1.34 stored).
	var cc int32
	rev, err := newRevision(defaultedSet(), 1, &cc)
	if err != nil {
		t.Fatal(err)
	}
	if rev.Name != "test-776999688b" {
		t.Errorf("revision name = %s, want test-776999688b", rev.Name)
	}
	if rev.Labels[history.HashLabel] != "776999688b" || rev.Labels["app"] != "foo" {
		t.Errorf("labels = %v", rev.Labels)
	}
	if !strings.HasPrefix(string(rev.Data.Raw), `{"spec":{"template":{"$patch":"replace",`) {
		t.Errorf("data = %s", rev.Data.Raw)
	}
	if ref := metav1.GetControllerOf(rev); ref == nil || ref.Name != "test" {
		t.Errorf("owner = %+v", ref)
	}
}

func TestApplyRevision(t *testing.T) {
	old := defaultedSet()
	var cc int32
	rev, err := newRevision(old, 1, &cc)
	if err != nil {
		t.Fatal(err)
	}
	changed := old.DeepCopy()
	changed.Spec.Template.Spec.Containers[0].Image = "new"
	changed.Spec.Template.Labels["extra"] = "x"
	changed.Spec.Replicas = ptr.To[int32](5)

	restored, err := applyRevision(changed, rev)
	if err != nil {
		t.Fatal(err)
	}
	if got := restored.Spec.Template.Spec.Containers[0].Image; got != "test" {
		t.Errorf("image = %s, want the revision's", got)
	}
	if _, ok := restored.Spec.Template.Labels["extra"]; ok {
		t.Error("the revision's template should replace the labels wholesale")
	}
	if *restored.Spec.Replicas != 5 {
		t.Errorf("replicas = %d, want the set's own", *restored.Spec.Replicas)
	}
	if changed.Spec.Template.Spec.Containers[0].Image != "new" {
		t.Error("applyRevision changed its argument")
	}
	if !matchesLatest(old, rev, rev) {
		t.Error("a revision should match itself")
	}
	changedRev, _ := newRevision(changed, 2, &cc)
	if matchesLatest(changed, changedRev, rev) {
		t.Error("a changed template should not match the old revision")
	}
}
