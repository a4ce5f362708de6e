package lease

import (
	"context"
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validLease() *coordinationv1.Lease {
	return &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-scheduler", Namespace: "kube-system", ResourceVersion: "1"},
		Spec: coordinationv1.LeaseSpec{
			HolderIdentity: ptr.To("node-1"), LeaseDurationSeconds: ptr.To[int32](15), LeaseTransitions: ptr.To[int32](0),
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*coordinationv1.Lease)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*coordinationv1.Lease) {}},
		{name: "zero duration", mutate: func(l *coordinationv1.Lease) { l.Spec.LeaseDurationSeconds = ptr.To[int32](0) }, field: "spec.leaseDurationSeconds", typ: field.ErrorTypeInvalid},
		{name: "negative transitions", mutate: func(l *coordinationv1.Lease) { l.Spec.LeaseTransitions = ptr.To[int32](-1) }, field: "spec.leaseTransitions", typ: field.ErrorTypeInvalid},
		{name: "unknown strategy", mutate: func(l *coordinationv1.Lease) {
			l.Spec.Strategy = ptr.To(coordinationv1.CoordinatedLeaseStrategy("Newest"))
		}, field: "spec.strategy.strategy", typ: field.ErrorTypeNotSupported},
		{name: "custom strategy", mutate: func(l *coordinationv1.Lease) {
			l.Spec.Strategy = ptr.To(coordinationv1.CoordinatedLeaseStrategy("example.com/mine"))
		}},
		{name: "preferred holder without strategy", mutate: func(l *coordinationv1.Lease) { l.Spec.PreferredHolder = ptr.To("x") }, field: "spec.preferredHolder", typ: field.ErrorTypeForbidden},
		{name: "bad name", mutate: func(l *coordinationv1.Lease) { l.Name = "Lease" }, field: "metadata.name", typ: field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := validLease()
			tc.mutate(l)
			errs := Validate(l)
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field || errs[0].Type != tc.typ {
				t.Fatalf("want %s at %s, got %v", tc.typ, tc.field, errs)
			}
		})
	}
}

func TestStrategyDropsCoordinatedFields(t *testing.T) {
	l := validLease()
	l.Spec.Strategy = ptr.To(coordinationv1.OldestEmulationVersion)
	l.Spec.PreferredHolder = ptr.To("node-2")
	Strategy.PrepareForCreate(context.Background(), l)
	if l.Spec.Strategy != nil || l.Spec.PreferredHolder != nil {
		t.Fatal("strategy and preferredHolder must be dropped while CoordinatedLeaderElection is off")
	}
	old := validLease()
	old.Spec.Strategy = ptr.To(coordinationv1.OldestEmulationVersion)
	upd := old.DeepCopy()
	upd.Spec.PreferredHolder = ptr.To("node-2")
	Strategy.PrepareForUpdate(context.Background(), upd, old)
	if upd.Spec.Strategy == nil || upd.Spec.PreferredHolder != nil {
		t.Fatalf("update keeps only what the stored lease had: %+v", upd.Spec)
	}
}
