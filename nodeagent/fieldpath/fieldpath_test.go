package fieldpath

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "web-0", Namespace: "shop", UID: "u-1",
			Labels:      map[string]string{"app": "web", "tier": "front"},
			Annotations: map[string]string{"note": "a \"quoted\"\nline", "example.com/x": "y"},
		},
		Spec: corev1.PodSpec{NodeName: "node-1", ServiceAccountName: "sa"},
	}
}

func TestPodField(t *testing.T) {
	addr := Addresses{PodIPs: []string{"fd00::5", "10.88.0.5"}, HostIPs: []string{"192.168.1.2", "fd00::1"}}
	tests := []struct {
		name, version, path string
		addr                Addresses
		want, wantErr       string
	}{
		{name: "name", path: "metadata.name", want: "web-0"},
		{name: "namespace", path: "metadata.namespace", want: "shop"},
		{name: "uid", path: "metadata.uid", want: "u-1"},
		{name: "labels", path: "metadata.labels", want: "app=\"web\"\ntier=\"front\""},
		{name: "annotations quoted", path: "metadata.annotations", want: "example.com/x=\"y\"\nnote=\"a \\\"quoted\\\"\\nline\""},
		{name: "label subscript", path: "metadata.labels['app']", want: "web"},
		{name: "missing label subscript", path: "metadata.labels['nope']", want: ""},
		{name: "annotation subscript", path: "metadata.annotations['example.com/x']", want: "y"},
		{name: "invalid label key", path: "metadata.labels['a b']", wantErr: "invalid key subscript in metadata.labels['a b']: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
		{name: "subscript unsupported", path: "metadata.name['x']", wantErr: "field label does not support subscript: metadata.name['x']"},
		{name: "node name", path: "spec.nodeName", want: "node-1"},
		{name: "spec.host alias", path: "spec.host", want: "node-1"},
		{name: "service account", path: "spec.serviceAccountName", want: "sa"},
		{name: "host IP", path: "status.hostIP", addr: addr, want: "192.168.1.2"},
		{name: "host IPs", path: "status.hostIPs", addr: addr, want: "192.168.1.2,fd00::1"},
		{name: "host IP unknown", path: "status.hostIP", wantErr: "host IP unknown; known addresses: []"},
		{name: "pod IP follows host family", path: "status.podIP", addr: addr, want: "10.88.0.5"},
		{name: "pod IPs follow host family", path: "status.podIPs", addr: addr, want: "10.88.0.5,fd00::5"},
		{name: "no pod IP yet", path: "status.podIP", want: ""},
		{name: "explicit v1", version: "v1", path: "metadata.name", want: "web-0"},
		{name: "bad version", version: "v2", path: "metadata.name", wantErr: "unsupported pod version: v2"},
		{name: "unsupported", path: "spec.containers", wantErr: "field label not supported: spec.containers"},
		{name: "phase is accepted but not resolved", path: "status.phase", wantErr: "unsupported fieldPath: status.phase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PodField(testPod(), &corev1.ObjectFieldSelector{APIVersion: tt.version, FieldPath: tt.path}, tt.addr)
			checkResult(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestMetadata(t *testing.T) {
	tests := []struct{ path, want, wantErr string }{
		{path: "metadata.name", want: "web-0"},
		{path: "metadata.annotations['note']", want: "a \"quoted\"\nline"},
		{path: "metadata.annotations['Upper.Case/Key']", want: ""},
		{path: "metadata.uid['x']", wantErr: "fieldPath \"metadata.uid['x']\" does not support subscript"},
		{path: "spec.nodeName", wantErr: "unsupported fieldPath: spec.nodeName"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := Metadata(testPod(), tt.path)
			checkResult(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestSplitSubscript(t *testing.T) {
	tests := []struct {
		in, path, key string
		ok            bool
	}{
		{"metadata.annotations['myKey']", "metadata.annotations", "myKey", true},
		{"metadata.annotations['a[b]c']", "metadata.annotations", "a[b]c", true},
		{"metadata.labels['']", "metadata.labels", "", true},
		{"metadata.labels", "metadata.labels", "", false},
		{"['x']", "['x']", "", false},
	}
	for _, tt := range tests {
		path, key, ok := SplitSubscript(tt.in)
		if path != tt.path || key != tt.key || ok != tt.ok {
			t.Errorf("SplitSubscript(%q) = %q, %q, %v; want %q, %q, %v", tt.in, path, key, ok, tt.path, tt.key, tt.ok)
		}
	}
}

func checkResult(t *testing.T, got string, err error, want, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || err.Error() != wantErr {
			t.Fatalf("error = %v, want %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
