package volumes

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestSetUpLocalVolumes(t *testing.T) {
	root := t.TempDir()
	host := filepath.Join(t.TempDir(), "host")
	m := NewManager(Config{RootDir: root, SecretsOnDisk: true})
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "uid-1", Labels: map[string]string{"app": "a"}},
		Spec: corev1.PodSpec{
			Volumes: []corev1.Volume{
				{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "info", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
					DefaultMode: ptr.To[int32](0o644),
					Items:       []corev1.DownwardAPIVolumeFile{{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"}}},
				}}},
				{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: host, Type: ptr.To(corev1.HostPathDirectoryOrCreate)}}},
			},
			Containers: []corev1.Container{{Name: "c", VolumeMounts: []corev1.VolumeMount{
				{Name: "scratch", MountPath: "/scratch"},
				{Name: "info", MountPath: "/etc/info"},
				{Name: "host", MountPath: "/host", SubPath: "sub"},
			}}},
		},
	}
	ctx := context.Background()
	for range 2 { // the second run must find everything in place
		if err := m.SetUp(ctx, pod); err != nil {
			t.Fatal(err)
		}
	}
	scratch := filepath.Join(root, "pods/uid-1/volumes/kubernetes.io~empty-dir/scratch")
	if info, err := os.Stat(scratch); err != nil || info.Mode().Perm() != 0o777 {
		t.Errorf("emptyDir: %v, %v", info, err)
	}
	info := filepath.Join(root, "pods/uid-1/volumes/kubernetes.io~downward-api/info")
	if b, err := os.ReadFile(filepath.Join(info, "labels")); err != nil || string(b) != `app="a"` {
		t.Errorf("labels file: %q, %v", b, err)
	}
	mounts, err := m.Mounts(pod, &pod.Spec.Containers[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, mt := range mounts {
		ro := ""
		if mt.Readonly {
			ro = " ro"
		}
		got[mt.ContainerPath] = mt.HostPath + ro
	}
	want := map[string]string{"/scratch": scratch, "/etc/info": info + " ro", "/host": filepath.Join(host, "sub")}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("mount %s = %q, want %q", k, got[k], v)
		}
	}
	if p, ok := m.VolumeDir("uid-1", "scratch"); !ok || p != scratch {
		t.Errorf("VolumeDir = %q, %v", p, ok)
	}

	if err := m.TearDown(ctx, "uid-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "pods/uid-1/volumes")); !os.IsNotExist(err) {
		t.Errorf("volumes dir still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(host, "sub")); err != nil {
		t.Errorf("TearDown touched the hostPath: %v", err)
	}
	if err := m.TearDown(ctx, "uid-1"); err != nil {
		t.Errorf("second TearDown: %v", err)
	}
}

func TestSetUpErrors(t *testing.T) {
	m := NewManager(Config{RootDir: t.TempDir(), SecretsOnDisk: true})
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "uid-2"},
		Spec: corev1.PodSpec{Volumes: []corev1.Volume{
			{Name: "nfs", VolumeSource: corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "s", Path: "/"}}},
			{Name: "ok", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			{Name: "weird", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: "Disk"}}},
			{Name: "missing", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/nonexistent/x", Type: ptr.To(corev1.HostPathFile)}}},
		}},
	}
	err := m.SetUp(context.Background(), pod)
	want := []string{
		`MountVolume.SetUp failed for volume "nfs" : volume type nfs is not supported by this node`,
		`MountVolume.SetUp failed for volume "weird" : unknown storage medium "Disk"`,
		`MountVolume.SetUp failed for volume "missing" : hostPath type check failed, /nonexistent/x is not a file`,
	}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not contain %q", err, w)
		}
	}
	if _, ok := m.VolumeDir("uid-2", "ok"); !ok {
		t.Error("a failing volume kept the others from being set up")
	}
}

func TestMemoryEmptyDirTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting tmpfs needs root")
	}
	root := t.TempDir()
	m := NewManager(Config{RootDir: root, NodeAllocatable: func() corev1.ResourceList {
		return corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}
	}})
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "uid-3"},
		Spec: corev1.PodSpec{Volumes: []corev1.Volume{
			{Name: "mem", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: ptr.To(resource.MustParse("4Mi"))}}},
			{Name: "sec", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
				DefaultMode: ptr.To[int32](0o644),
				Items:       []corev1.DownwardAPIVolumeFile{{Path: "name", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			}}},
		}},
	}
	t.Cleanup(func() { _ = m.TearDown(context.Background(), pod.UID) })
	ctx := context.Background()
	if err := m.SetUp(ctx, pod); err != nil {
		t.Fatal(err)
	}
	mem := filepath.Join(root, "pods/uid-3/volumes/kubernetes.io~empty-dir/mem")
	if err := os.WriteFile(filepath.Join(mem, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// SetUp again must not mount a second tmpfs over the first.
	if err := m.SetUp(ctx, pod); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(mem, "f")); err != nil {
		t.Errorf("file written to the tmpfs is hidden after a second SetUp: %v", err)
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(mem, &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Type != unix.TMPFS_MAGIC || int64(fs.Blocks)*fs.Bsize != 4<<20 {
		t.Errorf("emptyDir fs type %x size %d, want tmpfs of 4Mi", fs.Type, int64(fs.Blocks)*fs.Bsize)
	}
	sec := filepath.Join(root, "pods/uid-3/volumes/kubernetes.io~downward-api/sec")
	if tmp, err := isTmpfs(sec); err != nil || !tmp {
		t.Errorf("downwardAPI volume on tmpfs = %v, %v", tmp, err)
	}
	if err := m.TearDown(ctx, pod.UID); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{mem, sec} {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s still exists after TearDown: %v", dir, err)
		}
	}
}
