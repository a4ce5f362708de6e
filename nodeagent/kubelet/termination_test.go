package kubelet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

func TestCRILogTail(t *testing.T) {
	log := "2026-01-01T00:00:00Z stdout F one\n2026-01-01T00:00:00Z stderr P tw\n2026-01-01T00:00:00Z stderr F o\n" +
		"garbage\n2026-01-01T00:00:00Z stdout F three\n"
	if got := criLogTail([]byte(log), 80, 2048); got != "one\ntwo\nthree\n" {
		t.Errorf("tail %q", got)
	}
	if got := criLogTail([]byte(log), 2, 2048); got != "two\nthree\n" {
		t.Errorf("two lines %q", got)
	}
	if got := criLogTail([]byte(log), 80, 4); got != "ree\n" {
		t.Errorf("4 bytes %q", got)
	}
}

func TestTerminationMessage(t *testing.T) {
	dir := t.TempDir()
	msgFile := filepath.Join(dir, "msg")
	logFile := filepath.Join(dir, "0.log")
	if err := os.WriteFile(logFile, []byte("2026-01-01T00:00:00Z stdout F from logs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	status := func(policy, content string, exit int32) *runtimeapi.ContainerStatus {
		if err := os.WriteFile(msgFile, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return &runtimeapi.ContainerStatus{
			ExitCode: exit, LogPath: logFile,
			Annotations: map[string]string{cri.AnnotationTerminationMessagePath: "/dev/termination-log", cri.AnnotationTerminationMessagePolicy: policy},
			Mounts:      []*runtimeapi.Mount{{ContainerPath: "/dev/termination-log", HostPath: msgFile}},
		}
	}
	tests := []struct {
		name, policy, content string
		exit                  int32
		want                  string
	}{
		{"file", "File", "bye", 0, "bye"},
		{"empty file, File policy", "File", "", 1, ""},
		{"fallback on failure", "FallbackToLogsOnError", "", 1, "from logs\n"},
		{"no fallback on success", "FallbackToLogsOnError", "", 0, ""},
		{"file wins over logs", "FallbackToLogsOnError", "msg", 1, "msg"},
		{"long file keeps the end", "File", strings.Repeat("x", 5000) + "END", 0, strings.Repeat("x", 4093) + "END"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := terminationMessage(status(tt.policy, tt.content, tt.exit)); got != tt.want {
				t.Errorf("got %.40q (%d bytes), want %.40q", got, len(got), tt.want)
			}
		})
	}
	if got := terminationMessage(&runtimeapi.ContainerStatus{Message: "oom"}); got != "oom" {
		t.Errorf("runtime message: got %q", got)
	}
}
