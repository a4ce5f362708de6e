package volumes

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestConfigMapAndSecretPayload(t *testing.T) {
	cm := &corev1.ConfigMap{Data: map[string]string{"a": "1", "b": "2"}, BinaryData: map[string][]byte{"bin": {0, 1}}}
	secret := &corev1.Secret{Data: map[string][]byte{"a": []byte("1"), "b": []byte("2")}}
	mode := ptr.To[int32](0o644)
	tests := []struct {
		name            string
		items           []corev1.KeyToPath
		defaultMode     *int32
		optional        bool
		wantCM, wantSec map[string]File
		wantCMErr       string
		wantSecErr      string
	}{
		{
			name: "all keys", defaultMode: mode,
			wantCM:  map[string]File{"a": {[]byte("1"), 0o644}, "b": {[]byte("2"), 0o644}, "bin": {[]byte{0, 1}, 0o644}},
			wantSec: map[string]File{"a": {[]byte("1"), 0o644}, "b": {[]byte("2"), 0o644}},
		},
		{
			name: "items with paths and modes", defaultMode: mode,
			items:   []corev1.KeyToPath{{Key: "a", Path: "dir/first"}, {Key: "b", Path: "second", Mode: ptr.To[int32](0o400)}},
			wantCM:  map[string]File{"dir/first": {[]byte("1"), 0o644}, "second": {[]byte("2"), 0o400}},
			wantSec: map[string]File{"dir/first": {[]byte("1"), 0o644}, "second": {[]byte("2"), 0o400}},
		},
		{
			name: "missing key", defaultMode: mode, items: []corev1.KeyToPath{{Key: "zz", Path: "z"}},
			wantCMErr: "configmap references non-existent config key: zz", wantSecErr: "references non-existent secret key: zz",
		},
		{
			name: "missing optional key", defaultMode: mode, optional: true, items: []corev1.KeyToPath{{Key: "zz", Path: "z"}, {Key: "a", Path: "a"}},
			wantCM: map[string]File{"a": {[]byte("1"), 0o644}}, wantSec: map[string]File{"a": {[]byte("1"), 0o644}},
		},
		{name: "no default mode", wantCMErr: errNoDefaultMode.Error(), wantSecErr: errNoDefaultMode.Error()},
	}
	check := func(t *testing.T, got map[string]File, err error, want map[string]File, wantErr string) {
		t.Helper()
		if wantErr != "" {
			if err == nil || err.Error() != wantErr {
				t.Errorf("error = %v, want %q", err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := configMapPayload(tt.items, cm, tt.defaultMode, tt.optional)
			check(t, got, err, tt.wantCM, tt.wantCMErr)
			got, err = secretPayload(tt.items, secret, tt.defaultMode, tt.optional)
			check(t, got, err, tt.wantSec, tt.wantSecErr)
		})
	}
}

func TestDownwardAPIPayload(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: map[string]string{"b": "2", "a": "1"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")},
		}}}},
	}
	alloc := corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}
	items := []corev1.DownwardAPIVolumeFile{
		{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"}},
		{Path: "./dir/name", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}, Mode: ptr.To[int32](0o400)},
		{Path: "cpu", ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "c", Resource: "requests.cpu", Divisor: resource.MustParse("1m")}},
		{Path: "mem", ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "c", Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}},
	}
	got, err := downwardAPIPayload(items, pod, ptr.To[int32](0o644), alloc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]File{
		"labels":   {[]byte("a=\"1\"\nb=\"2\""), 0o644},
		"dir/name": {[]byte("p"), 0o400},
		"cpu":      {[]byte("250"), 0o644},
		"mem":      {[]byte("1024"), 0o644},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	bad := []corev1.DownwardAPIVolumeFile{
		{Path: "x", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}},
		{Path: "y", ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "nope", Resource: "limits.cpu"}},
	}
	if _, err := downwardAPIPayload(bad, pod, ptr.To[int32](0o644), alloc); err == nil ||
		err.Error() != "[unsupported fieldPath: spec.nodeName, container nope not found]" {
		t.Errorf("error = %v", err)
	}
}
