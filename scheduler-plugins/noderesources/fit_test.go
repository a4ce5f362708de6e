package noderesources

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

func TestFitFilter(t *testing.T) {
	node := pt.MakeNode("n").Capacity(map[string]string{"cpu": "4", "memory": "4Gi", "pods": "3", "example.com/gpu": "2", "ephemeral-storage": "10Gi"})
	used := []*corev1.Pod{pt.MakePod("e1").Node("n").Req(map[string]string{"cpu": "3", "memory": "1Gi", "example.com/gpu": "1"}).Obj()}
	tests := []struct {
		name     string
		args     *configv1.NodeResourcesFitArgs
		pod      *pt.PodWrapper
		existing []*corev1.Pod
		want     *fwk.Status
	}{
		{name: "fits", pod: pt.MakePod("p").Req(map[string]string{"cpu": "1", "memory": "3Gi"}), existing: used},
		{name: "insufficient cpu", pod: pt.MakePod("p").Req(map[string]string{"cpu": "2"}), existing: used,
			want: fwk.NewStatus(fwk.Unschedulable, "Insufficient cpu")},
		{name: "more cpu than the node has", pod: pt.MakePod("p").Req(map[string]string{"cpu": "5"}),
			want: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "Insufficient cpu")},
		{name: "cpu and memory, reasons in order", pod: pt.MakePod("p").Req(map[string]string{"memory": "4Gi", "cpu": "2"}), existing: used,
			want: fwk.NewStatus(fwk.Unschedulable, "Insufficient cpu", "Insufficient memory")},
		{name: "init containers take the max", pod: pt.MakePod("p").Req(map[string]string{"cpu": "500m"}).InitReq(map[string]string{"cpu": "2"}), existing: used,
			want: fwk.NewStatus(fwk.Unschedulable, "Insufficient cpu")},
		{name: "overhead counts", pod: pt.MakePod("p").Req(map[string]string{"cpu": "900m"}).Overhead(map[string]string{"cpu": "200m"}), existing: used,
			want: fwk.NewStatus(fwk.Unschedulable, "Insufficient cpu")},
		{name: "ephemeral storage", pod: pt.MakePod("p").Req(map[string]string{"ephemeral-storage": "11Gi"}),
			want: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "Insufficient ephemeral-storage")},
		{name: "extended resource", pod: pt.MakePod("p").Req(map[string]string{"example.com/gpu": "2"}), existing: used,
			want: fwk.NewStatus(fwk.Unschedulable, "Insufficient example.com/gpu")},
		{name: "extended resource the node lacks", pod: pt.MakePod("p").Req(map[string]string{"example.com/fpga": "1"}),
			want: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "Insufficient example.com/fpga")},
		{name: "ignored resource", args: &configv1.NodeResourcesFitArgs{IgnoredResources: []string{"example.com/fpga"}},
			pod: pt.MakePod("p").Req(map[string]string{"example.com/fpga": "1"})},
		{name: "ignored resource group", args: &configv1.NodeResourcesFitArgs{IgnoredResourceGroups: []string{"example.com"}},
			pod: pt.MakePod("p").Req(map[string]string{"example.com/fpga": "1"})},
		{name: "hugepages are not extended resources, never ignored", args: &configv1.NodeResourcesFitArgs{IgnoredResources: []string{"hugepages-2Mi"}},
			pod:  pt.MakePod("p").Req(map[string]string{"hugepages-2Mi": "2Mi"}),
			want: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "Insufficient hugepages-2Mi")},
		{name: "too many pods", pod: pt.MakePod("p"), existing: []*corev1.Pod{pt.MakePod("a").Node("n").Obj(), pt.MakePod("b").Node("n").Obj(), pt.MakePod("c").Node("n").Obj()},
			want: fwk.NewStatus(fwk.Unschedulable, "Too many pods")},
		{name: "too many pods and cpu", pod: pt.MakePod("p").Req(map[string]string{"cpu": "2"}), existing: append([]*corev1.Pod{pt.MakePod("a").Node("n").Obj(), pt.MakePod("b").Node("n").Obj()}, used...),
			want: fwk.NewStatus(fwk.Unschedulable, "Too many pods", "Insufficient cpu")},
		{name: "pod-level requests replace container sums", pod: podLevel(pt.MakePod("p").Req(map[string]string{"cpu": "100m"}), map[string]string{"cpu": "2"}), existing: used,
			want: fwk.NewStatus(fwk.Unschedulable, "Insufficient cpu")},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewFit(ctx, tt.args, nil)
			if err != nil {
				t.Fatal(err)
			}
			f := p.(*Fit)
			pod := tt.pod.Obj()
			cs := cyclestate.New()
			if _, st := f.PreFilter(ctx, cs, pod, nil); !st.IsSuccess() {
				t.Fatal(st)
			}
			got := f.Filter(ctx, cs, pod, pt.NodeInfo(node.Obj(), tt.existing...))
			if !got.Equal(tt.want) {
				t.Errorf("Filter = %v (%v), want %v (%v)", got, got.Code(), tt.want, tt.want.Code())
			}
		})
	}
}

func podLevel(p *pt.PodWrapper, requests map[string]string) *pt.PodWrapper {
	p.Spec.Resources = &corev1.ResourceRequirements{Requests: pt.ResourceList(requests)}
	return p
}

func TestFitFilterWithoutPreFilter(t *testing.T) {
	f, _ := NewFit(context.Background(), nil, nil)
	st := f.(*Fit).Filter(context.Background(), cyclestate.New(), pt.MakePod("p").Obj(), pt.NodeInfo(pt.MakeNode("n").Obj()))
	if st.Code() != fwk.Error {
		t.Errorf("Filter = %v, want Error", st)
	}
}

func TestFits(t *testing.T) {
	ni := pt.NodeInfo(pt.MakeNode("n").Capacity(map[string]string{"cpu": "1", "memory": "1Gi", "pods": "10"}).Obj())
	got := Fits(pt.MakePod("p").Req(map[string]string{"cpu": "2", "memory": "512Mi"}).Obj(), ni)
	want := []InsufficientResource{{ResourceName: corev1.ResourceCPU, Reason: "Insufficient cpu", Requested: 2000, Used: 0, Capacity: 1000, Unresolvable: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Fits (-want +got):\n%s", diff)
	}
}
