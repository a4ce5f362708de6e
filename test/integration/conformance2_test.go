package integration

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// warningRecorder collects the warnings the server sends.
type warningRecorder struct {
	mu       sync.Mutex
	messages []string
}

func (r *warningRecorder) HandleWarningHeader(_ int, _ string, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, message)
}

func (r *warningRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.messages
	r.messages = nil
	return out
}

func warningClient(t *testing.T) (kubernetes.Interface, *warningRecorder) {
	t.Helper()
	cfg := rest.CopyConfig(testServer.ClientConfig)
	rec := &warningRecorder{}
	cfg.WarningHandler = rec
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// managedFieldsOf returns the fieldsV1 JSON of the first managedFields entry.
func managedFieldsOf(t *testing.T, meta metav1.ObjectMeta) string {
	t.Helper()
	if len(meta.ManagedFields) == 0 || meta.ManagedFields[0].FieldsV1 == nil {
		t.Fatalf("no managedFields in %+v", meta)
	}
	return string(meta.ManagedFields[0].FieldsV1.Raw)
}

// Upstream's conversions shape what the field manager records and what is returned: the
// DaemonSet template generation annotation, apiVersion/kind of claim templates. Pod-template
// warnings come back on workload creates.
func TestWorkloadsConformanceDetails(t *testing.T) {
	ctx := context.Background()
	c, warnings := warningClient(t)
	ns := testServer.Namespace(t)
	labels := map[string]string{"app": "c2"}

	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "c2-ds"}, Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: wlTemplate(labels, ""),
	}}
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"beta.kubernetes.io/os": "linux"}
	ds, err := c.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fields := managedFieldsOf(t, ds.ObjectMeta); !strings.Contains(fields, `"f:deprecated.daemonset.template.generation":{}`) {
		t.Errorf("DaemonSet managedFields lack the template generation annotation: %s", fields)
	}
	if ds.Annotations[appsv1.DeprecatedTemplateGeneration] != "1" {
		t.Errorf("template generation = %q, want 1", ds.Annotations[appsv1.DeprecatedTemplateGeneration])
	}
	const betaOS = `spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead`
	if got := warnings.take(); !slices.Contains(got, betaOS) {
		t.Errorf("DaemonSet create warnings = %q, want %q", got, betaOS)
	}

	ss := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "c2-ss"}, Spec: appsv1.StatefulSetSpec{
		ServiceName: "c2-ss", Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: wlTemplate(labels, ""),
		VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1500m")}},
		}}},
	}}
	if ss, err = c.AppsV1().StatefulSets(ns).Create(ctx, ss, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Read as JSON: the typed client's protobuf has no place for a nested apiVersion/kind.
	raw, err := c.AppsV1().RESTClient().Get().AbsPath("/apis/apps/v1/namespaces", ns, "statefulsets", ss.Name).
		SetHeader("Accept", "application/json").DoRaw(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"volumeClaimTemplates":[{"kind":"PersistentVolumeClaim","apiVersion":"v1",`) {
		t.Errorf("claim templates lack apiVersion/kind: %s", raw)
	}
	const fractional = `spec.volumeClaimTemplates[0].resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer`
	if got := warnings.take(); !slices.Contains(got, fractional) {
		t.Errorf("StatefulSet create warnings = %q, want %q", got, fractional)
	}

	d := wlDeployment("c2-deploy")
	d.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "A", Value: "2"}}
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const dupEnv = `spec.template.spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply`
	if got := warnings.take(); !slices.Contains(got, dupEnv) {
		t.Errorf("Deployment create warnings = %q, want %q", got, dupEnv)
	}
}

// stringData is merged into data when the body is decoded, so the field manager records the
// keys under data, on create and on update.
func TestCoreConformanceSecretStringData(t *testing.T) {
	ctx := context.Background()
	c := testServer.Client(t)
	ns := testServer.Namespace(t)
	secret, err := c.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "c2-secret"},
		StringData: map[string]string{"username": "admin"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fields := managedFieldsOf(t, secret.ObjectMeta)
	if !strings.Contains(fields, `"f:data":{".":{},"f:username":{}}`) || strings.Contains(fields, "stringData") {
		t.Errorf("create managedFields = %s, want username under f:data", fields)
	}
	if string(secret.Data["username"]) != "admin" || secret.StringData != nil {
		t.Errorf("data = %q, stringData = %q", secret.Data, secret.StringData)
	}
	secret.StringData = map[string]string{"token": "t"}
	if secret, err = c.CoreV1().Secrets(ns).Update(ctx, secret, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if string(secret.Data["token"]) != "t" || string(secret.Data["username"]) != "admin" {
		t.Errorf("data after update = %q", secret.Data)
	}
	for _, mf := range secret.ManagedFields {
		if mf.FieldsV1 != nil && strings.Contains(string(mf.FieldsV1.Raw), "stringData") {
			t.Errorf("managedFields record stringData: %s", mf.FieldsV1.Raw)
		}
	}
}
