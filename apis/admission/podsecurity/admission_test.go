package podsecurity

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

func namespace(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func privilegedSpec() corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{
		Name: "c", Image: "i", SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)},
	}}}
}

func restrictedSpec() corev1.PodSpec {
	return corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
		Containers: []corev1.Container{{
			Name: "c", Image: "i", SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr.To(false),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			},
		}},
	}
}

type warningRecorder struct{ warnings []string }

func (r *warningRecorder) AddWarning(_, text string) { r.warnings = append(r.warnings, text) }

// run validates the request with a warning recorder in the context.
func run(t *testing.T, p *Plugin, r admissiontest.Request) ([]string, error) {
	t.Helper()
	rec := &warningRecorder{}
	ctx := warning.WithWarningRecorder(context.Background(), rec)
	a := r.Attributes()
	if !p.Handles(a.GetOperation()) {
		return nil, nil
	}
	return rec.warnings, p.Validate(ctx, a, nil)
}

func podRequest(ns string, spec corev1.PodSpec) admissiontest.Request {
	return admissiontest.Request{
		Op: admission.Create, Namespace: ns, Name: "p",
		Object:   &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: ns}, Spec: spec},
		Resource: corev1.SchemeGroupVersion.WithResource("pods"), Kind: corev1.SchemeGroupVersion.WithKind("Pod"),
	}
}

func TestPods(t *testing.T) {
	namespaces := []runtime.Object{
		namespace("plain", nil),
		namespace("restricted", map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}),
		namespace("baseline", map[string]string{"pod-security.kubernetes.io/enforce": "baseline"}),
		namespace("warn", map[string]string{"pod-security.kubernetes.io/warn": "restricted"}),
	}
	tests := []struct {
		name        string
		ns          string
		spec        corev1.PodSpec
		wantErr     string
		wantWarning string
	}{
		{name: "privileged by default", ns: "plain", spec: privilegedSpec()},
		{name: "unknown namespace", ns: "missing", spec: privilegedSpec(), wantErr: "unknown"},
		{
			name: "restricted rejects privileged", ns: "restricted", spec: privilegedSpec(),
			wantErr: `pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true)`,
		},
		{name: "restricted admits a restricted pod", ns: "restricted", spec: restrictedSpec()},
		{
			name: "baseline rejects privileged", ns: "baseline", spec: privilegedSpec(),
			wantErr: `pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)`,
		},
		{name: "warn only warns", ns: "warn", spec: privilegedSpec(), wantWarning: `would violate PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(nil)
			if err != nil {
				t.Fatal(err)
			}
			admissiontest.Init(t, p, namespaces...)
			warnings, err := run(t, p, podRequest(tt.ns, tt.spec))
			switch {
			case tt.wantErr == "unknown":
				// Not in the informer: looked up live, not found, fails closed as upstream.
				if !apierrors.IsInternalError(err) || !strings.Contains(err.Error(), `failed to lookup namespace "missing"`) {
					t.Fatalf("err = %v, want 500 failed to lookup namespace", err)
				}
			case tt.wantErr != "":
				if !apierrors.IsForbidden(err) || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want 403 %s", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			}
			if tt.wantWarning != "" && (len(warnings) != 1 || !strings.HasPrefix(warnings[0], tt.wantWarning)) {
				t.Errorf("warnings = %q, want %q", warnings, tt.wantWarning)
			}
			if tt.wantWarning == "" && len(warnings) > 0 {
				t.Errorf("unexpected warnings %q", warnings)
			}
		})
	}
}

// TestControllers: workloads are only warned about, their pods are what is enforced.
func TestControllers(t *testing.T) {
	p, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	admissiontest.Init(t, p, namespace("restricted", map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}))
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "d", Namespace: "restricted"},
		Spec:       appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: privilegedSpec()}},
	}
	warnings, err := run(t, p, admissiontest.Request{
		Op: admission.Create, Namespace: "restricted", Object: d,
		Resource: appsv1.SchemeGroupVersion.WithResource("deployments"), Kind: appsv1.SchemeGroupVersion.WithKind("Deployment"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], `would violate PodSecurity "restricted:latest": privileged`) {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestNamespaceLabels(t *testing.T) {
	p, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	admissiontest.Init(t, p)
	_, err = run(t, p, admissiontest.Request{
		Op: admission.Create, Name: "ns", Object: namespace("ns", map[string]string{"pod-security.kubernetes.io/enforce": "bogus"}),
		Resource: corev1.SchemeGroupVersion.WithResource("namespaces"), Kind: corev1.SchemeGroupVersion.WithKind("Namespace"),
	})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("err = %v, want 422", err)
	}
	causes := err.(apierrors.APIStatus).Status().Details.Causes
	if len(causes) != 1 || causes[0].Field != "metadata.labels[pod-security.kubernetes.io/enforce]" {
		t.Errorf("causes = %+v", causes)
	}
}

// TestEnforceOnExistingPods: raising a namespace's enforce level warns about its pods.
func TestEnforceOnExistingPods(t *testing.T) {
	p, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	old := namespace("ns", nil)
	running := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"}, Spec: privilegedSpec()}
	admissiontest.Init(t, p, old, running)
	warnings, err := run(t, p, admissiontest.Request{
		Op: admission.Update, Name: "ns", Object: namespace("ns", map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}), OldObject: old,
		Resource: corev1.SchemeGroupVersion.WithResource("namespaces"), Kind: corev1.SchemeGroupVersion.WithKind("Namespace"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) == 0 || !strings.Contains(strings.Join(warnings, "\n"), `existing pods in namespace "ns" violate the new PodSecurity enforce level "restricted:latest"`) {
		t.Errorf("warnings = %q", warnings)
	}
}
