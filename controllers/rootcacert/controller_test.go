package rootcacert_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/rootcacert"
)

const pem = "-----BEGIN CERTIFICATE-----\nskiff test\n-----END CERTIFICATE-----\n"

// waitPublished waits until ns has the ConfigMap as published (and not the one with UID not).
func waitPublished(t *testing.T, client kubernetes.Interface, ns string, not string) *corev1.ConfigMap {
	t.Helper()
	var cm *corev1.ConfigMap
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		var err error
		cm, err = client.CoreV1().ConfigMaps(ns).Get(ctx, rootcacert.ConfigMapName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return string(cm.UID) != not && cm.Data[rootcacert.DataKey] == pem && len(cm.Data) == 1 &&
			cm.Annotations[rootcacert.DescriptionAnnotation] == rootcacert.Description, nil
	})
	if err != nil {
		t.Fatalf("waiting for %s/%s: %v (last %+v)", ns, rootcacert.ConfigMapName, err, cm)
	}
	return cm
}

// TestPublisher: a new namespace gets kube-root-ca.crt; edits are undone and a deleted one
// comes back.
func TestPublisher(t *testing.T) {
	client := srv.Client(t)
	cfg := config.Defaults()
	cfg.RootCA = []byte(pem)
	controllertest.StartManager(t, srv.ClientConfig, &cfg, rootcacert.Setup)
	ctx := context.Background()

	ns := srv.Namespace(t)
	cm := waitPublished(t, client, ns, "")
	waitPublished(t, client, "kube-system", "")

	cm.Data[rootcacert.DataKey] = "tampered"
	cm.Data["extra"] = "x"
	delete(cm.Annotations, rootcacert.DescriptionAnnotation)
	if _, err := client.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	restored := waitPublished(t, client, ns, "")
	if restored.UID != cm.UID {
		t.Errorf("restored by recreating, not updating")
	}

	if err := client.CoreV1().ConfigMaps(ns).Delete(ctx, rootcacert.ConfigMapName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPublished(t, client, ns, string(cm.UID))
}
