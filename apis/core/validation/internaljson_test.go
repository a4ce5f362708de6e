package validation

import (
	"encoding/json"
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// The expected strings are what kube-apiserver v1.37 prints for the internal types.
func TestInternalJSON(t *testing.T) {
	minAvailable, maxUnavailable := intstr.FromString("150%"), intstr.FromInt32(1)
	policy := policyv1.UnhealthyPodEvictionPolicyType("Sometimes")
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"security context", &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"CAP_SYS_ADMIN"}}, RunAsGroup: ptr.To[int64](-2), AllowPrivilegeEscalation: ptr.To(false)},
			`{"Capabilities":{"Add":["CAP_SYS_ADMIN"],"Drop":null},"Privileged":null,"SELinuxOptions":null,"WindowsOptions":null,"RunAsUser":null,"RunAsGroup":-2,"RunAsNonRoot":null,"ReadOnlyRootFilesystem":null,"AllowPrivilegeEscalation":false,"ProcMount":null,"SeccompProfile":null,"AppArmorProfile":null}`},
		{"role ref", rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "edit"},
			`{"APIGroup":"rbac.authorization.k8s.io","Kind":"ClusterRole","Name":"edit"}`},
		{"non-resource attributes", &authorizationv1.NonResourceAttributes{Path: "/healthz", Verb: "get"}, `{"Path":"/healthz","Verb":"get"}`},
		{"nil pointer", (*authorizationv1.NonResourceAttributes)(nil), `null`},
		{"metav1 types keep their json names", policyv1.PodDisruptionBudgetSpec{MinAvailable: &minAvailable, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, MaxUnavailable: &maxUnavailable, UnhealthyPodEvictionPolicy: &policy},
			`{"MinAvailable":"150%","Selector":{"matchLabels":{"app":"web"}},"MaxUnavailable":1,"UnhealthyPodEvictionPolicy":"Sometimes"}`},
		{"object reference", corev1.ObjectReference{Kind: "Deployment", Namespace: "default", Name: "api", APIVersion: "apps/v1"},
			`{"Kind":"Deployment","Namespace":"default","Name":"api","UID":"","APIVersion":"apps/v1","ResourceVersion":"","FieldPath":""}`},
		{"embedded structs are flattened", corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(80)}}, PeriodSeconds: 10},
			`{"Exec":null,"HTTPGet":null,"TCPSocket":{"Port":80,"Host":""},"GRPC":null,"InitialDelaySeconds":0,"TimeoutSeconds":0,"PeriodSeconds":10,"SuccessThreshold":0,"FailureThreshold":0,"TerminationGracePeriodSeconds":null}`},
		{"maps sorted, quantities as strings", corev1.ResourceList{"memory": resource.MustParse("64Mi"), "cpu": resource.MustParse("1")}, `{"cpu":"1","memory":"64Mi"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(InternalJSON(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestValidateImmutableFieldMessage(t *testing.T) {
	old := rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "view"}
	if errs := ValidateImmutableField(old, old, field.NewPath("roleRef")); len(errs) != 0 {
		t.Fatalf("unchanged value: %v", errs)
	}
	changed := old
	changed.Name = "edit"
	errs := ValidateImmutableField(changed, old, field.NewPath("roleRef"))
	want := `roleRef: Invalid value: {"APIGroup":"rbac.authorization.k8s.io","Kind":"ClusterRole","Name":"edit"}: field is immutable`
	if len(errs) != 1 || errs[0].Error() != want {
		t.Fatalf("got %v, want %s", errs, want)
	}
}

func TestPodUpdateDiffUsesInternalNames(t *testing.T) {
	old := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", ResourceVersion: "1"}, Spec: corev1.PodSpec{
		Containers:    []corev1.Container{{Name: "app", Image: "img", TerminationMessagePolicy: "File", ImagePullPolicy: "IfNotPresent"}},
		RestartPolicy: "Always", DNSPolicy: "ClusterFirst", TerminationGracePeriodSeconds: ptr.To[int64](30)}}
	pod := old.DeepCopy()
	pod.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", Value: "b"}}
	errs := ValidatePodUpdate(pod, old, PodValidationOptions{})
	if len(errs) != 1 {
		t.Fatalf("want one error, got %v", errs)
	}
	for _, s := range []string{`"Env": null,`, `"Name": "A",`, `"ValueFrom": null`} {
		if !strings.Contains(errs[0].Detail, s) {
			t.Errorf("diff lacks %s:\n%s", s, errs[0].Detail)
		}
	}
}
