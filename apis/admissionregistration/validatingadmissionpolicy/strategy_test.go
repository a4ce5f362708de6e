package validatingadmissionpolicy

import (
	"context"
	"testing"
)

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	p := valid()
	p.Status.ObservedGeneration = 7
	Strategy.PrepareForCreate(ctx, p)
	if p.Generation != 1 || p.Status.ObservedGeneration != 0 {
		t.Fatalf("create must start at generation 1 without status: %+v", p)
	}

	upd := p.DeepCopy()
	upd.Status.ObservedGeneration = 3
	upd.Spec.Validations[0].Message = "changed"
	Strategy.PrepareForUpdate(ctx, upd, p)
	if upd.Generation != 2 || upd.Status.ObservedGeneration != 0 {
		t.Fatalf("update must bump the generation and keep the status: %+v", upd)
	}

	st := upd.DeepCopy()
	st.Status.ObservedGeneration = 2
	st.Spec.Validations = nil
	st.Labels = map[string]string{"a": "b"}
	StatusStrategy.PrepareForUpdate(ctx, st, upd)
	if st.Status.ObservedGeneration != 2 || len(st.Spec.Validations) != 1 || st.Labels != nil || st.Generation != 2 {
		t.Fatalf("status writes change only the status: %+v", st)
	}
	if Strategy.AllowUnconditionalUpdate(ctx) || StatusStrategy.AllowUnconditionalUpdate(ctx) {
		t.Fatal("updates must carry a resourceVersion")
	}
	if _, ok := Strategy.GetResetFields()["admissionregistration.k8s.io/v1"]; !ok {
		t.Fatal("no reset fields for v1")
	}
}
