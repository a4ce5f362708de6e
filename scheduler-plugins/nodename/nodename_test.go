package nodename

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/sets"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

func TestNodeName(t *testing.T) {
	tests := []struct {
		name          string
		podNode       string
		node          string
		wantFilter    *fwk.Status
		wantPreFilter *fwk.PreFilterResult
	}{
		{name: "no node name fits any node", node: "n1"},
		{name: "matching node name", podNode: "n1", node: "n1", wantPreFilter: &fwk.PreFilterResult{NodeNames: sets.New("n1")}},
		{name: "other node name", podNode: "n2", node: "n1",
			wantFilter:    fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReason),
			wantPreFilter: &fwk.PreFilterResult{NodeNames: sets.New("n2")}},
	}
	ctx := context.Background()
	p, _ := New(ctx, nil, nil)
	pl := p.(*Plugin)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := plugintest.MakePod("p").Node(tt.podNode).Obj()
			ni := plugintest.NodeInfo(plugintest.MakeNode(tt.node).Obj())
			res, st := pl.PreFilter(ctx, cyclestate.New(), pod, nil)
			if !st.IsSuccess() {
				t.Fatalf("PreFilter: %v", st)
			}
			if diff := cmp.Diff(tt.wantPreFilter, res); diff != "" {
				t.Errorf("PreFilter result (-want +got):\n%s", diff)
			}
			if got := pl.Filter(ctx, cyclestate.New(), pod, ni); !got.Equal(tt.wantFilter) {
				t.Errorf("Filter = %v, want %v", got, tt.wantFilter)
			}
		})
	}
}
