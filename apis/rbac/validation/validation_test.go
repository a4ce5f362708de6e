package validation

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidatePolicyRule(t *testing.T) {
	tests := []struct {
		name       string
		rule       rbacv1.PolicyRule
		namespaced bool
		field      string
		typ        field.ErrorType
	}{
		{name: "resource rule", rule: rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}, namespaced: true},
		{name: "non-resource rule", rule: rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}},
		{name: "no verbs", rule: rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}}, field: "rules[0].verbs", typ: field.ErrorTypeRequired},
		{name: "no api groups", rule: rbacv1.PolicyRule{Verbs: []string{"get"}, Resources: []string{"pods"}}, field: "rules[0].apiGroups", typ: field.ErrorTypeRequired},
		{name: "no resources", rule: rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}}, field: "rules[0].resources", typ: field.ErrorTypeRequired},
		{name: "non-resource in namespace", rule: rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/x"}}, namespaced: true, field: "rules[0].nonResourceURLs", typ: field.ErrorTypeInvalid},
		{name: "both kinds", rule: rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/x"}, Resources: []string{"pods"}}, field: "rules[0].nonResourceURLs", typ: field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectOne(t, ValidateRules([]rbacv1.PolicyRule{tc.rule}, tc.namespaced, field.NewPath("rules")), tc.field, tc.typ)
		})
	}
}

func TestValidateRoleRef(t *testing.T) {
	tests := []struct {
		name  string
		ref   rbacv1.RoleRef
		kinds []string
		field string
		typ   field.ErrorType
	}{
		{name: "role", ref: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "r"}, kinds: []string{"Role", "ClusterRole"}},
		{name: "bad group", ref: rbacv1.RoleRef{APIGroup: "x", Kind: "Role", Name: "r"}, kinds: []string{"Role"}, field: "roleRef.apiGroup", typ: field.ErrorTypeNotSupported},
		{name: "role in cluster binding", ref: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "r"}, kinds: []string{"ClusterRole"}, field: "roleRef.kind", typ: field.ErrorTypeNotSupported},
		{name: "no name", ref: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role"}, kinds: []string{"Role"}, field: "roleRef.name", typ: field.ErrorTypeRequired},
		{name: "bad name", ref: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "a/b"}, kinds: []string{"Role"}, field: "roleRef.name", typ: field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectOne(t, ValidateRoleRef(tc.ref, tc.kinds), tc.field, tc.typ)
		})
	}
	old := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "r"}
	changed := old
	changed.Name = "s"
	expectOne(t, ValidateRoleRefUpdate(changed, old), "roleRef", field.ErrorTypeInvalid)
}

func TestValidateSubjects(t *testing.T) {
	tests := []struct {
		name       string
		subject    rbacv1.Subject
		namespaced bool
		field      string
		typ        field.ErrorType
	}{
		{name: "user", subject: rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: "alice"}},
		{name: "group", subject: rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "devs"}},
		{name: "service account in namespace", subject: rbacv1.Subject{Kind: "ServiceAccount", Name: "sa"}, namespaced: true},
		{name: "service account needs namespace in cluster binding", subject: rbacv1.Subject{Kind: "ServiceAccount", Name: "sa"}, field: "subjects[0].namespace", typ: field.ErrorTypeRequired},
		{name: "service account api group", subject: rbacv1.Subject{Kind: "ServiceAccount", APIGroup: "x", Name: "sa", Namespace: "ns"}, field: "subjects[0].apiGroup", typ: field.ErrorTypeNotSupported},
		{name: "bad service account name", subject: rbacv1.Subject{Kind: "ServiceAccount", Name: "Bad", Namespace: "ns"}, field: "subjects[0].name", typ: field.ErrorTypeInvalid},
		{name: "user api group", subject: rbacv1.Subject{Kind: "User", Name: "alice"}, field: "subjects[0].apiGroup", typ: field.ErrorTypeNotSupported},
		{name: "no name", subject: rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName}, field: "subjects[0].name", typ: field.ErrorTypeRequired},
		{name: "bad kind", subject: rbacv1.Subject{Kind: "Robot", Name: "r"}, field: "subjects[0].kind", typ: field.ErrorTypeNotSupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectOne(t, ValidateSubjects([]rbacv1.Subject{tc.subject}, tc.namespaced), tc.field, tc.typ)
		})
	}
}

func TestValidateAggregationRule(t *testing.T) {
	expectOne(t, ValidateAggregationRule(nil, false), "", "")
	expectOne(t, ValidateAggregationRule(&rbacv1.AggregationRule{}, false), "aggregationRule.clusterRoleSelectors", field.ErrorTypeRequired)
	bad := &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"a": "-x-"}}}}
	expectOne(t, ValidateAggregationRule(bad, false), "aggregationRule.clusterRoleSelectors[0].matchLabels", field.ErrorTypeInvalid)
}

func expectOne(t *testing.T, errs field.ErrorList, want string, typ field.ErrorType) {
	t.Helper()
	if want == "" {
		if len(errs) != 0 {
			t.Fatalf("unexpected errors: %v", errs)
		}
		return
	}
	for _, e := range errs {
		if e.Field == want && e.Type == typ {
			return
		}
	}
	t.Fatalf("want %s error at %s, got %v", typ, want, errs)
}
