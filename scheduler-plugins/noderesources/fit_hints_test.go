package noderesources

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
)

func TestHints(t *testing.T) {
	pod := pt.MakePod("p").Req(cpuMem("2", "1Gi")).Obj()
	node := func(cpu, pods string) *corev1.Node {
		return pt.MakeNode("n").Capacity(map[string]string{"cpu": cpu, "memory": "8Gi", "pods": pods}).Obj()
	}
	scaled := func(cpu string) *corev1.Pod { return pt.MakePod("e").Node("n").Req(cpuMem(cpu, "1Gi")).Obj() }
	tests := []struct {
		name     string
		fn       fwk.QueueingHintFn
		old, new any
		want     fwk.QueueingHint
	}{
		{"node added, fits", isSchedulableAfterNodeChange, nil, node("4", "10"), fwk.Queue},
		{"node added, too small", isSchedulableAfterNodeChange, nil, node("1", "10"), fwk.QueueSkip},
		{"node grew cpu", isSchedulableAfterNodeChange, node("2", "10"), node("4", "10"), fwk.Queue},
		{"node grew pods only", isSchedulableAfterNodeChange, node("4", "10"), node("4", "20"), fwk.Queue},
		{"node unchanged", isSchedulableAfterNodeChange, node("4", "10"), node("4", "10"), fwk.QueueSkip},
		{"bound pod deleted", isSchedulableAfterPodDeleted, scaled("1"), nil, fwk.Queue},
		{"unbound pod deleted", isSchedulableAfterPodDeleted, pt.MakePod("e").Obj(), nil, fwk.QueueSkip},
		{"bound pod scaled down cpu", isSchedulableAfterPodScaleDown, scaled("2"), scaled("1"), fwk.Queue},
		{"bound pod changed nothing relevant", isSchedulableAfterPodScaleDown, scaled("2"), scaled("2"), fwk.QueueSkip},
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
