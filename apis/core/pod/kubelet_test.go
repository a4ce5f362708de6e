package pod

import (
	"net/url"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestValidateContainer(t *testing.T) {
	pod := func(containers ...string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}}
		for _, c := range containers {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c})
		}
		return p
	}
	withInit := pod("a", "b")
	withInit.Spec.InitContainers = []corev1.Container{{Name: "init"}}
	withInit.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug"}}}
	tests := []struct {
		name      string
		pod       *corev1.Pod
		container string
		want      string
		wantErr   string
	}{
		{name: "only container", pod: pod("a"), want: "a"},
		{name: "named", pod: pod("a", "b"), container: "b", want: "b"},
		{name: "init container", pod: withInit, container: "init", want: "init"},
		{name: "ephemeral container", pod: withInit, container: "debug", want: "debug"},
		{name: "none", pod: pod(), wantErr: "a container name must be specified for pod p"},
		{name: "ambiguous", pod: withInit, wantErr: "a container name must be specified for pod p, choose one of: [init a b debug]"},
		{name: "unknown", pod: pod("a"), container: "x", wantErr: "container x is not valid for pod p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := validateContainer(tt.container, tt.pod)
			if tt.wantErr != "" {
				if !apierrors.IsBadRequest(err) || err.Error() != tt.wantErr {
					t.Errorf("err %v, want BadRequest %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestValidateLogOptions(t *testing.T) {
	now := metav1.Now()
	stream := corev1.LogStreamStdout
	tests := []struct {
		name string
		opts corev1.PodLogOptions
		want string
	}{
		{name: "empty"},
		{name: "negative tail", opts: corev1.PodLogOptions{TailLines: ptr.To[int64](-1)}, want: "tailLines: Invalid value: -1: must be greater than or equal to 0"},
		{name: "limitBytes 0", opts: corev1.PodLogOptions{LimitBytes: ptr.To[int64](0)}, want: "limitBytes: Invalid value: 0: must be greater than 0"},
		{name: "sinceSeconds 0", opts: corev1.PodLogOptions{SinceSeconds: ptr.To[int64](0)}, want: "sinceSeconds: Invalid value: 0: must be greater than 0"},
		{name: "both since", opts: corev1.PodLogOptions{SinceSeconds: ptr.To[int64](1), SinceTime: &now}, want: "[]: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"},
		{name: "stream", opts: corev1.PodLogOptions{Stream: &stream}, want: "stream: Forbidden: may not be specified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := validateLogOptions(&tt.opts)
			got := ""
			if len(errs) > 0 {
				got = errs.ToAggregate().Error()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKubeletParams(t *testing.T) {
	tests := []struct {
		name string
		got  url.Values
		want string
	}{
		{name: "exec", got: streamParams(true, true, false, true, []string{"sh", "-c", "echo hi"}), want: "command=sh&command=-c&command=echo+hi&input=1&output=1&tty=1"},
		{name: "attach", got: streamParams(false, true, true, false, nil), want: "error=1&output=1"},
		{name: "ports", got: portParams([]int32{80, 443}), want: "port=80%2C443"},
		{name: "no ports", got: portParams(nil), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got.Encode(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
