package serviceaccount_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	saadmission "github.com/skiff-sh/skiff/apis/admission/serviceaccount"
	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/serviceaccount"
)

func waitForDefault(t *testing.T, client kubernetes.Interface, ns string) *corev1.ServiceAccount {
	t.Helper()
	var sa *corev1.ServiceAccount
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		var err error
		sa, err = client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		t.Fatalf("waiting for %s/default: %v", ns, err)
	}
	return sa
}

// TestDefaultServiceAccount: every namespace gets the default ServiceAccount, again after
// it is deleted.
func TestDefaultServiceAccount(t *testing.T) {
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, serviceaccount.Setup)
	ns := srv.Namespace(t)
	first := waitForDefault(t, client, ns)
	for _, system := range []string{"default", "kube-system", "kube-public"} {
		waitForDefault(t, client, system)
	}
	if err := client.CoreV1().ServiceAccounts(ns).Delete(context.Background(), "default", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		sa, err := client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil && sa.UID != first.UID, err
	})
	if err != nil {
		t.Fatalf("default service account not recreated: %v", err)
	}
}

// TestPodWithoutServiceAccountRejected: with no controller to create it, a pod in a new
// namespace is rejected after the plugin's retries, with upstream's message.
func TestPodWithoutServiceAccountRejected(t *testing.T) {
	client := srv.Client(t)
	ns := srv.Namespace(t)
	_, err := client.CoreV1().Pods(ns).Create(context.Background(), pod("p"), metav1.CreateOptions{})
	want := fmt.Sprintf(`pods "p" is forbidden: error looking up service account %s/default: serviceaccount "default" not found`, ns)
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Fatalf("error %v, want Forbidden %q", err, want)
	}
}

func pod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Image: "busybox"}},
			Containers:     []corev1.Container{{Name: "c", Image: "busybox"}},
		},
	}
}

// TestPodAdmission: in a new namespace a pod is admitted as soon as the controller made the
// default ServiceAccount, runs as it and mounts the kube-api-access volume.
func TestPodAdmission(t *testing.T) {
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, serviceaccount.Setup)
	ns := srv.Namespace(t)
	ctx := context.Background()

	// Created right away: the plugin waits for the controller.
	created, err := client.CoreV1().Pods(ns).Create(ctx, pod("p"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if created.Spec.ServiceAccountName != "default" {
		t.Errorf("serviceAccountName %q", created.Spec.ServiceAccountName)
	}
	if len(created.Spec.Volumes) != 1 || !strings.HasPrefix(created.Spec.Volumes[0].Name, "kube-api-access-") || len(created.Spec.Volumes[0].Name) != len("kube-api-access-")+5 {
		t.Fatalf("volumes %+v", created.Spec.Volumes)
	}
	vol := created.Spec.Volumes[0]
	if diff := cmp.Diff(saadmission.TokenVolumeSource(), vol.Projected); diff != "" {
		t.Errorf("projected volume (-want +got):\n%s", diff)
	}
	want := []corev1.VolumeMount{{Name: vol.Name, ReadOnly: true, MountPath: "/var/run/secrets/kubernetes.io/serviceaccount"}}
	for _, c := range append(created.Spec.InitContainers, created.Spec.Containers...) {
		if diff := cmp.Diff(want, c.VolumeMounts); diff != "" {
			t.Errorf("container %s mounts (-want +got):\n%s", c.Name, diff)
		}
	}

	optOut := pod("no-token")
	optOut.Spec.AutomountServiceAccountToken = ptr.To(false)
	created, err = client.CoreV1().Pods(ns).Create(ctx, optOut, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(created.Spec.Volumes) != 0 || len(created.Spec.Containers[0].VolumeMounts) != 0 {
		t.Errorf("opted-out pod got %+v", created.Spec.Volumes)
	}

	robot := pod("robot")
	robot.Spec.ServiceAccountName = "robot"
	_, err = client.CoreV1().Pods(ns).Create(ctx, robot, metav1.CreateOptions{})
	wantErr := fmt.Sprintf(`pods "robot" is forbidden: error looking up service account %s/robot: serviceaccount "robot" not found`, ns)
	if !apierrors.IsForbidden(err) || err.Error() != wantErr {
		t.Fatalf("error %v, want Forbidden %q", err, wantErr)
	}
	if _, err := client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{
		ObjectMeta:       metav1.ObjectMeta{Name: "robot"},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "registry"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	created, err = client.CoreV1().Pods(ns).Create(ctx, robot, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(created.Spec.ImagePullSecrets) != 1 || created.Spec.ImagePullSecrets[0].Name != "registry" {
		t.Errorf("imagePullSecrets %v", created.Spec.ImagePullSecrets)
	}
}
