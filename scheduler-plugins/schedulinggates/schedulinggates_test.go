package schedulinggates

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
)

func TestPreEnqueue(t *testing.T) {
	tests := []struct {
		name  string
		gates []string
		want  *fwk.Status
	}{
		{name: "no gates"},
		{name: "one gate", gates: []string{"example.com/a"},
			want: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "waiting for scheduling gates: [example.com/a]")},
		{name: "two gates", gates: []string{"a", "b"},
			want: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "waiting for scheduling gates: [a b]")},
	}
	p, _ := New(context.Background(), nil, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := pt.MakePod("p").Obj()
			for _, g := range tt.gates {
				pod.Spec.SchedulingGates = append(pod.Spec.SchedulingGates, corev1.PodSchedulingGate{Name: g})
			}
			if got := p.(*Plugin).PreEnqueue(context.Background(), pod); !got.Equal(tt.want) {
				t.Errorf("PreEnqueue = %v, want %v", got, tt.want)
			}
		})
	}
	ev, _ := p.(*Plugin).EventsToRegister(context.Background())
	if len(ev) != 1 || ev[0].Event.ActionType != fwk.UpdatePodSchedulingGatesEliminated {
		t.Errorf("events = %+v", ev)
	}
}
