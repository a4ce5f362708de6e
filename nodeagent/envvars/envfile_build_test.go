package envvars

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

func TestBuildFileKeyRef(t *testing.T) {
	vol := t.TempDir()
	if err := os.WriteFile(filepath.Join(vol, "vars.env"), []byte("TOKEN='abc'\nEMPTY=''\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(vol, "bad.env"), []byte("TOKEN=abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/hostname", filepath.Join(vol, "escape.env")); err != nil {
		t.Fatal(err)
	}
	dirs := func(uid types.UID, name string) (string, bool) { return vol, uid == "u" && name == "shared" }
	ref := func(volume, path, key string, optional bool) []corev1.EnvVar {
		return []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{
			VolumeName: volume, Path: path, Key: key, Optional: ptr.To(optional)}}}}
	}
	tests := []struct {
		name      string
		env       []corev1.EnvVar
		want      string
		wantUnset bool
		wantErr   string
	}{
		{name: "found", env: ref("shared", "vars.env", "TOKEN", false), want: "abc"},
		{name: "missing key", env: ref("shared", "vars.env", "NOPE", false), wantErr: `environment variable key "NOPE" not found in file "` + vol + `/vars.env"`},
		{name: "empty counts as missing", env: ref("shared", "vars.env", "EMPTY", false), wantErr: `environment variable key "EMPTY" not found in file "` + vol + `/vars.env"`},
		{name: "optional missing key", env: ref("shared", "vars.env", "NOPE", true), wantUnset: true},
		{name: "bad file", env: ref("shared", "bad.env", "TOKEN", false), wantErr: "couldn't parse env file"},
		{name: "missing file", env: ref("shared", "none.env", "TOKEN", true), wantErr: "couldn't parse env file"},
		{name: "symlink out of the volume", env: ref("shared", "escape.env", "TOKEN", false), wantErr: "couldn't parse env file"},
		{name: "unknown volume", env: ref("other", "vars.env", "TOKEN", false), wantErr: `cannot find the volume "other" referenced by FileKeyRef`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input{
				pod:       &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"}},
				container: &corev1.Container{Name: "c", Env: tt.env},
				volumeDir: dirs,
			}
			got, err := build(context.Background(), in, &tableObjects{})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantUnset {
				if len(got) != 0 {
					t.Errorf("got %v, want nothing", got)
				}
				return
			}
			if len(got) != 1 || got[0].Value != tt.want {
				t.Errorf("got %v, want X=%q", got, tt.want)
			}
		})
	}
}
