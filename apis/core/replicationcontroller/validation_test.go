package replicationcontroller

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/core/defaults"
)

func validRC() *corev1.ReplicationController {
	rc := &corev1.ReplicationController{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", ResourceVersion: "1"},
		Spec: corev1.ReplicationControllerSpec{Template: &corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
		}},
	}
	defaults.SetObjectDefaults_ReplicationController(rc)
	return rc
}

func has(errs field.ErrorList, typ field.ErrorType, path string) bool {
	for _, e := range errs {
		if e.Type == typ && e.Field == path {
			return true
		}
	}
	return false
}

func TestValidate(t *testing.T) {
	if errs := Validate(validRC()); len(errs) != 0 {
		t.Fatalf("valid: %v", errs)
	}
	cases := []struct {
		name   string
		mutate func(rc *corev1.ReplicationController)
		typ    field.ErrorType
		field  string
	}{
		{"no selector", func(rc *corev1.ReplicationController) { rc.Spec.Selector = nil }, field.ErrorTypeRequired, "spec.selector"},
		{"selector mismatch", func(rc *corev1.ReplicationController) { rc.Spec.Selector = map[string]string{"app": "db"} }, field.ErrorTypeInvalid, "spec.template.metadata.labels"},
		{"no replicas", func(rc *corev1.ReplicationController) { rc.Spec.Replicas = nil }, field.ErrorTypeRequired, "spec.replicas"},
		{"negative replicas", func(rc *corev1.ReplicationController) { rc.Spec.Replicas = ptr.To[int32](-1) }, field.ErrorTypeInvalid, "spec.replicas"},
		{"negative minReadySeconds", func(rc *corev1.ReplicationController) { rc.Spec.MinReadySeconds = -1 }, field.ErrorTypeInvalid, "spec.minReadySeconds"},
		{"no template", func(rc *corev1.ReplicationController) { rc.Spec.Template = nil }, field.ErrorTypeRequired, "spec.template"},
		{"restart policy", func(rc *corev1.ReplicationController) {
			rc.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		}, field.ErrorTypeNotSupported, "spec.template.spec.restartPolicy"},
		{"active deadline", func(rc *corev1.ReplicationController) {
			rc.Spec.Template.Spec.ActiveDeadlineSeconds = ptr.To[int64](10)
		}, field.ErrorTypeForbidden, "spec.template.spec.activeDeadlineSeconds"},
		{"container", func(rc *corev1.ReplicationController) { rc.Spec.Template.Spec.Containers[0].Image = "" }, field.ErrorTypeRequired, "spec.template.spec.containers[0].image"},
		{"name", func(rc *corev1.ReplicationController) { rc.Name = "Web" }, field.ErrorTypeInvalid, "metadata.name"},
	}
	for _, tc := range cases {
		rc := validRC()
		tc.mutate(rc)
		if errs := Validate(rc); !has(errs, tc.typ, tc.field) {
			t.Errorf("%s: want %s at %s, got %v", tc.name, tc.typ, tc.field, errs)
		}
	}
}

func TestValidateStatusUpdate(t *testing.T) {
	old := validRC()
	rc := old.DeepCopy()
	rc.Status = corev1.ReplicationControllerStatus{Replicas: 2, ReadyReplicas: 3, AvailableReplicas: 1}
	errs := ValidateStatusUpdate(rc, old)
	if !has(errs, field.ErrorTypeInvalid, "status.readyReplicas") || len(errs) != 1 {
		t.Errorf("got %v", errs)
	}
	rc.Status.Replicas = -1
	if errs := ValidateStatusUpdate(rc, old); !has(errs, field.ErrorTypeInvalid, "status.replicas") {
		t.Errorf("negative replicas: %v", errs)
	}
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	rc := validRC()
	rc.Status.Replicas = 5
	Strategy.PrepareForCreate(ctx, rc)
	if rc.Status.Replicas != 0 || rc.Generation != 1 {
		t.Errorf("create: status %+v generation %d", rc.Status, rc.Generation)
	}
	old := rc.DeepCopy()
	rc.Spec.Replicas = ptr.To[int32](3)
	rc.Status.Replicas = 9
	Strategy.PrepareForUpdate(ctx, rc, old)
	if rc.Status.Replicas != 0 || rc.Generation != 2 {
		t.Errorf("update: status %+v generation %d", rc.Status, rc.Generation)
	}
	st := old.DeepCopy()
	st.Spec.Replicas = ptr.To[int32](7)
	st.Status.Replicas = 4
	StatusStrategy.PrepareForUpdate(ctx, st, old)
	if *st.Spec.Replicas != 1 || st.Status.Replicas != 4 {
		t.Errorf("status update: replicas %d status %d", *st.Spec.Replicas, st.Status.Replicas)
	}
	if Strategy.DefaultGarbageCollectionPolicy(ctx) != rest.OrphanDependents {
		t.Error("core/v1 RCs orphan their pods by default")
	}
	cells, _ := table.Row(old)
	if cells[0] != int64(1) || cells[4] != "app" || cells[5] != "nginx" || cells[6] != "app=web" {
		t.Errorf("row %v", cells)
	}
}
