package scheduler

import (
	"testing"

	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/runtime"
)

func TestFitErrorMessage(t *testing.T) {
	taint := "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
	affinity := "node(s) didn't match Pod's node affinity/selector"
	tests := []struct {
		name string
		d    func() diagnosis
		n    int
		want string
	}{
		{
			name: "filter reasons counted and sorted",
			n:    3,
			d: func() diagnosis {
				m := runtime.NewDefaultNodeToStatus()
				m.Set("cp", fwk.NewStatus(fwk.UnschedulableAndUnresolvable, taint))
				m.Set("w1", fwk.NewStatus(fwk.UnschedulableAndUnresolvable, affinity))
				m.Set("w2", fwk.NewStatus(fwk.UnschedulableAndUnresolvable, affinity))
				return diagnosis{NodeToStatus: m, PostFilterMsg: "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."}
			},
			want: "0/3 nodes are available: 1 " + taint + ", 2 " + affinity + ". preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
		},
		{
			name: "prefilter message only",
			n:    2,
			d: func() diagnosis {
				m := runtime.NewDefaultNodeToStatus()
				m.SetAbsentNodesStatus(fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "x"))
				return diagnosis{NodeToStatus: m, PreFilterMsg: "persistentvolumeclaim \"data\" not found"}
			},
			want: "0/2 nodes are available: persistentvolumeclaim \"data\" not found.",
		},
		{
			name: "absent nodes counted",
			n:    5,
			d: func() diagnosis {
				m := runtime.NewDefaultNodeToStatus()
				m.SetAbsentNodesStatus(fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "node(s) didn't satisfy plugin(s) [NodeAffinity]"))
				m.Set("a", fwk.NewStatus(fwk.Unschedulable, "Insufficient cpu"))
				return diagnosis{NodeToStatus: m}
			},
			want: "0/5 nodes are available: 1 Insufficient cpu, 4 node(s) didn't satisfy plugin(s) [NodeAffinity].",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := &FitError{NumAllNodes: tt.n, Diagnosis: tt.d()}
			if got := err.Error(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
