package defaultpreemption

import (
	"fmt"
	"sort"
	"strings"

	fwk "k8s.io/kube-scheduler/framework"
)

// nodeStatuses are the dry run's statuses of nodes where preemption did not help, with one
// status for the nodes not listed.
type nodeStatuses struct {
	byNode map[string]*fwk.Status
	absent *fwk.Status
}

func newNodeStatuses() *nodeStatuses {
	return &nodeStatuses{byNode: map[string]*fwk.Status{}, absent: fwk.NewStatus(fwk.UnschedulableAndUnresolvable)}
}

// fitError is upstream's FitError message for numAllNodes nodes: "0/N nodes are available:
// <count> <reason>, ...." with the reasons sorted as strings.
func (s *nodeStatuses) fitError(numAllNodes int) string {
	counts := map[string]int{}
	for _, st := range s.byNode {
		for _, r := range st.Reasons() {
			counts[r]++
		}
	}
	if len(s.byNode) < numAllNodes {
		for _, r := range s.absent.Reasons() {
			counts[r] += numAllNodes - len(s.byNode)
		}
	}
	reasons := make([]string, 0, len(counts))
	for r, c := range counts {
		reasons = append(reasons, fmt.Sprintf("%v %v", c, r))
	}
	sort.Strings(reasons)
	msg := fmt.Sprintf("0/%v nodes are available:", numAllNodes)
	if len(reasons) > 0 {
		msg += fmt.Sprintf(" %v.", strings.Join(reasons, ", "))
	}
	return msg
}
