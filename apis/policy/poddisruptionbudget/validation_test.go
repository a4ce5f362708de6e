package poddisruptionbudget

import (
	"context"
	"testing"

	"github.com/skiff-sh/skiff/apis/registry/registrytest"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func validPDB() *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", ResourceVersion: "1"},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: ptr.To(intstr.FromString("50%")),
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*policyv1.PodDisruptionBudget)
		want   []string
	}{
		{name: "valid", mutate: func(*policyv1.PodDisruptionBudget) {}},
		{name: "no selector", mutate: func(p *policyv1.PodDisruptionBudget) { p.Spec.Selector = nil }},
		{
			name: "maxUnavailable", mutate: func(p *policyv1.PodDisruptionBudget) {
				p.Spec.MinAvailable, p.Spec.MaxUnavailable = nil, ptr.To(intstr.FromInt32(1))
				p.Spec.UnhealthyPodEvictionPolicy = ptr.To(policyv1.AlwaysAllow)
			},
		},
		{name: "both", mutate: func(p *policyv1.PodDisruptionBudget) { p.Spec.MaxUnavailable = ptr.To(intstr.FromInt32(1)) }, want: []string{"Invalid value spec"}},
		{name: "over 100%", mutate: func(p *policyv1.PodDisruptionBudget) { p.Spec.MinAvailable = ptr.To(intstr.FromString("120%")) }, want: []string{"Invalid value spec.minAvailable"}},
		{name: "negative", mutate: func(p *policyv1.PodDisruptionBudget) { p.Spec.MinAvailable = ptr.To(intstr.FromInt32(-1)) }, want: []string{"Invalid value spec.minAvailable"}},
		{
			name: "bad selector value",
			mutate: func(p *policyv1.PodDisruptionBudget) {
				p.Spec.Selector.MatchLabels = map[string]string{"app": "not valid"}
			},
			want: []string{"Invalid value spec.selector.matchLabels"},
		},
		{
			name: "eviction policy",
			mutate: func(p *policyv1.PodDisruptionBudget) {
				p.Spec.UnhealthyPodEvictionPolicy = ptr.To(policyv1.UnhealthyPodEvictionPolicyType("Never"))
			},
			want: []string{"Unsupported value spec.unhealthyPodEvictionPolicy"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPDB()
			tt.mutate(p)
			registrytest.ExpectErrors(t, Validate(p, false), tt.want...)
		})
	}
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	p := validPDB()
	p.Spec.Selector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: v1beta1Label, Operator: metav1.LabelSelectorOpDoesNotExist}}
	Strategy.PrepareForCreate(ctx, p)
	if p.Generation != 1 || len(p.Spec.Selector.MatchExpressions) != 0 {
		t.Errorf("create: %+v", p)
	}
	matchNone := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: v1beta1Label, Operator: metav1.LabelSelectorOpExists}}}
	p2 := validPDB()
	p2.Spec.Selector = matchNone.DeepCopy()
	Strategy.PrepareForCreate(ctx, p2)
	if len(p2.Spec.Selector.MatchExpressions) != 1 {
		t.Errorf("match-none selector stripped: %+v", p2.Spec.Selector)
	}

	if Strategy.AllowUnconditionalUpdate(ctx) || StatusStrategy.AllowUnconditionalUpdate(ctx) {
		t.Error("PodDisruptionBudget updates need a resourceVersion")
	}

	old := p.DeepCopy()
	upd := old.DeepCopy()
	upd.Spec.MinAvailable = ptr.To(intstr.FromInt32(2))
	upd.Status.DisruptionsAllowed = 3
	Strategy.PrepareForUpdate(ctx, upd, old)
	if upd.Generation != 2 || upd.Status.DisruptionsAllowed != 0 {
		t.Errorf("update: %+v", upd)
	}

	upd = old.DeepCopy()
	upd.Spec.MinAvailable = ptr.To(intstr.FromInt32(2))
	upd.Status.DisruptionsAllowed = -1
	StatusStrategy.PrepareForUpdate(ctx, upd, old)
	if upd.Spec.MinAvailable.String() != "50%" {
		t.Errorf("status update changed spec: %+v", upd.Spec)
	}
	registrytest.ExpectErrors(t, StatusStrategy.ValidateUpdate(ctx, upd, old), "Invalid value status.disruptionsAllowed")
}

func TestValidateUpdateToleratesStoredSelector(t *testing.T) {
	old := validPDB()
	old.Spec.Selector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"not valid"}}}
	p := old.DeepCopy()
	p.Spec.MinAvailable = ptr.To(intstr.FromInt32(1))
	registrytest.ExpectErrors(t, Strategy.ValidateUpdate(context.Background(), p, old))
	registrytest.ExpectErrors(t, Strategy.Validate(context.Background(), p), "Invalid value spec.selector.matchExpressions[0].values[0]")
}

func TestTable(t *testing.T) {
	p := validPDB()
	p.Status.DisruptionsAllowed = 2
	cells, err := table.Row(p)
	if err != nil {
		t.Fatal(err)
	}
	if cells[0] != "50%" || cells[1] != "N/A" || cells[2] != int64(2) {
		t.Errorf("cells = %v", cells)
	}
}

// The "both set" message prints the spec as upstream's internal type does: Go field names.
func TestBothSetMessage(t *testing.T) {
	pdb := validPDB()
	pdb.Spec.MinAvailable = ptr.To(intstr.FromString("150%"))
	pdb.Spec.MaxUnavailable = ptr.To(intstr.FromInt32(1))
	pdb.Spec.UnhealthyPodEvictionPolicy = ptr.To(policyv1.UnhealthyPodEvictionPolicyType("Sometimes"))
	const want = `spec: Invalid value: {"MinAvailable":"150%","Selector":{"matchLabels":{"app":"web"}},"MaxUnavailable":1,"UnhealthyPodEvictionPolicy":"Sometimes"}: minAvailable and maxUnavailable cannot be both set`
	for _, err := range Validate(pdb, false) {
		if err.Field == "spec" {
			if err.Error() != want {
				t.Errorf("got  %s\nwant %s", err.Error(), want)
			}
			return
		}
	}
	t.Errorf("no error on spec")
}
