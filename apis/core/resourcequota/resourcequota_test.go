package resourcequota

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/scheme"

	"k8s.io/apimachinery/pkg/api/operation"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidate(t *testing.T) {
	hard := func(kv ...string) corev1.ResourceList {
		out := corev1.ResourceList{}
		for i := 0; i < len(kv); i += 2 {
			out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
		}
		return out
	}
	cases := []struct {
		name string
		spec corev1.ResourceQuotaSpec
		path string
	}{
		{"valid", corev1.ResourceQuotaSpec{Hard: hard("pods", "10", "requests.cpu", "4", "count/deployments.apps", "3")}, ""},
		{"unknown resource", corev1.ResourceQuotaSpec{Hard: hard("foo", "1")}, "spec.hard[foo]"},
		{"fractional count", corev1.ResourceQuotaSpec{Hard: hard("pods", "1.5")}, "spec.hard[pods]"},
		{"negative", corev1.ResourceQuotaSpec{Hard: hard("cpu", "-1")}, "spec.hard[cpu]"},
		{"scope not for resource", corev1.ResourceQuotaSpec{Hard: hard("secrets", "1"), Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}}, "spec.scopes"},
		{"conflicting scopes", corev1.ResourceQuotaSpec{Hard: hard("pods", "1"), Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating}}, "spec.scopes"},
		{"selector operator", corev1.ResourceQuotaSpec{Hard: hard("pods", "1"), ScopeSelector: &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{
			{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpIn}}}}, "spec.scopeSelector.matchExpressions.values"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(&corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "ns"}, Spec: tc.spec})
			if tc.path == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) == 0 || errs[0].Field != tc.path {
				t.Fatalf("want error at %s, got %v", tc.path, errs)
			}
		})
	}
	old := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "ns", ResourceVersion: "1"},
		Spec: corev1.ResourceQuotaSpec{Hard: hard("pods", "1"), Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeTerminating}}}
	update := old.DeepCopy()
	update.Spec.Scopes = nil
	if errs := ValidateUpdate(update, old); len(errs) != 1 || errs[0].Field != "spec.scopes" {
		t.Fatalf("scope change: %v", errs)
	}
}

func TestStrategyAndTable(t *testing.T) {
	ctx := context.Background()
	rq := &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
		"requests.cpu": resource.MustParse("2"), "limits.cpu": resource.MustParse("1")}},
		Status: corev1.ResourceQuotaStatus{Used: corev1.ResourceList{"pods": resource.MustParse("1")}}}
	if w := Strategy.WarningsOnCreate(ctx, rq); len(w) != 1 || w[0] != "ResourceQuota requests.cpu (2) should be less than limits.cpu (1)" {
		t.Errorf("warnings %v", w)
	}
	Strategy.PrepareForCreate(ctx, rq)
	if rq.Status.Used != nil {
		t.Errorf("status kept on create")
	}
	rq.Status = corev1.ResourceQuotaStatus{
		Hard: corev1.ResourceList{"pods": resource.MustParse("10"), "limits.memory": resource.MustParse("1Gi"), "requests.cpu": resource.MustParse("2")},
		Used: corev1.ResourceList{"pods": resource.MustParse("3")},
	}
	requests, limits := usage(rq)
	if requests != "pods: 3/10, requests.cpu: 0/2" || limits != "limits.memory: 0/1Gi" {
		t.Errorf("usage %q %q", requests, limits)
	}
}

// Two scopes that do not fit the same resource give the same error twice; upstream reports it
// once.
func TestRepeatedErrorsReportedOnce(t *testing.T) {
	rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "ns"}, Spec: corev1.ResourceQuotaSpec{
		Hard:   corev1.ResourceList{corev1.ResourceRequestsStorage: resource.MustParse("1Gi"), corev1.ResourcePods: resource.MustParse("1")},
		Scopes: []corev1.ResourceQuotaScope{"Bogus", corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating},
	}}
	if err := scheme.AddGroup(corev1.AddToScheme, []schema.GroupVersion{corev1.SchemeGroupVersion}, corev1.SchemeGroupVersion); err != nil {
		t.Fatal(err)
	}
	// The registry's merge step (as upstream's) reports an error repeating another's text once.
	ctx := genericapirequest.WithRequestInfo(context.Background(), &genericapirequest.RequestInfo{IsResourceRequest: true, APIVersion: "v1", Resource: "resourcequotas", Verb: "create"})
	var got []string
	for _, err := range Strategy.ValidateDeclaratively(ctx, rq, nil, Validate(rq), operation.Create, rest.DeclarativeValidationConfig{}) {
		got = append(got, err.Detail)
	}
	want := []string{"unsupported scope", "unsupported scope applied to resource", "conflicting scopes"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("errors = %q, want %q", got, want)
	}
}
