package prober

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/record"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	testingclock "k8s.io/utils/clock/testing"
	utilexec "k8s.io/utils/exec"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// hookRuntime answers ExecSync and the sandbox lookups of HTTP hooks.
type hookRuntime struct {
	execRuntime
	sandboxIP string
	filter    *runtimeapi.PodSandboxFilter
}

func (r *hookRuntime) ListPodSandbox(_ context.Context, f *runtimeapi.PodSandboxFilter) ([]*runtimeapi.PodSandbox, error) {
	r.filter = f
	if r.sandboxIP == "" {
		return nil, nil
	}
	return []*runtimeapi.PodSandbox{{Id: "sb"}}, nil
}

func (r *hookRuntime) PodSandboxStatus(context.Context, string, bool) (*runtimeapi.PodSandboxStatusResponse, error) {
	return &runtimeapi.PodSandboxStatusResponse{Status: &runtimeapi.PodSandboxStatus{Network: &runtimeapi.PodSandboxNetworkStatus{Ip: r.sandboxIP}}}, nil
}

func TestHookRunner(t *testing.T) {
	last := &lastHeader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		last.set(http.Header{"Path": {r.URL.Path}, "User-Agent": {r.UserAgent()}})
		w.WriteHeader(http.StatusInternalServerError) // hooks do not look at the status
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	closed := closedPort(t)
	exitErr := utilexec.CodeExitError{Err: errors.New("command 'false' exited with 1: oops"), Code: 1}

	tests := []struct {
		name      string
		handler   corev1.LifecycleHandler
		podIP     string
		sandboxIP string
		execErr   error
		wantMsg   string
		wantErr   bool
		wantPath  string
		wantEvent string
	}{
		{name: "exec ok", handler: corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}},
		{name: "exec fails", handler: corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"false", "x"}}}, execErr: exitErr, wantErr: true,
			wantMsg: `Exec lifecycle hook ([false x]) for Container "c" in Pod "p_ns(uid-1)" failed - error: command 'false' exited with 1: oops, message: "outerr"`},
		{name: "http to pod IP", podIP: "127.0.0.1", handler: corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/start", Port: intstr.FromInt32(int32(port))}},
			wantPath: "/start"},
		{name: "http to the sandbox's IP", sandboxIP: "127.0.0.1", handler: corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/sb", Port: intstr.FromInt32(int32(port))}},
			wantPath: "/sb"},
		{name: "https answered in http falls back", podIP: "127.0.0.1",
			handler:  corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/tls", Port: intstr.FromInt32(int32(port)), Scheme: corev1.URISchemeHTTPS}},
			wantPath: "/tls", wantEvent: "Warning LifecycleHTTPFallback request to HTTPS lifecycle hook 127.0.0.1:" + u.Port() + " got HTTP response, retry with HTTP succeeded"},
		{name: "http refused", podIP: "127.0.0.1", handler: corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/stop", Port: intstr.FromInt32(int32(closed))}},
			wantErr: true, wantMsg: `HTTP lifecycle hook (/stop) for Container "c" in Pod "p_ns(uid-1)" failed - error: Get "http://127.0.0.1:`},
		{name: "http without pod IP", handler: corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/x", Port: intstr.FromInt32(int32(port))}},
			wantErr: true, wantMsg: `HTTP lifecycle hook (/x) for Container "c" in Pod "p_ns(uid-1)" failed - error: failed to find networking container`},
		{name: "no handler", wantErr: true, wantMsg: "Cannot run handler: invalid handler: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			last.set(nil)
			rt := &hookRuntime{sandboxIP: tt.sandboxIP}
			rt.exec = func(id string, cmd []string, timeout time.Duration) ([]byte, []byte, error) {
				if id != "abc" || timeout != 0 {
					t.Errorf("ExecSync(%q, %q, %v)", id, cmd, timeout)
				}
				return []byte("out"), []byte("err"), tt.execErr
			}
			rec := record.NewFakeRecorder(10)
			h := NewHookRunner(rt, WithHookRecorder(rec))
			c := &corev1.Container{Name: "c"}
			pod := testPod(c)
			pod.Status.PodIP = tt.podIP
			handler := tt.handler
			msg, err := h.Run(context.Background(), pod, c, "containerd://abc", &handler)
			if (err != nil) != tt.wantErr || !strings.HasPrefix(msg, tt.wantMsg) || (tt.wantMsg == "" && msg != "") {
				t.Errorf("Run: %q, %v; want %q", msg, err, tt.wantMsg)
			}
			lastPath, lastUA := last.get().Get("Path"), last.get().Get("User-Agent")
			if lastPath != tt.wantPath {
				t.Errorf("server got %q, want %q", lastPath, tt.wantPath)
			}
			if tt.wantPath != "" && lastUA != "kube-lifecycle/1.37" {
				t.Errorf("user agent %q", lastUA)
			}
			if tt.sandboxIP != "" && rt.filter.GetLabelSelector()[cri.LabelPodUID] != "uid-1" {
				t.Errorf("sandbox filter %v", rt.filter)
			}
			var event string
			if len(rec.Events) > 0 {
				event = <-rec.Events
			}
			if event != tt.wantEvent {
				t.Errorf("event %q, want %q", event, tt.wantEvent)
			}
		})
	}
}

func TestSleepHook(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Now())
	h := NewHookRunner(nil, WithHookClock(clk))
	c := &corev1.Container{Name: "c"}
	sleep := &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 5}}
	type outcome struct {
		msg string
		err error
	}
	run := func(ctx context.Context) <-chan outcome {
		done := make(chan outcome, 1)
		go func() {
			msg, err := h.Run(ctx, testPod(c), c, "containerd://x", sleep)
			done <- outcome{msg, err}
		}()
		return done
	}
	waitForSleeper := func() {
		t.Helper()
		if err := wait.PollUntilContextTimeout(context.Background(), time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
			return clk.HasWaiters(), nil
		}); err != nil {
			t.Fatal("the hook does not sleep")
		}
	}

	done := run(context.Background())
	waitForSleeper()
	clk.Step(4 * time.Second)
	select {
	case o := <-done:
		t.Fatalf("returned before 5 s: %+v", o)
	default:
	}
	clk.Step(time.Second)
	if o := <-done; o.err != nil || o.msg != "" {
		t.Errorf("after 5 s: %+v", o)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done = run(ctx)
	waitForSleeper()
	cancel()
	o := <-done
	want := `Sleep lifecycle hook (5) for Container "c" in Pod "p_ns(uid-1)" failed - error: container terminated before sleep hook finished`
	if o.err == nil || o.msg != want {
		t.Errorf("cancelled: %+v, want %q", o, want)
	}
}
