package integration

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	"k8s.io/utils/ptr"
)

// The health and version endpoints answer anyone; everything else wants credentials.
func TestAnonymousAccess(t *testing.T) {
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, Timeout: 10 * time.Second}
	cases := []struct {
		path string
		want int
	}{
		{"/healthz", http.StatusOK},
		{"/livez", http.StatusOK},
		{"/readyz", http.StatusOK},
		{"/version", http.StatusOK},
		{"/api/v1/namespaces", http.StatusUnauthorized},
		{"/apis", http.StatusUnauthorized},
		{"/metrics", http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := plain.Get(testServer.ClientConfig.Host + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET %s = %d, want %d", tc.path, resp.StatusCode, tc.want)
			}
		})
	}
}

func TestConfigMapLifecycle(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	cms := testServer.Client(t).CoreV1().ConfigMaps(ns)

	created, err := cms.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "cm-"},
		Data:       map[string]string{"a": "1"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.Name, "cm-") || len(created.Name) != len("cm-")+5 {
		t.Errorf("generated name %q", created.Name)
	}
	if created.UID == "" || created.CreationTimestamp.IsZero() || created.ResourceVersion == "" {
		t.Errorf("server-set metadata missing: %+v", created.ObjectMeta)
	}

	// An update from a stale resourceVersion conflicts.
	first := created.DeepCopy()
	created.Data["b"] = "2"
	updated, err := cms.Update(ctx, created, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first.Data["c"] = "3"
	if _, err := cms.Update(ctx, first, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("stale update: got %v, want 409 Conflict", err)
	}

	patches := []struct {
		typ   types.PatchType
		patch string
		key   string
	}{
		{types.StrategicMergePatchType, `{"data":{"smp":"x"}}`, "smp"},
		{types.MergePatchType, `{"data":{"merge":"x"}}`, "merge"},
		{types.JSONPatchType, `[{"op":"add","path":"/data/json","value":"x"}]`, "json"},
	}
	for _, p := range patches {
		got, err := cms.Patch(ctx, updated.Name, p.typ, []byte(p.patch), metav1.PatchOptions{})
		if err != nil {
			t.Fatalf("%s patch: %v", p.typ, err)
		}
		if got.Data[p.key] != "x" {
			t.Errorf("%s patch did not set %s: %v", p.typ, p.key, got.Data)
		}
	}

	if err := cms.Delete(ctx, updated.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Get(ctx, updated.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("after delete: got %v, want 404", err)
	}
}

func TestConfigMapValidation(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	cms := testServer.Client(t).CoreV1().ConfigMaps(ns)
	cases := []struct {
		name  string
		cm    *corev1.ConfigMap
		field string
	}{
		{"uppercase name", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "Bad"}}, "metadata.name"},
		{"bad key", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "ok"}, Data: map[string]string{"a b": "x"}}, "data[a b]"},
		{"bad label", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "ok", Labels: map[string]string{"-x": "y"}}}, "metadata.labels"},
		{"too big", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "big"}, Data: map[string]string{"k": strings.Repeat("x", 1<<20+1)}}, "[]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cms.Create(ctx, tc.cm, metav1.CreateOptions{})
			if !apierrors.IsInvalid(err) {
				t.Fatalf("got %v, want 422 Invalid", err)
			}
			if !hasCause(err, tc.field) {
				t.Errorf("no cause for field %q in %v", tc.field, err)
			}
			if _, err := cms.Get(ctx, tc.cm.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("rejected object exists: %v", err)
			}
		})
	}

	t.Run("immutable", func(t *testing.T) {
		cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "frozen"}, Data: map[string]string{"a": "1"}, Immutable: ptr.To(true)}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cm.Data["a"] = "2"
		if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) || !hasCause(err, "data") {
			t.Fatalf("got %v, want 422 on data", err)
		}
	})
}

func hasCause(err error, field string) bool {
	status, ok := err.(apierrors.APIStatus)
	if !ok || status.Status().Details == nil {
		return false
	}
	for _, c := range status.Status().Details.Causes {
		if c.Field == field {
			return true
		}
	}
	return false
}

func TestServerSideApply(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	cms := testServer.Client(t).CoreV1().ConfigMaps(ns)

	applied, err := cms.Apply(ctx, corev1ac.ConfigMap("applied", ns).WithData(map[string]string{"owned": "a"}), metav1.ApplyOptions{FieldManager: "first"})
	if err != nil {
		t.Fatal(err)
	}
	if len(applied.ManagedFields) != 1 || applied.ManagedFields[0].Manager != "first" || applied.ManagedFields[0].Operation != metav1.ManagedFieldsOperationApply {
		t.Fatalf("managedFields = %+v", applied.ManagedFields)
	}
	// Another manager changing an owned field conflicts unless it forces.
	_, err = cms.Apply(ctx, corev1ac.ConfigMap("applied", ns).WithData(map[string]string{"owned": "b"}), metav1.ApplyOptions{FieldManager: "second"})
	if !apierrors.IsConflict(err) {
		t.Fatalf("conflicting apply: got %v, want 409", err)
	}
	forced, err := cms.Apply(ctx, corev1ac.ConfigMap("applied", ns).WithData(map[string]string{"owned": "b"}), metav1.ApplyOptions{FieldManager: "second", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if forced.Data["owned"] != "b" {
		t.Errorf("forced apply: data = %v", forced.Data)
	}
}

func TestDryRunAndStrictValidation(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	cms := testServer.Client(t).CoreV1().ConfigMaps(ns)

	got, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "dry"}}, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		t.Fatal(err)
	}
	if got.UID == "" {
		t.Error("dry-run response lacks server-set fields")
	}
	if _, err := cms.Get(ctx, "dry", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("dry-run object was stored: %v", err)
	}

	body := []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"strict"},"bogus":1}`)
	err = testServer.Client(t).CoreV1().RESTClient().Post().Namespace(ns).Resource("configmaps").
		Param("fieldValidation", "Strict").Body(body).SetHeader("Content-Type", "application/json").Do(ctx).Error()
	if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), `unknown field "bogus"`) {
		t.Fatalf("strict create: got %v, want 400 naming the field", err)
	}
}

func TestPagination(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	cms := testServer.Client(t).CoreV1().ConfigMaps(ns)
	const total = 25
	for i := range total {
		if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("page-%02d", i)}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	seen, pages, cont := 0, 0, ""
	for {
		list, err := cms.List(ctx, metav1.ListOptions{Limit: 10, Continue: cont})
		if err != nil {
			t.Fatal(err)
		}
		seen += len(list.Items)
		pages++
		if cont = list.Continue; cont == "" {
			break
		}
	}
	if seen != total || pages != 3 {
		t.Errorf("paged list: %d items in %d pages, want %d in 3", seen, pages, total)
	}
}

func TestWatchWithBookmarks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ns := testServer.Namespace(t)
	cms := testServer.Client(t).CoreV1().ConfigMaps(ns)
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Streaming list: initial events, then a bookmark marking their end.
	w, err := cms.Watch(ctx, metav1.ListOptions{
		SendInitialEvents:    ptr.To(true),
		ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
		AllowWatchBookmarks:  true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var sawInitial, sawBookmark, sawAdded bool
	for ev := range w.ResultChan() {
		switch ev.Type {
		case watch.Added:
			if ev.Object.(*corev1.ConfigMap).Name == "before" {
				sawInitial = true
			} else {
				sawAdded = true
			}
		case watch.Bookmark:
			if ev.Object.(*corev1.ConfigMap).Annotations[metav1.InitialEventsAnnotationKey] == "true" {
				sawBookmark = true
				if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "after"}}, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if sawAdded {
			break
		}
	}
	if !sawInitial || !sawBookmark || !sawAdded {
		t.Fatalf("initial=%v bookmark=%v added=%v", sawInitial, sawBookmark, sawAdded)
	}
}

func TestVersionAndDiscovery(t *testing.T) {
	client := testServer.Client(t)
	info, err := client.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if info.Major != "1" || info.Minor != "37" {
		t.Errorf("version %s.%s, want 1.37", info.Major, info.Minor)
	}
	raw, err := client.Discovery().RESTClient().Get().AbsPath("/api/v1").DoRaw(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var resources metav1.APIResourceList
	if err := json.Unmarshal(raw, &resources); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range resources.APIResources {
		if r.Name == "configmaps" && len(r.ShortNames) == 1 && r.ShortNames[0] == "cm" {
			found = true
		}
	}
	if !found {
		t.Errorf("configmaps with short name cm not in /api/v1 discovery")
	}
}

// Writing replicas through the scale subresource takes ownership of spec.replicas, so a later
// apply that still sets them conflicts, as upstream's scale handler makes it.
func TestScaleTakesReplicasOwnership(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	deployments := testServer.Client(t).AppsV1().Deployments(ns)
	apply := func(force bool) error {
		labels := map[string]string{"app": "web"}
		cfg := appsv1ac.Deployment("web", ns).WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(1).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(labels)).
			WithTemplate(corev1ac.PodTemplateSpec().WithLabels(labels).
				WithSpec(corev1ac.PodSpec().WithContainers(corev1ac.Container().WithName("c").WithImage("busybox")))))
		_, err := deployments.Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: "applier", Force: force})
		return err
	}
	if err := apply(false); err != nil {
		t.Fatal(err)
	}
	scale, err := deployments.GetScale(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scale.Spec.Replicas = 3
	if _, err := deployments.UpdateScale(ctx, "web", scale, metav1.UpdateOptions{FieldManager: "scaler"}); err != nil {
		t.Fatal(err)
	}
	got, err := deployments.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var scalerOwns bool
	for _, entry := range got.ManagedFields {
		if entry.Manager == "scaler" && entry.Subresource == "scale" && strings.Contains(string(entry.FieldsV1.Raw), `"f:replicas"`) {
			scalerOwns = true
		}
	}
	if *got.Spec.Replicas != 3 || !scalerOwns {
		t.Fatalf("replicas %d, managedFields %+v", *got.Spec.Replicas, got.ManagedFields)
	}
	if err := apply(false); !apierrors.IsConflict(err) {
		t.Fatalf("apply over the scaler's replicas: got %v, want 409", err)
	}
	if err := apply(true); err != nil {
		t.Fatalf("forced apply: %v", err)
	}
}
