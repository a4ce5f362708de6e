package integration

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/skiff-sh/skiff/test/integration/framework"
)

// Two API servers on one external etcd (the `skiff apiserver --etcd-servers` HA setup) see
// each other's writes.
func TestExternalEtcdSharedByTwoServers(t *testing.T) {
	ctx := context.Background()
	// Both servers share one data dir, so they share the CA and the admin certificate.
	dir := t.TempDir()
	useEtcd, stopEtcd, err := framework.ExternalEtcd(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer stopEtcd()

	first, err := framework.Start(ctx, dir, useEtcd)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Stop()
	second, err := framework.Start(ctx, dir, useEtcd)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Stop()

	c1, c2 := kubernetes.NewForConfigOrDie(first.ClientConfig), kubernetes.NewForConfigOrDie(second.ClientConfig)
	if _, err := c1.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "shared"}, Data: map[string]string{"from": "first"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := c2.CoreV1().ConfigMaps("default").Get(ctx, "shared", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Data["from"] != "first" {
		t.Errorf("second server read %v", got.Data)
	}
}
