package podtopologyspread

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

func TestHints(t *testing.T) {
	pl := newPlugin(t, nodeinfo.NewEmptySnapshot())
	pod := pt.MakePod("p").Label("app", "foo").Spread(1, zone, corev1.DoNotSchedule, "app", "foo").Obj()
	za, zb, none := pt.MakeNode("n").Label(zone, "a").Obj(), pt.MakeNode("n").Label(zone, "b").Obj(), pt.MakeNode("n").Obj()
	tainted := pt.MakeNode("n").Label(zone, "a").Taint("t", "", corev1.TaintEffectNoSchedule).Obj()
	bar := pt.MakePod("x").Label("app", "bar").Node("n").Obj()
	tests := []struct {
		name     string
		fn       fwk.QueueingHintFn
		old, new any
		want     fwk.QueueingHint
	}{
		{"node added with key", pl.isSchedulableAfterNodeChange, nil, za, fwk.Queue},
		{"node added without key", pl.isSchedulableAfterNodeChange, nil, none, fwk.QueueSkip},
		{"node moved zone", pl.isSchedulableAfterNodeChange, za, zb, fwk.Queue},
		{"node tainted", pl.isSchedulableAfterNodeChange, za, tainted, fwk.Queue},
		{"node lost key", pl.isSchedulableAfterNodeChange, za, none, fwk.Queue},
		{"node unchanged", pl.isSchedulableAfterNodeChange, za, za, fwk.QueueSkip},
		{"node deleted with key", pl.isSchedulableAfterNodeChange, za, nil, fwk.Queue},
		{"matching pod bound", pl.isSchedulableAfterAssignedPodChange, nil, fooPod("x", "n"), fwk.Queue},
		{"other pod bound", pl.isSchedulableAfterAssignedPodChange, nil, bar, fwk.QueueSkip},
		{"other namespace", pl.isSchedulableAfterAssignedPodChange, nil, pt.MakePod("x").Namespace("o").Label("app", "foo").Node("n").Obj(), fwk.QueueSkip},
		{"matching pod deleted", pl.isSchedulableAfterAssignedPodChange, fooPod("x", "n"), nil, fwk.Queue},
		{"label now matches", pl.isSchedulableAfterAssignedPodChange, bar, fooPod("x", "n"), fwk.Queue},
		{"unrelated label change", pl.isSchedulableAfterAssignedPodChange, bar, pt.MakePod("x").Label("app", "bar").Label("v", "2").Node("n").Obj(), fwk.QueueSkip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn(klog.Background(), pod, tt.old, tt.new)
			if err != nil || got != tt.want {
				t.Errorf("hint = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
