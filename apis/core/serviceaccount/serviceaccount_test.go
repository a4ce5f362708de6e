package serviceaccount

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "sa", Namespace: "ns",
		Annotations: map[string]string{enforceMountableSecretsAnnotation: "true"}},
		Secrets: []corev1.ObjectReference{{Name: "s", Namespace: "other", UID: "u"}}}
	Strategy.PrepareForCreate(ctx, sa)
	if sa.Secrets[0] != (corev1.ObjectReference{Name: "s"}) {
		t.Fatalf("secret references: %+v", sa.Secrets)
	}
	if errs := Validate(sa); len(errs) != 0 {
		t.Fatal(errs)
	}
	if w := Strategy.WarningsOnCreate(ctx, sa); len(w) != 1 {
		t.Fatalf("warnings: %v", w)
	}
	if w := Strategy.WarningsOnUpdate(ctx, sa, sa); len(w) != 0 {
		t.Fatalf("warnings on unchanged annotation: %v", w)
	}
	if errs := Validate(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "Bad_Name", Namespace: "ns"}}); len(errs) != 1 || errs[0].Field != "metadata.name" {
		t.Fatalf("bad name: %v", errs)
	}
}
