package volumes

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/utils/ptr"
)

func TestCRIMount(t *testing.T) {
	vol := t.TempDir()
	if err := os.Chmod(vol, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(vol, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(vol, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("inside", filepath.Join(vol, "link")); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"POD": "web-0", "EMPTY": ""}
	prop := func(m corev1.MountPropagationMode) *corev1.MountPropagationMode { return &m }
	tests := []struct {
		name     string
		vm       corev1.VolumeMount
		readOnly bool
		want     *runtimeapi.Mount
		wantErr  string
		wantDir  string
	}{
		{name: "plain", vm: corev1.VolumeMount{Name: "v", MountPath: "/data"},
			want: &runtimeapi.Mount{ContainerPath: "/data", HostPath: vol}},
		{name: "relative mount path made absolute", vm: corev1.VolumeMount{Name: "v", MountPath: "data", ReadOnly: true},
			want: &runtimeapi.Mount{ContainerPath: "/data", HostPath: vol, Readonly: true}},
		{name: "volume forces read-only", vm: corev1.VolumeMount{Name: "v", MountPath: "/c"}, readOnly: true,
			want: &runtimeapi.Mount{ContainerPath: "/c", HostPath: vol, Readonly: true}},
		{name: "subPath created with the volume's mode", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", SubPath: "a/b"},
			want: &runtimeapi.Mount{ContainerPath: "/d", HostPath: filepath.Join(vol, "a/b")}, wantDir: "a/b"},
		{name: "subPathExpr", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", SubPathExpr: "logs/$(POD)"},
			want: &runtimeapi.Mount{ContainerPath: "/d", HostPath: filepath.Join(vol, "logs/web-0")}, wantDir: "logs/web-0"},
		{name: "subPathExpr missing values", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", SubPathExpr: "$(NOPE)/$(EMPTY)/$(POD)"},
			wantErr: "missing value for EMPTY, NOPE"},
		{name: "subPath through an inside symlink", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", SubPath: "link"},
			want: &runtimeapi.Mount{ContainerPath: "/d", HostPath: filepath.Join(vol, "inside")}},
		{name: "subPath escaping through a symlink", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", SubPath: "escape"},
			wantErr: `failed to prepare subPath for volumeMount "v" of container "c": subpath is outside the volume`},
		{name: "subPath creation through an escaping symlink", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", SubPath: "escape/newdir"},
			wantErr: `failed to prepare subPath for volumeMount "v" of container "c": subpath is outside the volume`},
		{name: "absolute subPath", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", SubPath: "/etc"},
			wantErr: "error SubPath `/etc` must not be an absolute path"},
		{name: "subPath backsteps", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", SubPath: "a/../../x"},
			wantErr: "unable to provision SubPath `a/../../x`: must not contain '..'"},
		{name: "expanded subPath backsteps", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", SubPathExpr: "$(POD)/.."},
			wantErr: "unable to provision SubPath `web-0/..`: must not contain '..'"},
		{name: "host to container", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", MountPropagation: prop(corev1.MountPropagationHostToContainer)},
			want: &runtimeapi.Mount{ContainerPath: "/d", HostPath: vol, Propagation: runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER}},
		{name: "bidirectional", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", MountPropagation: prop(corev1.MountPropagationBidirectional)},
			want: &runtimeapi.Mount{ContainerPath: "/d", HostPath: vol, Propagation: runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL}},
		{name: "bad propagation", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", MountPropagation: prop("Sideways")},
			wantErr: `invalid MountPropagation mode: "Sideways"`},
		{name: "recursive read-only if possible", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", ReadOnly: true, RecursiveReadOnly: ptr.To(corev1.RecursiveReadOnlyIfPossible)},
			want: &runtimeapi.Mount{ContainerPath: "/d", HostPath: vol, Readonly: true}},
		{name: "recursive read-only enabled", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", ReadOnly: true, RecursiveReadOnly: ptr.To(corev1.RecursiveReadOnlyEnabled)},
			wantErr: `volume "v" requested recursive read-only mode, but it is not supported by the runtime`},
		{name: "recursive read-only needs read-only", vm: corev1.VolumeMount{Name: "v", MountPath: "/d", RecursiveReadOnly: ptr.To(corev1.RecursiveReadOnlyIfPossible)},
			wantErr: `volume "v" requested recursive read-only mode, but it is not read-only`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := criMount(tt.vm, hostVolume{path: vol, readOnly: tt.readOnly}, "c", env)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(plainMount(tt.want), plainMount(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.wantDir != "" {
				info, err := os.Stat(filepath.Join(vol, tt.wantDir))
				if err != nil || info.Mode().Perm() != 0o750 {
					t.Errorf("subPath dir: %v, %v; want mode 0750", info.Mode(), err)
				}
			}
		})
	}
	if _, err := os.Stat("/etc/newdir"); err == nil {
		t.Error("created a directory outside the volume")
	}
}

func TestMountsNeedsSetUp(t *testing.T) {
	m := NewManager(Config{RootDir: t.TempDir()})
	pod := &corev1.Pod{Spec: corev1.PodSpec{Volumes: []corev1.Volume{{Name: "v"}}}}
	c := &corev1.Container{Name: "c", VolumeMounts: []corev1.VolumeMount{{Name: "other", MountPath: "/x"}}}
	if _, err := m.Mounts(pod, c, nil); err == nil || err.Error() != `cannot find volume "other" to mount into container "c"` {
		t.Errorf("error = %v", err)
	}
	c.VolumeMounts[0].Name = "v"
	if _, err := m.Mounts(pod, c, nil); err == nil || err.Error() != `volume "v" of container "c" is not set up` {
		t.Errorf("error = %v", err)
	}
}

// mountFields is a CRI mount without protobuf internals, for comparing.
type mountFields struct {
	ContainerPath, HostPath string
	Readonly                bool
	Propagation             runtimeapi.MountPropagation
}

func plainMount(m *runtimeapi.Mount) mountFields {
	return mountFields{m.ContainerPath, m.HostPath, m.Readonly, m.Propagation}
}
