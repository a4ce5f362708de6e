package kubeletserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// listRuntime serves ListContainers and ContainerStatus from fixed containers.
type listRuntime struct {
	fakeRuntime
	containers []*runtimeapi.Container
	logPath    map[string]string
}

func (r *listRuntime) ListContainers(_ context.Context, f *runtimeapi.ContainerFilter) ([]*runtimeapi.Container, error) {
	var out []*runtimeapi.Container
	for _, c := range r.containers {
		match := true
		for k, v := range f.GetLabelSelector() {
			match = match && c.Labels[k] == v
		}
		if match {
			out = append(out, c)
		}
	}
	return out, nil
}

func (r *listRuntime) ContainerStatus(ctx context.Context, id string, verbose bool) (*runtimeapi.ContainerStatusResponse, error) {
	resp, err := r.fakeRuntime.ContainerStatus(ctx, id, verbose)
	resp.Status.LogPath = r.logPath[id]
	return resp, err
}

type pods map[string]*corev1.Pod

func (p pods) GetPodByName(namespace, name string) (*corev1.Pod, bool) {
	pod, ok := p[namespace+"/"+name]
	return pod, ok
}

func TestHandler(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", UID: "u"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}, {Name: "waiting"}}},
	}
	dir := t.TempDir()
	writeFile := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	container := func(id string, restarts string) *runtimeapi.Container {
		labels := cri.PodLabels("ns", "p", "u")
		labels[cri.LabelContainerName] = "c"
		return &runtimeapi.Container{Id: id, Labels: labels, Annotations: map[string]string{cri.AnnotationContainerRestartCount: restarts}, State: runtimeapi.ContainerState_CONTAINER_EXITED}
	}
	rt := &listRuntime{
		containers: []*runtimeapi.Container{container("old", "0"), container("new", "1")},
		logPath: map[string]string{
			"old": writeFile("0.log", "2026-11-26T10:00:00Z stdout F before restart\n"),
			"new": writeFile("1.log", "2026-11-26T10:00:00Z stdout F after restart\n"),
		},
	}
	rt.exited.Store(true)
	s, err := New(Config{Runtime: rt, Pods: pods{"ns/p": pod}, NodeName: "n"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/healthz", 200, "ok"},
		{"GET", "/containerLogs/ns/p/c", 200, "after restart"},
		{"GET", "/containerLogs/ns/p/c?previous=true", 200, "before restart"},
		{"GET", "/containerLogs/ns/p/c?tailLines=-1", 422, `{"message": "Invalid request."}`},
		{"GET", "/containerLogs/ns/p/c?limitBytes=x", 400, `{"message": "Unable to decode query."}`},
		{"GET", "/containerLogs/ns/nope/c", 404, `pod "nope" does not exist`},
		{"GET", "/containerLogs/ns/p/x", 404, `container "x" not found in pod "p"`},
		{"GET", "/containerLogs/ns/p/waiting", 400, `container "waiting" in pod "p" is waiting to start - no logs yet`},
		{"POST", "/exec/ns/p/c?command=sh", 400, "you must specify at least 1 of stdin, stdout, stderr"},
		{"POST", "/exec/ns/nope/c?command=sh&output=1", 404, "pod does not exist"},
		{"POST", "/exec/ns/p/other-uid/c?command=sh&output=1", 404, "pod not found"},
		{"POST", "/exec/ns/p/c?command=sh&output=1", 500, `container not found ("c")`},
		{"POST", "/portForward/ns/p?port=http", 400, `invalid port "http"`},
		{"GET", "/pods", 200, `{"kind":"PodList","apiVersion":"v1","metadata":{},"items":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.code || strings.TrimSuffix(rec.Body.String(), "\n") != tt.body {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tt.code, tt.body)
			}
		})
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "# TYPE") {
		t.Errorf("/metrics: %d %.200q", rec.Code, rec.Body.String())
	}
}
