package nodeports

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

func TestFilter(t *testing.T) {
	conflict := fwk.NewStatus(fwk.Unschedulable, ErrReason)
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	tests := []struct {
		name     string
		pod      *pt.PodWrapper
		existing []*pt.PodWrapper
		want     *fwk.Status
		wantSkip bool
	}{
		{name: "no host ports: Skip", pod: pt.MakePod("p").Container("image", nil), wantSkip: true},
		{name: "free port", pod: pt.MakePod("p").HostPort(8080, tcp, ""), existing: []*pt.PodWrapper{pt.MakePod("e").HostPort(8081, tcp, "")}},
		{name: "same port and protocol", pod: pt.MakePod("p").HostPort(8080, tcp, ""), existing: []*pt.PodWrapper{pt.MakePod("e").HostPort(8080, tcp, "")}, want: conflict},
		{name: "empty protocol means TCP", pod: pt.MakePod("p").HostPort(8080, "", ""), existing: []*pt.PodWrapper{pt.MakePod("e").HostPort(8080, tcp, "")}, want: conflict},
		{name: "other protocol", pod: pt.MakePod("p").HostPort(8080, udp, ""), existing: []*pt.PodWrapper{pt.MakePod("e").HostPort(8080, tcp, "")}},
		{name: "distinct host IPs", pod: pt.MakePod("p").HostPort(8080, tcp, "10.0.0.1"), existing: []*pt.PodWrapper{pt.MakePod("e").HostPort(8080, tcp, "10.0.0.2")}},
		{name: "0.0.0.0 conflicts with any IP", pod: pt.MakePod("p").HostPort(8080, tcp, "0.0.0.0"), existing: []*pt.PodWrapper{pt.MakePod("e").HostPort(8080, tcp, "10.0.0.2")}, want: conflict},
		{name: "any IP conflicts with 0.0.0.0", pod: pt.MakePod("p").HostPort(8080, tcp, "10.0.0.1"), existing: []*pt.PodWrapper{pt.MakePod("e").HostPort(8080, tcp, "")}, want: conflict},
	}
	ctx := context.Background()
	pl := &Plugin{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := tt.pod.Obj()
			var pods []*corev1.Pod
			for _, e := range tt.existing {
				pods = append(pods, e.Node("n").Obj())
			}
			ni := pt.NodeInfo(pt.MakeNode("n").Obj(), pods...)
			cs := cyclestate.New()
			_, st := pl.PreFilter(ctx, cs, pod, nil)
			if tt.wantSkip {
				if !st.IsSkip() {
					t.Errorf("PreFilter = %v, want Skip", st)
				}
				return
			}
			if got := pl.Filter(ctx, cs, pod, ni); !got.Equal(tt.want) {
				t.Errorf("Filter = %v, want %v", got, tt.want)
			}
			if got := Fits(pod, ni); got != tt.want.IsSuccess() {
				t.Errorf("Fits = %v", got)
			}
		})
	}
}

func TestFilterWithoutPreFilter(t *testing.T) {
	st := (&Plugin{}).Filter(context.Background(), cyclestate.New(), pt.MakePod("p").Obj(), pt.NodeInfo(pt.MakeNode("n").Obj()))
	if st.Code() != fwk.Error {
		t.Errorf("Filter = %v, want Error", st)
	}
}

func TestSidecarHostPorts(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	pod := pt.MakePod("p").Obj()
	pod.Spec.InitContainers = []corev1.Container{
		{Name: "sidecar", RestartPolicy: &always, Ports: []corev1.ContainerPort{{HostPort: 9000}}},
		{Name: "init", Ports: []corev1.ContainerPort{{HostPort: 9001}}},
	}
	ni := pt.NodeInfo(pt.MakeNode("n").Obj(), pt.MakePod("e").Node("n").HostPort(9001, "", "").Obj())
	if !Fits(pod, ni) {
		t.Error("a plain init container's host port should not count")
	}
	ni = pt.NodeInfo(pt.MakeNode("n").Obj(), pt.MakePod("e").Node("n").HostPort(9000, "", "").Obj())
	if Fits(pod, ni) {
		t.Error("a sidecar's host port should count")
	}
}

func TestDeletedPodHint(t *testing.T) {
	pod := pt.MakePod("p").HostPort(80, "", "").Obj()
	tests := []struct {
		name    string
		deleted *corev1.Pod
		want    fwk.QueueingHint
	}{
		{"unbound pod", pt.MakePod("d").HostPort(80, "", "").Obj(), fwk.QueueSkip},
		{"bound, no ports", pt.MakePod("d").Node("n").Container("i", nil).Obj(), fwk.QueueSkip},
		{"bound, other port", pt.MakePod("d").Node("n").HostPort(81, "", "").Obj(), fwk.QueueSkip},
		{"bound, same port", pt.MakePod("d").Node("n").HostPort(80, "", "").Obj(), fwk.Queue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := isSchedulableAfterPodDeleted(klog.Background(), pod, tt.deleted, nil)
			if err != nil || got != tt.want {
				t.Errorf("hint = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
