package garbagecollector

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// TestBackgroundDeletion: deleting an owner deletes its dependents afterwards.
func TestBackgroundDeletion(t *testing.T) {
	client := srv.Client(t)
	startGC(t)
	ns := srv.Namespace(t)
	owner := createCM(t, client, ns, "owner")
	createCM(t, client, ns, "dependent", cmRef(owner, false))
	createSecret(t, client, ns, "secret", cmRef(owner, true))
	unrelated := createCM(t, client, ns, "unrelated")

	deleteCM(t, client, ns, "owner", background)
	waitGone(t, "dependent ConfigMap", cmGetter(client, ns, "dependent"))
	waitGone(t, "dependent Secret", func(ctx context.Context) error {
		_, err := client.CoreV1().Secrets(ns).Get(ctx, "secret", metav1.GetOptions{})
		return err
	})
	if got, err := client.CoreV1().ConfigMaps(ns).Get(context.Background(), "unrelated", metav1.GetOptions{}); err != nil || got.UID != unrelated.UID {
		t.Errorf("unrelated ConfigMap: %v", err)
	}
}

// TestForegroundDeletion: an owner deleted in the foreground stays, with the
// foregroundDeletion finalizer, until its blocking dependents are gone; its dependents are
// deleted.
func TestForegroundDeletion(t *testing.T) {
	client := srv.Client(t)
	ctx := context.Background()
	startGC(t)
	ns := srv.Namespace(t)
	owner := createCM(t, client, ns, "owner")
	blocker, err := client.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: "blocker", OwnerReferences: []metav1.OwnerReference{cmRef(owner, true)}, Finalizers: []string{"example.com/hold"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	createSecret(t, client, ns, "non-blocking", cmRef(owner, false))

	deleteCM(t, client, ns, "owner", foreground)
	// The GC deletes the blocker, which its own finalizer keeps.
	poll(t, "blocker being deleted", func(ctx context.Context) (bool, error) {
		b, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "blocker", metav1.GetOptions{})
		return err == nil && b.DeletionTimestamp != nil, err
	})
	waitGone(t, "non-blocking dependent", func(ctx context.Context) error {
		_, err := client.CoreV1().Secrets(ns).Get(ctx, "non-blocking", metav1.GetOptions{})
		return err
	})
	// Still waiting for the blocker.
	got, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "owner", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("owner gone while its blocking dependent exists: %v", err)
	}
	if got.DeletionTimestamp == nil || !hasFinalizer(got, metav1.FinalizerDeleteDependents) {
		t.Errorf("owner %+v, want deleting with %s", got.ObjectMeta, metav1.FinalizerDeleteDependents)
	}

	mergePatch(t, client, ns, blocker.Name, `{"metadata":{"finalizers":null}}`)
	waitGone(t, "blocker", cmGetter(client, ns, "blocker"))
	waitGone(t, "owner", cmGetter(client, ns, "owner"))
}

// TestOrphanDeletion: an owner deleted with orphan propagation leaves its dependents without
// the reference to it; so does a ReplicationController deleted through core/v1 without a
// policy, which orphans by default.
func TestOrphanDeletion(t *testing.T) {
	client := srv.Client(t)
	ctx := context.Background()
	startGC(t)
	ns := srv.Namespace(t)
	owner := createCM(t, client, ns, "owner")
	other := createCM(t, client, ns, "other-owner")
	dep := createCM(t, client, ns, "dependent", cmRef(owner, true), cmRef(other, false))

	deleteCM(t, client, ns, "owner", orphan)
	waitGone(t, "owner", cmGetter(client, ns, "owner"))
	got, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "dependent", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("dependent: %v", err)
	}
	if got.UID != dep.UID || len(got.OwnerReferences) != 1 || got.OwnerReferences[0].UID != other.UID {
		t.Errorf("dependent ownerReferences %+v, want only other-owner", got.OwnerReferences)
	}

	rc, err := client.CoreV1().ReplicationControllers(ns).Create(ctx, &corev1.ReplicationController{
		ObjectMeta: metav1.ObjectMeta{Name: "rc"},
		Spec: corev1.ReplicationControllerSpec{
			Replicas: ptr.To[int32](0), Selector: map[string]string{"app": "x"},
			Template: &corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "x"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	createCM(t, client, ns, "rc-dependent", ownerRefTo(rc, "v1", "ReplicationController", true))
	if err := client.CoreV1().ReplicationControllers(ns).Delete(ctx, "rc", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, "rc", func(ctx context.Context) error {
		_, err := client.CoreV1().ReplicationControllers(ns).Get(ctx, "rc", metav1.GetOptions{})
		return err
	})
	if got, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "rc-dependent", metav1.GetOptions{}); err != nil || len(got.OwnerReferences) != 0 {
		t.Errorf("rc-dependent %v (err %v), want kept without ownerReferences", got.OwnerReferences, err)
	}
}

// TestCustomResources: a custom resource defined after the collector started joins it: it is
// collected with its owner, collects its own dependents, and is orphaned (by JSON merge
// patch, as custom resources take no strategic merge patch).
func TestCustomResources(t *testing.T) {
	client := srv.Client(t)
	dyn := srv.Dynamic(t)
	ctx := context.Background()
	gc := startGC(t)
	ns := srv.Namespace(t)
	gvr := createCRD(t, "gc-test.skiff.dev", "gadgets", "Gadget")
	gadgets := dyn.Resource(gvr).Namespace(ns)
	gadget := func(name string, owners ...metav1.OwnerReference) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": gvr.GroupVersion().String(), "kind": "Gadget"}}
		u.SetName(name)
		u.SetOwnerReferences(owners)
		created, err := gadgets.Create(ctx, u, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return created
	}
	getGadget := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := gadgets.Get(ctx, name, metav1.GetOptions{})
			return err
		}
	}

	owner := createCM(t, client, ns, "owner")
	gadget("owned", cmRef(owner, false))
	deleteCM(t, client, ns, "owner", background)
	waitGone(t, "gadget owned by a ConfigMap", getGadget("owned"))

	parent := gadget("parent")
	createCM(t, client, ns, "child", ownerRefTo(parent, gvr.GroupVersion().String(), "Gadget", false))
	if err := gadgets.Delete(ctx, "parent", metav1.DeleteOptions{PropagationPolicy: background}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, "ConfigMap owned by a gadget", cmGetter(client, ns, "child"))

	owner2 := createCM(t, client, ns, "owner2")
	kept := gadget("kept", cmRef(owner2, true))
	// Wait until the collector knows the gadget, or orphaning would have nothing to do.
	poll(t, "gadget in the graph", func(context.Context) (bool, error) {
		_, ok := gc.graph.get(kept.GetUID())
		return ok, nil
	})
	deleteCM(t, client, ns, "owner2", orphan)
	waitGone(t, "orphaning owner", cmGetter(client, ns, "owner2"))
	got, err := gadgets.Get(ctx, "kept", metav1.GetOptions{})
	if err != nil || len(got.GetOwnerReferences()) != 0 {
		t.Errorf("orphaned gadget: err %v, ownerReferences %v", err, got.GetOwnerReferences())
	}
}

// TestAbsentOwners: dependents of owners that never existed, or exist under the name with
// another uid, are collected; a dependent keeping one live owner only loses the reference
// to the dead one.
func TestAbsentOwners(t *testing.T) {
	client := srv.Client(t)
	ctx := context.Background()
	startGC(t)
	ns := srv.Namespace(t)
	ghost := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "ghost", UID: "00000000-0000-0000-0000-00000000abcd"}
	createCM(t, client, ns, "of-ghost", ghost)
	live := createCM(t, client, ns, "live")
	impostor := cmRef(live, false)
	impostor.UID = "00000000-0000-0000-0000-00000000dcba"
	createSecret(t, client, ns, "of-impostor", impostor)
	createCM(t, client, ns, "mixed", cmRef(live, false), ghost)

	waitGone(t, "dependent of a never-existing owner", cmGetter(client, ns, "of-ghost"))
	waitGone(t, "dependent of an owner with another uid", func(ctx context.Context) error {
		_, err := client.CoreV1().Secrets(ns).Get(ctx, "of-impostor", metav1.GetOptions{})
		return err
	})
	poll(t, "dangling reference removed", func(ctx context.Context) (bool, error) {
		m, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "mixed", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return len(m.OwnerReferences) == 1 && m.OwnerReferences[0].UID == live.UID, nil
	})
	if _, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "live", metav1.GetOptions{}); err != nil {
		t.Errorf("live owner: %v", err)
	}
}

// TestInvalidOwnerReferences: a dependent naming an owner of another namespace is collected
// with an OwnerRefInvalidNamespace event; a cluster-scoped object naming a namespaced owner
// gets the event and is kept.
func TestInvalidOwnerReferences(t *testing.T) {
	client := srv.Client(t)
	ctx := context.Background()
	startGC(t)
	nsA, nsB := srv.Namespace(t), srv.Namespace(t)
	owner := createCM(t, client, nsA, "owner")
	createCM(t, client, nsB, "elsewhere", cmRef(owner, false))
	role, err := client.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "gc-test-", OwnerReferences: []metav1.OwnerReference{cmRef(owner, false)},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.RbacV1().ClusterRoles().Delete(context.Background(), role.Name, metav1.DeleteOptions{})
	})

	waitGone(t, "dependent in another namespace", cmGetter(client, nsB, "elsewhere"))
	waitEvent := func(ns, name, wantMessage string) {
		t.Helper()
		poll(t, "OwnerRefInvalidNamespace event on "+name, func(ctx context.Context) (bool, error) {
			events, err := client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return false, err
			}
			for _, e := range events.Items {
				if e.InvolvedObject.Name == name && e.Reason == "OwnerRefInvalidNamespace" {
					if e.Type != corev1.EventTypeWarning || e.Message != wantMessage || e.Source.Component != EventSource {
						t.Errorf("event %s %q from %q, want Warning %q", e.Type, e.Message, e.Source.Component, wantMessage)
					}
					return true, nil
				}
			}
			return false, nil
		})
	}
	waitEvent(nsB, "elsewhere", `ownerRef [v1/ConfigMap, namespace: `+nsB+`, name: owner, uid: `+string(owner.UID)+`] does not exist in namespace "`+nsB+`"`)
	waitEvent(metav1.NamespaceDefault, role.Name, `ownerRef [v1/ConfigMap, namespace: , name: owner, uid: `+string(owner.UID)+`] does not exist in namespace ""`)
	// The cluster-scoped dependent stays: its reference can never be resolved.
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 2*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := client.RbacV1().ClusterRoles().Get(ctx, role.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err == nil {
		t.Error("cluster-scoped dependent of a namespaced owner was deleted")
	} else if !wait.Interrupted(err) {
		t.Errorf("checking the cluster role: %v", err)
	}
}
