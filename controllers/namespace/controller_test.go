package namespace_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/namespace"
	"github.com/skiff-sh/skiff/controllers/rootcacert"
	"github.com/skiff-sh/skiff/controllers/serviceaccount"
)

func waitGone(t *testing.T, client kubernetes.Interface, ns string, timeout time.Duration) {
	t.Helper()
	var last *corev1.Namespace
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		got, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		last = got
		return false, err
	})
	if err != nil {
		t.Fatalf("namespace %s still there: %v; last %+v", ns, err, last)
	}
}

// TestDeleteNamespace: deleting a namespace (as kubectl delete ns does) deletes everything in
// it, custom resources too, and then the namespace itself goes away.
func TestDeleteNamespace(t *testing.T) {
	client := srv.Client(t)
	dyn := srv.Dynamic(t)
	ctx := context.Background()
	gvr := widgets(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, namespace.Setup, serviceaccount.Setup, rootcacert.Setup)
	ns := srv.Namespace(t)

	if _, err := client.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	if _, err := client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	widget := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": gvr.GroupVersion().String(), "kind": "Widget", "metadata": map[string]any{"name": "w"},
	}}
	if _, err := dyn.Resource(gvr).Namespace(ns).Create(ctx, widget, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The default ServiceAccount and root CA appear before the namespace goes.
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		_, err1 := client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		_, err2 := client.CoreV1().ConfigMaps(ns).Get(ctx, rootcacert.ConfigMapName, metav1.GetOptions{})
		return err1 == nil && err2 == nil, nil
	})
	if err != nil {
		t.Fatalf("default ServiceAccount or root CA missing: %v", err)
	}

	if err := client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.Phase != corev1.NamespaceTerminating {
		t.Errorf("phase %q after delete, want Terminating", got.Status.Phase)
	}
	waitGone(t, client, ns, controllertest.Timeout)

	// Recreated under the same name, the namespace starts empty.
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if list, err := dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Errorf("widgets after recreation: %v, %v", list, err)
	}
	if list, err := client.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Errorf("secrets after recreation: %v, %v", list, err)
	}
}

// TestContentWithFinalizers: content held by a finalizer keeps the namespace Terminating
// with upstream's conditions, until the finalizer is removed.
func TestContentWithFinalizers(t *testing.T) {
	client := srv.Client(t)
	ctx := context.Background()
	controllertest.StartManager(t, srv.ClientConfig, nil, namespace.Setup)
	ns := srv.Namespace(t)
	held := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "held", Finalizers: []string{"example.com/hold"}}}
	if _, err := client.CoreV1().ConfigMaps(ns).Create(ctx, held, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want := map[corev1.NamespaceConditionType][3]string{
		corev1.NamespaceDeletionDiscoveryFailure: {"False", "ResourcesDiscovered", "All resources successfully discovered"},
		corev1.NamespaceDeletionGVParsingFailure: {"False", "ParsedGroupVersions", "All legacy kube types successfully parsed"},
		corev1.NamespaceDeletionContentFailure:   {"False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"},
		corev1.NamespaceContentRemaining:         {"True", "SomeResourcesRemain", "Some resources are remaining: configmaps. has 1 resource instances"},
		corev1.NamespaceFinalizersRemaining:      {"True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"},
	}
	var last []corev1.NamespaceCondition
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		got, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = got.Status.Conditions
		if len(last) != len(want) {
			return false, nil
		}
		for _, c := range last {
			if w := want[c.Type]; string(c.Status) != w[0] || c.Reason != w[1] || c.Message != w[2] {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("conditions %+v: %v", last, err)
	}
	patch := []byte(`{"metadata":{"finalizers":null}}`)
	if _, err := client.CoreV1().ConfigMaps(ns).Patch(ctx, "held", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	// The next look comes half the 15s finalizer estimate later.
	waitGone(t, client, ns, controllertest.Timeout)
}
