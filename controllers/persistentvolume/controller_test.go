package persistentvolume_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/persistentvolume"
)

func staticVolume(t *testing.T, c kubernetes.Interface, name, size, class string) {
	t.Helper()
	_, err := c.CoreV1().PersistentVolumes().Create(context.Background(), &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			StorageClassName:              class,
			PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data/" + name}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func createClaim(t *testing.T, c kubernetes.Interface, ns, name, size string, class *string) *corev1.PersistentVolumeClaim {
	t.Helper()
	claim, err := c.CoreV1().PersistentVolumeClaims(ns).Create(context.Background(), &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: class,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return claim
}

func poll(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, controllertest.Timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// A claim binds to the smallest matching static volume; both become Bound with upstream's
// annotations; when the claim goes, a Retain volume stays Released.
func TestStaticBinding(t *testing.T) {
	ctx := context.Background()
	c := srv.Client(t)
	ns := srv.Namespace(t)
	staticVolume(t, c, "pv-static-small", "1Gi", "manual")
	staticVolume(t, c, "pv-static-fits", "5Gi", "manual")
	staticVolume(t, c, "pv-static-big", "50Gi", "manual")
	staticVolume(t, c, "pv-static-other-class", "5Gi", "other")
	controllertest.StartManager(t, srv.ClientConfig, nil, persistentvolume.Setup)
	// As when a user makes volumes first: they are Available before the claim comes.
	poll(t, "the volumes to be Available", func(ctx context.Context) (bool, error) {
		for _, name := range []string{"pv-static-small", "pv-static-fits", "pv-static-big", "pv-static-other-class"} {
			v, err := c.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
			if err != nil || v.Status.Phase != corev1.VolumeAvailable {
				return false, err
			}
		}
		return true, nil
	})
	claim := createClaim(t, c, ns, "data", "2Gi", ptr.To("manual"))

	var got *corev1.PersistentVolumeClaim
	poll(t, "the claim to be Bound", func(ctx context.Context) (bool, error) {
		var err error
		got, err = c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data", metav1.GetOptions{})
		return err == nil && got.Status.Phase == corev1.ClaimBound, err
	})
	if got.Spec.VolumeName != "pv-static-fits" {
		t.Fatalf("bound to %q, want pv-static-fits", got.Spec.VolumeName)
	}
	if got.Annotations["pv.kubernetes.io/bind-completed"] != "yes" || got.Annotations["pv.kubernetes.io/bound-by-controller"] != "yes" {
		t.Errorf("claim annotations = %v", got.Annotations)
	}
	if got.Status.Capacity.Storage().String() != "5Gi" || len(got.Status.AccessModes) != 1 {
		t.Errorf("claim status = %+v", got.Status)
	}
	var v *corev1.PersistentVolume
	poll(t, "the volume to be Bound", func(ctx context.Context) (bool, error) {
		var err error
		v, err = c.CoreV1().PersistentVolumes().Get(ctx, "pv-static-fits", metav1.GetOptions{})
		return err == nil && v.Status.Phase == corev1.VolumeBound, err
	})
	if v.Spec.ClaimRef == nil || v.Spec.ClaimRef.UID != claim.UID || v.Annotations["pv.kubernetes.io/bound-by-controller"] != "yes" {
		t.Errorf("volume claimRef %+v annotations %v", v.Spec.ClaimRef, v.Annotations)
	}
	for _, name := range []string{"pv-static-small", "pv-static-big", "pv-static-other-class"} {
		other, err := c.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
		if err != nil || other.Spec.ClaimRef != nil || other.Status.Phase != corev1.VolumeAvailable {
			t.Errorf("volume %s: err %v claimRef %v phase %s, want Available", name, err, other.Spec.ClaimRef, other.Status.Phase)
		}
	}

	// Deleting the claim: pvc-protection lets it go (no pod uses it); the volume is Released
	// and, Retain, stays.
	if err := c.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, "data", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	poll(t, "the claim to be gone", func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	poll(t, "the volume to be Released", func(ctx context.Context) (bool, error) {
		v, err := c.CoreV1().PersistentVolumes().Get(ctx, "pv-static-fits", metav1.GetOptions{})
		return err == nil && v.Status.Phase == corev1.VolumeReleased, err
	})
}

// A claim that asks for no class finds no volume: Pending, with upstream's event.
func TestNoClassNoVolume(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	createClaim(t, c, ns, "lonely", "1Ti", ptr.To(""))
	controllertest.StartManager(t, srv.ClientConfig, nil, persistentvolume.Setup)
	poll(t, "the FailedBinding event", func(ctx context.Context) (bool, error) {
		events, err := c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
			FieldSelector: fields.OneTermEqualSelector("involvedObject.name", "lonely").String(),
		})
		if err != nil {
			return false, err
		}
		for _, e := range events.Items {
			if e.Reason == "FailedBinding" && e.Message == "no persistent volumes available for this claim and no storage class is set" &&
				e.Source.Component == "persistentvolume-controller" {
				return true, nil
			}
		}
		return false, nil
	})
	claim, err := c.CoreV1().PersistentVolumeClaims(ns).Get(context.Background(), "lonely", metav1.GetOptions{})
	if err != nil || claim.Status.Phase != corev1.ClaimPending {
		t.Errorf("claim: %v phase %s, want Pending", err, claim.Status.Phase)
	}
}
