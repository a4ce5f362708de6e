package nodeunschedulable

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

func TestFilter(t *testing.T) {
	unsched := fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonUnschedulable)
	tests := []struct {
		name string
		pod  *corev1.Pod
		node *corev1.Node
		want *fwk.Status
	}{
		{"schedulable node", plugintest.MakePod("p").Obj(), plugintest.MakeNode("n").Obj(), nil},
		{"cordoned node", plugintest.MakePod("p").Obj(), plugintest.MakeNode("n").Unschedulable().Obj(), unsched},
		{"cordoned node, pod tolerates by key", plugintest.MakePod("p").
			Toleration(corev1.TaintNodeUnschedulable, corev1.TolerationOpExists, "", corev1.TaintEffectNoSchedule).Obj(),
			plugintest.MakeNode("n").Unschedulable().Obj(), nil},
		{"cordoned node, pod tolerates everything", plugintest.MakePod("p").
			Toleration("", corev1.TolerationOpExists, "", "").Obj(),
			plugintest.MakeNode("n").Unschedulable().Obj(), nil},
		{"cordoned node, toleration for another effect", plugintest.MakePod("p").
			Toleration(corev1.TaintNodeUnschedulable, corev1.TolerationOpExists, "", corev1.TaintEffectNoExecute).Obj(),
			plugintest.MakeNode("n").Unschedulable().Obj(), unsched},
	}
	ctx := context.Background()
	p, _ := New(ctx, nil, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.(*Plugin).Filter(ctx, cyclestate.New(), tt.pod, plugintest.NodeInfo(tt.node))
			if !got.Equal(tt.want) {
				t.Errorf("Filter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestQueueingHints(t *testing.T) {
	pod := plugintest.MakePod("p").Obj()
	cordoned := plugintest.MakeNode("n").Unschedulable().Obj()
	open := plugintest.MakeNode("n").Obj()
	tests := []struct {
		name           string
		oldObj, newObj any
		fn             fwk.QueueingHintFn
		want           fwk.QueueingHint
	}{
		{"node added schedulable", nil, open, isSchedulableAfterNodeChange, fwk.Queue},
		{"node added cordoned", nil, cordoned, isSchedulableAfterNodeChange, fwk.QueueSkip},
		{"node uncordoned", cordoned, open, isSchedulableAfterNodeChange, fwk.Queue},
		{"node cordoned", open, cordoned, isSchedulableAfterNodeChange, fwk.QueueSkip},
		{"unrelated toleration", pod, plugintest.MakePod("p").Toleration("foo", corev1.TolerationOpExists, "", "").Obj(), isSchedulableAfterPodTolerationChange, fwk.QueueSkip},
		{"unschedulable toleration", pod, plugintest.MakePod("p").Toleration(corev1.TaintNodeUnschedulable, corev1.TolerationOpExists, "", "").Obj(), isSchedulableAfterPodTolerationChange, fwk.Queue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn(klog.Background(), pod, tt.oldObj, tt.newObj)
			if err != nil || got != tt.want {
				t.Errorf("hint = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
