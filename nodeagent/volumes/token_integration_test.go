package volumes_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/volumes"
)

// volumeManager is the kubelet's VolumeManager contract (nodeagent/kubelet/deps.go).
type volumeManager interface {
	SetUp(ctx context.Context, pod *corev1.Pod) error
	Mounts(pod *corev1.Pod, c *corev1.Container, env map[string]string) ([]*runtimeapi.Mount, error)
	TearDown(ctx context.Context, podUID types.UID) error
}

var _ volumeManager = (*volumes.Manager)(nil)

func TestProjectedTokenRefresh(t *testing.T) {
	ctx := t.Context()
	client := srv.Client(t)
	ns := srv.Namespace(t)
	if _, err := client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod, err := client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Spec: corev1.PodSpec{
			ServiceAccountName: "default",
			Containers:         []corev1.Container{{Name: "c", Image: "busybox"}},
			Volumes: []corev1.Volume{{Name: "tok", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
				Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To[int64](600)}}},
			}}}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clk := clocktesting.NewFakeClock(time.Now())
	root := t.TempDir()
	m := volumes.NewManager(volumes.Config{RootDir: root, Client: client, Clock: clk, SecretsOnDisk: true})
	t.Cleanup(func() { _ = m.TearDown(context.Background(), pod.UID) })
	file := filepath.Join(root, "pods", string(pod.UID), "volumes/kubernetes.io~projected/tok/token")
	read := func() string {
		t.Helper()
		if err := m.SetUp(ctx, pod); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first := read()
	clk.Step(7 * time.Minute) // 70% of 10 minutes: keep
	if read() != first {
		t.Error("token refreshed before 80% of its lifetime")
	}
	clk.Step(2 * time.Minute) // 90%: refresh
	if second := read(); second == first || second == "" {
		t.Error("token not refreshed after 80% of its lifetime")
	}
}
