package podtemplate

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skiff-sh/skiff/apis/core/defaults"
)

func TestValidate(t *testing.T) {
	tpl := &corev1.PodTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "tpl", Namespace: "ns", ResourceVersion: "1"},
		Template:   corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}},
	}
	defaults.SetObjectDefaults_PodTemplate(tpl)
	if errs := Validate(tpl); len(errs) != 0 {
		t.Fatalf("valid: %v", errs)
	}
	changed := tpl.DeepCopy()
	changed.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	if errs := ValidateUpdate(changed, tpl); len(errs) != 0 {
		t.Errorf("templates are mutable: %v", errs)
	}
	changed.Template.Spec.DNSPolicy = "bogus"
	changed.Name = "other"
	errs := ValidateUpdate(changed, tpl)
	if len(errs) != 2 || errs[0].Field != "metadata.name" || errs[1].Field != "template.spec.dnsPolicy" {
		t.Errorf("got %v", errs)
	}
	names, images := ContainerCells([]corev1.Container{{Name: "a", Image: "x"}, {Name: "b", Image: "y"}})
	if names != "a,b" || images != "x,y" {
		t.Errorf("cells %q %q", names, images)
	}
}
