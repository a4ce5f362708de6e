package prober

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	remote "k8s.io/cri-client/pkg"
	utilexec "k8s.io/utils/exec"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// execRuntime answers ExecSync from a function; the rest of cri.Runtime is not used here.
type execRuntime struct {
	cri.Runtime
	exec func(id string, cmd []string, timeout time.Duration) ([]byte, []byte, error)
}

func (r *execRuntime) ExecSync(_ context.Context, id string, cmd []string, timeout time.Duration) ([]byte, []byte, error) {
	return r.exec(id, cmd, timeout)
}

func TestExecProbe(t *testing.T) {
	tests := []struct {
		name       string
		stdout     string
		stderr     string
		err        error
		want       result
		wantOutput string
		wantErr    bool
	}{
		{name: "exit 0", stdout: "ok\n", want: success, wantOutput: "ok\n"},
		{name: "exit 1", stdout: "out ", stderr: "cat: can't open '/tmp/healthy'",
			err:  utilexec.CodeExitError{Err: errors.New("command 'cat /tmp/healthy' exited with 1"), Code: 1},
			want: failure, wantOutput: "out cat: can't open '/tmp/healthy'"},
		{name: "output limited", stdout: strings.Repeat("y", 2*maxOutput), err: utilexec.CodeExitError{Err: errors.New("x"), Code: 2},
			want: failure, wantOutput: strings.Repeat("y", maxOutput)},
		{name: "timed out", err: fmt.Errorf("%w: %q timed out after %s", remote.ErrCommandTimedOut, "sleep 9", time.Second),
			want: failure, wantOutput: `command timed out: "sleep 9" timed out after 1s`},
		{name: "runtime error", err: errors.New("container not found"), want: unknown, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotID string
			var gotCmd []string
			var gotTimeout time.Duration
			rt := &execRuntime{exec: func(id string, cmd []string, timeout time.Duration) ([]byte, []byte, error) {
				gotID, gotCmd, gotTimeout = id, cmd, timeout
				return []byte(tt.stdout), []byte(tt.stderr), tt.err
			}}
			c := &corev1.Container{Name: "c", Env: []corev1.EnvVar{{Name: "FILE", Value: "/tmp/healthy"}}}
			spec := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"cat", "$(FILE)"}}}, TimeoutSeconds: 3}
			p := &prober{rt: rt}
			got, output, err := p.run(context.Background(), spec, testPod(c), "", c, "containerd://abc")
			if got != tt.want || output != tt.wantOutput || (err != nil) != tt.wantErr {
				t.Errorf("got %s %q %v, want %s %q", got, output, err, tt.want, tt.wantOutput)
			}
			if gotID != "abc" || !cmp.Equal(gotCmd, []string{"cat", "/tmp/healthy"}) || gotTimeout != 3*time.Second {
				t.Errorf("ExecSync(%q, %q, %v)", gotID, gotCmd, gotTimeout)
			}
		})
	}
}

// Only literal values count: valueFrom variables are not expanded in probes.
func TestExpandCommand(t *testing.T) {
	got := expandCommand([]string{"$(A)", "$(S)"}, []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "S", ValueFrom: &corev1.EnvVarSource{}}})
	if !cmp.Equal(got, []string{"1", "$(S)"}) {
		t.Errorf("expandCommand: %q", got)
	}
}

func TestProbeEvents(t *testing.T) {
	tests := []struct {
		name      string
		probeType probeType
		exec      func() ([]byte, []byte, error)
		want      result
		wantErr   bool
		wantEvent string
		wantCalls int
	}{
		{name: "success: no event", probeType: liveness, exec: func() ([]byte, []byte, error) { return nil, nil, nil }, want: success, wantCalls: 1},
		{name: "liveness failure", probeType: liveness,
			exec: func() ([]byte, []byte, error) {
				return []byte("no"), nil, utilexec.CodeExitError{Err: errors.New("x"), Code: 1}
			},
			want: failure, wantCalls: 1,
			wantEvent: "Warning Unhealthy Liveness probe failed: no"},
		{name: "readiness failure", probeType: readiness,
			exec: func() ([]byte, []byte, error) {
				return nil, []byte("bad"), utilexec.CodeExitError{Err: errors.New("x"), Code: 1}
			},
			want: failure, wantCalls: 1,
			wantEvent: "Warning Unhealthy Readiness probe failed: bad"},
		{name: "error retried, then errored event", probeType: startup,
			exec: func() ([]byte, []byte, error) { return nil, nil, errors.New("rpc error") },
			want: failure, wantErr: true, wantCalls: 3,
			wantEvent: "Warning Unhealthy Startup probe errored and resulted in unknown state: rpc error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			rt := &execRuntime{exec: func(string, []string, time.Duration) ([]byte, []byte, error) { calls++; return tt.exec() }}
			rec := record.NewFakeRecorder(10)
			p := &prober{rt: rt, recorder: rec}
			spec := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}
			c := &corev1.Container{Name: "c", LivenessProbe: spec, ReadinessProbe: spec, StartupProbe: spec}
			got, err := p.probe(context.Background(), tt.probeType, testPod(c), "", c, "containerd://x")
			if got != tt.want || (err != nil) != tt.wantErr || calls != tt.wantCalls {
				t.Errorf("got %s, %v after %d calls; want %s after %d", got, err, calls, tt.want, tt.wantCalls)
			}
			var events []string
			for len(rec.Events) > 0 {
				events = append(events, <-rec.Events)
			}
			var want []string
			if tt.wantEvent != "" {
				want = []string{tt.wantEvent}
			}
			if !cmp.Equal(events, want) {
				t.Errorf("events %q, want %q", events, want)
			}
		})
	}
}

func TestContainerRef(t *testing.T) {
	pod := testPod(&corev1.Container{Name: "app"})
	pod.Spec.InitContainers = []corev1.Container{{Name: "init"}}
	pod.ResourceVersion = "7"
	tests := []struct{ name, want string }{
		{"app", "spec.containers{app}"},
		{"init", "spec.initContainers{init}"},
	}
	for _, tt := range tests {
		ref := containerRef(pod, &corev1.Container{Name: tt.name})
		want := &corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: "ns", Name: "p", UID: "uid-1", ResourceVersion: "7", FieldPath: tt.want}
		if diff := cmp.Diff(want, ref); diff != "" {
			t.Errorf("ref of %s (-want +got):\n%s", tt.name, diff)
		}
	}
}
