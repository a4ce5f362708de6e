package localpath_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/localpath"
	"github.com/skiff-sh/skiff/controllers/persistentvolume"
)

func poll(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, controllertest.Timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// The default class appears; a claim of it waits for the scheduler's node, then gets a
// hostPath volume on that node and both are Bound; when the claim goes the volume is deleted.
func TestDynamicProvisioning(t *testing.T) {
	ctx := context.Background()
	c := srv.Client(t)
	ns := srv.Namespace(t)
	cfg := config.Defaults()
	cfg.LocalPathDir = "/var/lib/skiff-test/local-path"
	controllertest.StartManager(t, srv.ClientConfig, &cfg, persistentvolume.Setup, localpath.Setup)

	poll(t, "the default StorageClass", func(ctx context.Context) (bool, error) {
		sc, err := c.StorageV1().StorageClasses().Get(ctx, localpath.DefaultClassName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if sc.Provisioner != localpath.Provisioner || sc.Annotations["storageclass.kubernetes.io/is-default-class"] != "true" ||
			*sc.VolumeBindingMode != "WaitForFirstConsumer" || *sc.ReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
			t.Errorf("class = %+v", sc)
		}
		return true, nil
	})
	node, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name: "lp-node", Labels: map[string]string{corev1.LabelHostname: "lp-node"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CoreV1().Nodes().Delete(context.Background(), node.Name, metav1.DeleteOptions{}) })

	// No class named: the default one is taken (admission or the binder).
	claim, err := c.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("3Gi")}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	poll(t, "the WaitForFirstConsumer event", func(ctx context.Context) (bool, error) {
		events, err := c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("involvedObject.name", "data").String()})
		if err != nil {
			return false, err
		}
		for _, e := range events.Items {
			if e.Reason == "WaitForFirstConsumer" && e.Message == "waiting for first consumer to be created before binding" {
				return true, nil
			}
		}
		return false, nil
	})
	pvName := "pvc-" + string(claim.UID)
	if _, err := c.CoreV1().PersistentVolumes().Get(ctx, pvName, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("volume made before a node was selected: %v", err)
	}

	// The scheduler picks the node.
	patch := []byte(`{"metadata":{"annotations":{"volume.kubernetes.io/selected-node":"lp-node"}}}`)
	if _, err := c.CoreV1().PersistentVolumeClaims(ns).Patch(ctx, "data", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	var got *corev1.PersistentVolumeClaim
	poll(t, "the claim to be Bound", func(ctx context.Context) (bool, error) {
		got, err = c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data", metav1.GetOptions{})
		return err == nil && got.Status.Phase == corev1.ClaimBound, err
	})
	if got.Spec.VolumeName != pvName || got.Annotations["volume.kubernetes.io/storage-provisioner"] != localpath.Provisioner ||
		got.Annotations["volume.beta.kubernetes.io/storage-provisioner"] != localpath.Provisioner ||
		got.Annotations["pv.kubernetes.io/bind-completed"] != "yes" || *got.Spec.StorageClassName != localpath.DefaultClassName {
		t.Errorf("claim spec %+v annotations %v", got.Spec, got.Annotations)
	}
	var v *corev1.PersistentVolume
	poll(t, "the volume to be Bound", func(ctx context.Context) (bool, error) {
		v, err = c.CoreV1().PersistentVolumes().Get(ctx, pvName, metav1.GetOptions{})
		return err == nil && v.Status.Phase == corev1.VolumeBound, err
	})
	if v.Annotations["pv.kubernetes.io/provisioned-by"] != localpath.Provisioner {
		t.Errorf("volume annotations = %v", v.Annotations)
	}
	if want := cfg.LocalPathDir + "/" + ns + "_data_" + pvName; v.Spec.HostPath == nil || v.Spec.HostPath.Path != want || *v.Spec.HostPath.Type != corev1.HostPathDirectoryOrCreate {
		t.Errorf("hostPath = %+v, want %s", v.Spec.HostPath, want)
	}
	expr := v.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0]
	if expr.Key != corev1.LabelHostname || len(expr.Values) != 1 || expr.Values[0] != "lp-node" {
		t.Errorf("node affinity = %+v", expr)
	}
	if v.Spec.Capacity.Storage().String() != "3Gi" || v.Spec.ClaimRef.UID != claim.UID {
		t.Errorf("volume spec = %+v", v.Spec)
	}

	// Reclaim policy Delete: the volume goes with the claim.
	if err := c.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, "data", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	poll(t, "the volume to be deleted", func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().PersistentVolumes().Get(ctx, pvName, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
}
