package interpodaffinity

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
)

func TestHints(t *testing.T) {
	affine := pt.MakePod("p").Required(pt.Affinity, pt.Term(zone, "app", "db")).Obj()
	hater := pt.MakePod("p").Label("app", "web").Required(pt.AntiAffinity, pt.Term(zone, "app", "web")).Obj()
	db := pt.MakePod("db").Label("app", "db").Node("n").Obj()
	web := pt.MakePod("web").Label("app", "web").Node("n").Obj()
	other := pt.MakePod("o").Label("app", "other").Node("n").Obj()
	za, zb, none := pt.MakeNode("n").Label(zone, "a").Obj(), pt.MakeNode("n").Label(zone, "b").Obj(), pt.MakeNode("n").Obj()
	tests := []struct {
		name     string
		pod      *corev1.Pod
		fn       fwk.QueueingHintFn
		old, new any
		want     fwk.QueueingHint
	}{
		{"matching pod bound", affine, isSchedulableAfterAssignedPodChange, nil, db, fwk.Queue},
		{"other pod bound", affine, isSchedulableAfterAssignedPodChange, nil, other, fwk.QueueSkip},
		{"unbound pod", affine, isSchedulableAfterAssignedPodChange, nil, pt.MakePod("db").Label("app", "db").Obj(), fwk.QueueSkip},
		{"relabelled to match", affine, isSchedulableAfterAssignedPodChange, other, db, fwk.Queue},
		{"hated pod deleted", hater, isSchedulableAfterAssignedPodChange, web, nil, fwk.Queue},
		{"hated pod relabelled away", hater, isSchedulableAfterAssignedPodChange, web, other, fwk.Queue},
		{"pod hating us deleted", pt.MakePod("p").Label("app", "x").Obj(), isSchedulableAfterAssignedPodChange,
			pt.MakePod("h").Node("n").Required(pt.AntiAffinity, pt.Term(zone, "app", "x")).Obj(), nil, fwk.Queue},
		{"unrelated pod deleted", hater, isSchedulableAfterAssignedPodChange, other, nil, fwk.QueueSkip},
		{"node with affinity key added", affine, isSchedulableAfterNodeChange, nil, za, fwk.Queue},
		{"node without key added", affine, isSchedulableAfterNodeChange, nil, none, fwk.QueueSkip},
		{"node gained affinity key", affine, isSchedulableAfterNodeChange, none, za, fwk.Queue},
		{"node moved zone (affinity)", affine, isSchedulableAfterNodeChange, za, zb, fwk.Queue},
		{"node added (anti-affinity)", hater, isSchedulableAfterNodeChange, nil, none, fwk.Queue},
		{"node lost anti-affinity key", hater, isSchedulableAfterNodeChange, za, none, fwk.Queue},
		{"node gained anti-affinity key", hater, isSchedulableAfterNodeChange, none, za, fwk.QueueSkip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn(klog.Background(), tt.pod, tt.old, tt.new)
			if err != nil || got != tt.want {
				t.Errorf("hint = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
