package volumes

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestFSGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("changing group ownership needs root")
	}
	root := t.TempDir()
	m := NewManager(Config{RootDir: root, SecretsOnDisk: true})
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "uid-fs"},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{FSGroup: ptr.To[int64](4321)},
			Volumes: []corev1.Volume{
				{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "info", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
					DefaultMode: ptr.To[int32](0o600),
					Items:       []corev1.DownwardAPIVolumeFile{{Path: "name", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
				}}},
			},
		},
	}
	ctx := context.Background()
	t.Cleanup(func() { _ = m.TearDown(ctx, pod.UID) })
	if err := m.SetUp(ctx, pod); err != nil {
		t.Fatal(err)
	}
	vols := filepath.Join(root, "pods/uid-fs/volumes")
	check := func(rel string, wantMode os.FileMode) {
		t.Helper()
		info, err := os.Stat(filepath.Join(vols, rel))
		if err != nil {
			t.Fatal(err)
		}
		if gid := info.Sys().(*syscall.Stat_t).Gid; gid != 4321 {
			t.Errorf("%s gid %d, want 4321", rel, gid)
		}
		if got := info.Mode() & (os.ModePerm | os.ModeSetgid); got != wantMode {
			t.Errorf("%s mode %v, want %v", rel, got, wantMode)
		}
	}
	check("kubernetes.io~empty-dir/scratch", 0o777|os.ModeSetgid)
	check("kubernetes.io~downward-api/info/name", 0o640)
	// The group-readable mode is what SetUp compares against: no republishing.
	link, _ := os.Readlink(filepath.Join(vols, "kubernetes.io~downward-api/info/..data"))
	if err := m.SetUp(ctx, pod); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.Readlink(filepath.Join(vols, "kubernetes.io~downward-api/info/..data")); again != link {
		t.Errorf("unchanged volume republished: %s -> %s", link, again)
	}
}
