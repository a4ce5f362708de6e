// Package registrytest has what the registries' table tests share: valid fixtures and
// assertions on validation errors.
package registrytest

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// PodTemplate returns a valid, defaulted pod template with labels and restart policy.
func PodTemplate(labels map[string]string, restart corev1.RestartPolicy) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{
			RestartPolicy:                 restart,
			DNSPolicy:                     corev1.DNSClusterFirst,
			TerminationGracePeriodSeconds: ptr.To[int64](30),
			Containers: []corev1.Container{{
				Name: "c", Image: "registry.example/app:1",
				ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			}},
		},
	}
}

// ExpectErrors fails unless errs holds exactly the wanted "<type> <field>" entries (in any
// order, e.g. "Required value spec.selector"); no wanted entries means no errors.
func ExpectErrors(t *testing.T, errs field.ErrorList, want ...string) {
	t.Helper()
	got := map[string]int{}
	for _, e := range errs {
		got[fmt.Sprintf("%s %s", e.Type, e.Field)]++
	}
	for _, w := range want {
		if got[w] == 0 {
			t.Errorf("missing error %q; got %v", w, errs)
			continue
		}
		got[w]--
	}
	for k, n := range got {
		if n > 0 {
			t.Errorf("unexpected error %q; all: %v", k, errs)
		}
	}
}
