package kubeletserver

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/cri-client/pkg/logs"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// fakeRuntime answers ContainerStatus with running until exited is set.
type fakeRuntime struct {
	cri.Runtime
	exited atomic.Bool
}

func (f *fakeRuntime) ContainerStatus(context.Context, string, bool) (*runtimeapi.ContainerStatusResponse, error) {
	state := runtimeapi.ContainerState_CONTAINER_RUNNING
	if f.exited.Load() {
		state = runtimeapi.ContainerState_CONTAINER_EXITED
	}
	return &runtimeapi.ContainerStatusResponse{Status: &runtimeapi.ContainerStatus{State: state}}, nil
}

const testLog = `2026-11-26T10:00:00.000000001Z stdout F one
2026-11-26T10:00:01.5Z stderr F two
2026-11-26T10:00:02Z stdout P thr
2026-11-26T10:00:02.1Z stdout F ee
2026-11-26T10:00:03Z stdout F four
`

func writeLog(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadLogs(t *testing.T) {
	base := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		opts       logs.LogOptions
		wantStdout string
		wantStderr string
		wantAll    string // both streams into one writer, in order
	}{
		{name: "all", wantStdout: "one\nthree\nfour\n", wantStderr: "two\n", wantAll: "one\ntwo\nthree\nfour\n"},
		{name: "tail 2 counts file lines", opts: logs.LogOptions{TailLines: ptr.To[int64](2)}, wantAll: "ee\nfour\n"},
		{name: "tail 0", opts: logs.LogOptions{TailLines: ptr.To[int64](0)}, wantAll: ""},
		{name: "since", opts: logs.LogOptions{Since: base.Add(time.Second)}, wantAll: "two\nthree\nfour\n"},
		{
			name: "timestamps, one per joined line", opts: logs.LogOptions{Timestamp: true},
			wantAll: "2026-11-26T10:00:00.000000001Z one\n2026-11-26T10:00:01.500000000Z two\n" +
				"2026-11-26T10:00:02.000000000Z three\n2026-11-26T10:00:03.000000000Z four\n",
		},
		{name: "limitBytes cuts mid-line", opts: logs.LogOptions{LimitBytes: ptr.To[int64](6)}, wantAll: "one\ntw"},
		{name: "limitBytes with timestamps", opts: logs.LogOptions{LimitBytes: ptr.To[int64](10), Timestamp: true}, wantAll: "2026-11-26"},
	}
	path := writeLog(t, testLog)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var all bytes.Buffer
			opts := tt.opts
			if err := readLogs(context.Background(), &fakeRuntime{}, "id", path, &opts, &all, &all); err != nil {
				t.Fatal(err)
			}
			if all.String() != tt.wantAll {
				t.Errorf("combined = %q, want %q", all.String(), tt.wantAll)
			}
			if tt.wantStdout == "" && tt.wantStderr == "" {
				return
			}
			var stdout, stderr bytes.Buffer
			opts = tt.opts
			if err := readLogs(context.Background(), &fakeRuntime{}, "id", path, &opts, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			if stdout.String() != tt.wantStdout || stderr.String() != tt.wantStderr {
				t.Errorf("stdout %q stderr %q, want %q and %q", stdout.String(), stderr.String(), tt.wantStdout, tt.wantStderr)
			}
		})
	}
}

// syncBuffer is a buffer the test reads while the reader writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestReadLogsFollow follows a growing file, including a line written in two parts, and ends
// once the container has exited.
func TestReadLogsFollow(t *testing.T) {
	path := writeLog(t, "2026-11-26T10:00:00Z stdout F first\n")
	rt := &fakeRuntime{}
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- readLogs(context.Background(), rt, "id", path, &logs.LogOptions{Follow: true}, &out, &out)
	}()
	waitFor(t, func() bool { return out.String() == "first\n" }, &out)

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, part := range []string{"2026-11-26T10:00:01Z stdout P sec", "ond\n", "2026-11-26T10:00:01Z stdout F half\n"} {
		if _, err := f.WriteString(part); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return out.String() == "first\nsecondhalf\n" }, &out)
	select {
	case err := <-done:
		t.Fatalf("reader ended while the container runs: %v", err)
	default:
	}

	if _, err := f.WriteString("2026-11-26T10:00:02Z stderr F last\n"); err != nil {
		t.Fatal(err)
	}
	rt.exited.Store(true)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not end after the container exited")
	}
	if got := out.String(); got != "first\nsecondhalf\nlast\n" {
		t.Errorf("followed %q", got)
	}
}

// TestReadLogsFollowCancel ends a follow when the request goes away.
func TestReadLogsFollowCancel(t *testing.T) {
	path := writeLog(t, "2026-11-26T10:00:00Z stdout F first\n")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out syncBuffer
	go func() { done <- readLogs(ctx, &fakeRuntime{}, "id", path, &logs.LogOptions{Follow: true}, &out, &out) }()
	waitFor(t, func() bool { return out.String() == "first\n" }, &out)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not end on cancel")
	}
}

func waitFor(t *testing.T, cond func() bool, out *syncBuffer) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return cond(), nil
	})
	if err != nil {
		t.Fatalf("%v; output so far %q", err, out.String())
	}
}

func TestNotStartedError(t *testing.T) {
	tests := []struct {
		name  string
		state corev1.ContainerState
		want  string
	}{
		{name: "no status", want: `container "c" in pod "p" is waiting to start - no logs yet`},
		{name: "creating", state: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}},
			want: `container "c" in pod "p" is waiting to start: ContainerCreating`},
		{name: "pull backoff", state: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff"}},
			want: `container "c" in pod "p" is waiting to start: trying and failing to pull image`},
		{name: "terminated", state: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{}},
			want: `container "c" in pod "p" is terminated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}}
			if tt.state != (corev1.ContainerState{}) {
				pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", State: tt.state}}
			}
			if got := notStartedError(pod, "c").Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
