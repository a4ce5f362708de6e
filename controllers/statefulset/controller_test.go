package statefulset_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/statefulset"
	"github.com/skiff-sh/skiff/test/integration/framework"
)

var srv *framework.Server

func TestMain(m *testing.M) {
	var err error
	srv, err = framework.Start(context.Background(), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the apiserver:", err)
		os.Exit(1)
	}
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

func newSet(ns, name string, replicas int32) *appsv1.StatefulSet {
	labels := map[string]string{"app": name}
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(replicas),
			ServiceName: name,
			Selector:    &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx:1"}}},
			},
		},
	}
}

func poll(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func waitPod(t *testing.T, c kubernetes.Interface, ns, name string) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	poll(t, "pod "+name, func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		pod = p
		return err == nil && p.DeletionTimestamp == nil, err
	})
	return pod
}

func waitStatus(t *testing.T, c kubernetes.Interface, ns, name, what string, cond func(*appsv1.StatefulSet) bool) *appsv1.StatefulSet {
	t.Helper()
	var set *appsv1.StatefulSet
	poll(t, what, func(ctx context.Context) (bool, error) {
		s, err := c.AppsV1().StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
		set = s
		return err == nil && cond(s), err
	})
	return set
}

// finishDeletion plays the kubelet for a pod being deleted: once it is terminating, it is
// removed for good.
func finishDeletion(t *testing.T, c kubernetes.Interface, ns, name string) {
	t.Helper()
	poll(t, "pod "+name+" to terminate", func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil || p.DeletionTimestamp == nil {
			return false, err
		}
		err = c.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
		return err == nil || apierrors.IsNotFound(err), nil
	})
}

func exists(t *testing.T, c kubernetes.Interface, ns, name string) bool {
	t.Helper()
	_, err := c.CoreV1().Pods(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

func TestOrderedReadyScaleUpAndDown(t *testing.T) {
	controllertest.StartManager(t, srv.ClientConfig, nil, statefulset.Setup)
	c, ns, ctx := srv.Client(t), srv.Namespace(t), context.Background()

	set := newSet(ns, "web", 2)
	set.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{
		ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}}
	if _, err := c.AppsV1().StatefulSets(ns).Create(ctx, set, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod0 := waitPod(t, c, ns, "web-0")
	if pod0.Spec.Hostname != "web-0" || pod0.Spec.Subdomain != "web" ||
		pod0.Labels[appsv1.StatefulSetPodNameLabel] != "web-0" || pod0.Labels[appsv1.PodIndexLabel] != "0" ||
		pod0.Labels[appsv1.StatefulSetRevisionLabel] == "" {
		t.Errorf("pod web-0 identity: hostname %q subdomain %q labels %v", pod0.Spec.Hostname, pod0.Spec.Subdomain, pod0.Labels)
	}
	var claimVolume string
	for _, v := range pod0.Spec.Volumes {
		if v.Name == "data" && v.PersistentVolumeClaim != nil {
			claimVolume = v.PersistentVolumeClaim.ClaimName
		}
	}
	if claimVolume != "data-web-0" {
		t.Errorf("pod web-0 mounts claim %q, want data-web-0", claimVolume)
	}
	pvc, err := c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data-web-0", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("claim data-web-0: %v", err)
	}
	if pvc.Labels["app"] != "web" {
		t.Errorf("claim labels = %v", pvc.Labels)
	}

	// The controller has seen web-0 and stopped there: web-1 waits for web-0 to be ready.
	waitStatus(t, c, ns, "web", "status.replicas 1", func(s *appsv1.StatefulSet) bool { return s.Status.Replicas == 1 })
	if exists(t, c, ns, "web-1") {
		t.Fatal("web-1 created before web-0 was ready")
	}
	controllertest.MarkPodRunning(t, c, pod0, "node-1", true)
	pod1 := waitPod(t, c, ns, "web-1")
	if _, err := c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data-web-1", metav1.GetOptions{}); err != nil {
		t.Errorf("claim data-web-1: %v", err)
	}
	controllertest.MarkPodRunning(t, c, pod1, "node-1", true)
	done := waitStatus(t, c, ns, "web", "rollout complete", func(s *appsv1.StatefulSet) bool {
		return s.Status.ReadyReplicas == 2 && s.Status.AvailableReplicas == 2 && s.Status.CurrentReplicas == 2 &&
			s.Status.UpdatedReplicas == 2 && s.Status.ObservedGeneration == s.Generation
	})
	if done.Status.CurrentRevision == "" || done.Status.CurrentRevision != done.Status.UpdateRevision {
		t.Errorf("revisions: current %q update %q", done.Status.CurrentRevision, done.Status.UpdateRevision)
	}
	rev, err := c.AppsV1().ControllerRevisions(ns).Get(ctx, done.Status.UpdateRevision, metav1.GetOptions{})
	if err != nil || metav1.GetControllerOf(rev) == nil || metav1.GetControllerOf(rev).UID != done.UID {
		t.Errorf("controller revision %s: %v %+v", done.Status.UpdateRevision, err, rev)
	}
	poll(t, "SuccessfulCreate event", func(ctx context.Context) (bool, error) {
		evs, err := c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, e := range evs.Items {
			// Upstream titles the verb: "Create Pod web-1 in StatefulSet web successful".
			if e.Reason == "SuccessfulCreate" && e.Message == "Create Pod web-1 in StatefulSet web successful" {
				return e.Source.Component == "statefulset-controller", nil
			}
		}
		return false, nil
	})

	// Scale down removes the highest ordinal only.
	if _, err := c.AppsV1().StatefulSets(ns).Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"replicas":1}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	finishDeletion(t, c, ns, "web-1")
	waitStatus(t, c, ns, "web", "status.replicas 1", func(s *appsv1.StatefulSet) bool {
		return s.Status.Replicas == 1 && s.Status.ReadyReplicas == 1
	})
	if p, err := c.CoreV1().Pods(ns).Get(ctx, "web-0", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Errorf("web-0 touched by the scale down: %v", err)
	}
	// Claims are retained by default.
	if _, err := c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data-web-1", metav1.GetOptions{}); err != nil {
		t.Errorf("claim data-web-1 after scale down: %v", err)
	}
}

func TestRecreatesDeletedPod(t *testing.T) {
	controllertest.StartManager(t, srv.ClientConfig, nil, statefulset.Setup)
	c, ns, ctx := srv.Client(t), srv.Namespace(t), context.Background()
	if _, err := c.AppsV1().StatefulSets(ns).Create(ctx, newSet(ns, "db", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	first := waitPod(t, c, ns, "db-0")
	// A pod that never got scheduled is deleted at once.
	if err := c.CoreV1().Pods(ns).Delete(ctx, "db-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	poll(t, "db-0 recreated", func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, "db-0", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil && p.UID != first.UID, err
	})
}

func TestParallelCreatesAllAtOnce(t *testing.T) {
	controllertest.StartManager(t, srv.ClientConfig, nil, statefulset.Setup)
	c, ns, ctx := srv.Client(t), srv.Namespace(t), context.Background()
	set := newSet(ns, "par", 3)
	set.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
	set.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: 5}
	if _, err := c.AppsV1().StatefulSets(ns).Create(ctx, set, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// None is ready, yet all three exist.
	for _, name := range []string{"par-5", "par-6", "par-7"} {
		waitPod(t, c, ns, name)
	}
	if exists(t, c, ns, "par-0") {
		t.Error("par-0 created despite ordinals.start 5")
	}
}

func TestRollingUpdateWithPartition(t *testing.T) {
	controllertest.StartManager(t, srv.ClientConfig, nil, statefulset.Setup)
	c, ns, ctx := srv.Client(t), srv.Namespace(t), context.Background()
	set := newSet(ns, "app", 3)
	set.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
	set.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{
		Type:          appsv1.RollingUpdateStatefulSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To[int32](2)},
	}
	if _, err := c.AppsV1().StatefulSets(ns).Create(ctx, set, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		controllertest.MarkPodRunning(t, c, waitPod(t, c, ns, fmt.Sprintf("app-%d", i)), "node-1", true)
	}
	before := waitStatus(t, c, ns, "app", "all ready", func(s *appsv1.StatefulSet) bool {
		return s.Status.ReadyReplicas == 3 && s.Status.CurrentRevision != "" && s.Status.CurrentRevision == s.Status.UpdateRevision
	})
	oldRev := before.Status.CurrentRevision

	if _, err := c.AppsV1().StatefulSets(ns).Patch(ctx, "app", types.MergePatchType,
		[]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	finishDeletion(t, c, ns, "app-2")
	pod2 := waitPod(t, c, ns, "app-2")
	if pod2.Spec.Containers[0].Image != "nginx:2" || pod2.Labels[appsv1.StatefulSetRevisionLabel] == oldRev {
		t.Fatalf("app-2 recreated with image %s revision %s", pod2.Spec.Containers[0].Image, pod2.Labels[appsv1.StatefulSetRevisionLabel])
	}
	controllertest.MarkPodRunning(t, c, pod2, "node-1", true)
	after := waitStatus(t, c, ns, "app", "partitioned rollout", func(s *appsv1.StatefulSet) bool {
		return s.Status.UpdatedReplicas == 1 && s.Status.ReadyReplicas == 3 && s.Status.ObservedGeneration == s.Generation
	})
	if after.Status.CurrentRevision != oldRev || after.Status.UpdateRevision == oldRev {
		t.Errorf("revisions: current %s update %s, old %s", after.Status.CurrentRevision, after.Status.UpdateRevision, oldRev)
	}
	for _, name := range []string{"app-0", "app-1"} {
		p, err := c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.DeletionTimestamp != nil || p.Labels[appsv1.StatefulSetRevisionLabel] != oldRev || !strings.HasSuffix(p.Spec.Containers[0].Image, ":1") {
			t.Errorf("%s below the partition was updated: revision %s image %s", name, p.Labels[appsv1.StatefulSetRevisionLabel], p.Spec.Containers[0].Image)
		}
	}
	revs, err := c.AppsV1().ControllerRevisions(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(revs.Items) != 2 {
		t.Errorf("controller revisions: %v, %d", err, len(revs.Items))
	}
}

func TestClaimRetentionPolicy(t *testing.T) {
	controllertest.StartManager(t, srv.ClientConfig, nil, statefulset.Setup)
	c, ns, ctx := srv.Client(t), srv.Namespace(t), context.Background()
	set := newSet(ns, "r", 2)
	set.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
	set.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
		WhenDeleted: appsv1.DeletePersistentVolumeClaimRetentionPolicyType,
		WhenScaled:  appsv1.DeletePersistentVolumeClaimRetentionPolicyType,
	}
	set.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{
		ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}}
	created, err := c.AppsV1().StatefulSets(ns).Create(ctx, set, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ownedBy := func(claim, uid string) func(ctx context.Context) (bool, error) {
		return func(ctx context.Context) (bool, error) {
			pvc, err := c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, claim, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			ref := metav1.GetControllerOf(pvc)
			return ref != nil && string(ref.UID) == uid, nil
		}
	}
	poll(t, "data-r-0 owned by the set", ownedBy("data-r-0", string(created.UID)))
	pod1 := waitPod(t, c, ns, "r-1")
	poll(t, "data-r-1 owned by the set", ownedBy("data-r-1", string(created.UID)))

	if _, err := c.AppsV1().StatefulSets(ns).Patch(ctx, "r", types.MergePatchType, []byte(`{"spec":{"replicas":1}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	// Scaled away, the claim follows its pod (the garbage collector deletes it with the pod).
	poll(t, "data-r-1 owned by pod r-1", ownedBy("data-r-1", string(pod1.UID)))
	poll(t, "data-r-0 still owned by the set", ownedBy("data-r-0", string(created.UID)))
}

func TestAdoptsOrphanAndReplacesFailedPod(t *testing.T) {
	controllertest.StartManager(t, srv.ClientConfig, nil, statefulset.Setup)
	c, ns, ctx := srv.Client(t), srv.Namespace(t), context.Background()
	set := newSet(ns, "orph", 1)
	orphan := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orph-0", Labels: map[string]string{"app": "orph"}},
		Spec:       *set.Spec.Template.Spec.DeepCopy(),
	}
	orphan, err := c.CoreV1().Pods(ns).Create(ctx, orphan, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.AppsV1().StatefulSets(ns).Create(ctx, set, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	poll(t, "orphan adopted", func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, "orph-0", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		ref := metav1.GetControllerOf(p)
		return ref != nil && ref.UID == created.UID && p.UID == orphan.UID, nil
	})

	// A failed pod is deleted and created again.
	running := controllertest.MarkPodRunning(t, c, orphan, "node-1", false)
	running.Status.Phase = corev1.PodFailed
	if _, err := c.CoreV1().Pods(ns).UpdateStatus(ctx, running, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A terminal pod is deleted at once (no grace period), so its replacement follows directly.
	poll(t, "orph-0 replaced", func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, "orph-0", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil && p.UID != orphan.UID && p.Status.Phase != corev1.PodFailed, err
	})
}
