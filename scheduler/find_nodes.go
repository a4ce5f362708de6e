package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/config"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/runtime"
)

// schedulePod filters and scores the snapshot's nodes and picks one.
func (s *Scheduler) schedulePod(ctx context.Context, fw *runtime.Framework, state *cyclestate.CycleState, pod *corev1.Pod) (scheduleResult, error) {
	numNodes := s.snapshot.NumNodes()
	if numNodes == 0 {
		return scheduleResult{}, ErrNoNodesAvailable
	}
	feasible, diag, err := s.findNodesThatFitPod(ctx, fw, state, pod)
	if err != nil {
		return scheduleResult{}, err
	}
	if len(feasible) == 0 {
		return scheduleResult{}, &FitError{Pod: pod, NumAllNodes: numNodes, Diagnosis: diag}
	}
	if len(feasible) == 1 {
		return scheduleResult{SuggestedHost: feasible[0].Node().Name, EvaluatedNodes: 1 + diag.NodeToStatus.Len(), FeasibleNodes: 1}, nil
	}
	scores, err := s.prioritizeNodes(ctx, fw, state, pod, feasible)
	if err != nil {
		return scheduleResult{}, err
	}
	host := selectHost(scores)
	return scheduleResult{SuggestedHost: host, EvaluatedNodes: len(feasible) + diag.NodeToStatus.Len(), FeasibleNodes: len(feasible)}, nil
}

// findNodesThatFitPod runs PreFilter, tries the nominated node first, then filters nodes.
func (s *Scheduler) findNodesThatFitPod(ctx context.Context, fw *runtime.Framework, state *cyclestate.CycleState, pod *corev1.Pod) ([]fwk.NodeInfo, diagnosis, error) {
	logger := klog.FromContext(ctx)
	diag := diagnosis{NodeToStatus: runtime.NewDefaultNodeToStatus()}
	allNodes, err := s.snapshot.List()
	if err != nil {
		return nil, diag, err
	}
	preRes, st, narrowing := fw.RunPreFilterPlugins(ctx, state, pod)
	diag.UnschedulablePlugins = narrowing
	if !st.IsSuccess() {
		if !st.IsRejected() {
			return nil, diag, st.AsError()
		}
		diag.NodeToStatus.SetAbsentNodesStatus(st)
		diag.PreFilterMsg = st.Message()
		logger.V(5).Info("Status after running PreFilter plugins for pod", "status", st.Message())
		diag.addPluginStatus(st)
		return nil, diag, nil
	}
	if nnn := pod.Status.NominatedNodeName; nnn != "" {
		if ni, err := s.snapshot.Get(nnn); err == nil {
			feasible, err := s.findNodesThatPassFilters(ctx, fw, state, pod, &diag, []fwk.NodeInfo{ni})
			if err != nil {
				logger.Error(err, "Evaluation failed on nominated node", "node", nnn)
			}
			if len(feasible) != 0 {
				return feasible, diag, nil
			}
		}
	}
	nodes := allNodes
	if !preRes.AllNodes() {
		nodes = make([]fwk.NodeInfo, 0, len(preRes.NodeNames))
		for name := range preRes.NodeNames {
			if ni, err := s.snapshot.Get(name); err == nil {
				nodes = append(nodes, ni)
			}
		}
		diag.NodeToStatus.SetAbsentNodesStatus(fwk.NewStatus(fwk.UnschedulableAndUnresolvable,
			fmt.Sprintf("node(s) didn't satisfy plugin(s) %v", sets.List(narrowing))))
	}
	feasible, err := s.findNodesThatPassFilters(ctx, fw, state, pod, &diag, nodes)
	processed := len(feasible) + diag.NodeToStatus.Len()
	s.nextStartNodeIndex = (s.nextStartNodeIndex + processed) % len(allNodes)
	if err != nil {
		return nil, diag, err
	}
	return feasible, diag, nil
}

// findNodesThatPassFilters runs Filter on nodes in parallel, starting at the rotating index,
// and stops once enough feasible nodes are found (all but 1 when nothing scores).
func (s *Scheduler) findNodesThatPassFilters(ctx context.Context, fw *runtime.Framework, state *cyclestate.CycleState, pod *corev1.Pod, diag *diagnosis, nodes []fwk.NodeInfo) ([]fwk.NodeInfo, error) {
	numAll := len(nodes)
	if numAll == 0 {
		return nil, nil
	}
	pct := s.percentageOfNodesToScore
	if p := fw.PercentageOfNodesToScore(); p != nil {
		pct = *p
	}
	toFind := config.NumFeasibleNodesToFind(pct, int32(numAll))
	if !fw.HasScorePlugins() {
		toFind = 1
	}
	start := s.nextStartNodeIndex % numAll
	feasible := make([]fwk.NodeInfo, toFind)
	if !fw.HasFilterPlugins() {
		for i := range feasible {
			feasible[i] = nodes[(start+i)%numAll]
		}
		return feasible, nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(errors.New("findNodesThatPassFilters has completed"))
	var found int32
	var firstErr atomic.Pointer[error]
	// statuses is reused from cycle to cycle (only the scheduling goroutine filters) and
	// cleared after use.
	if cap(s.filterStatuses) < numAll {
		s.filterStatuses = make([]*fwk.Status, numAll)
	}
	statuses := s.filterStatuses[:numAll]
	fw.Parallelizer().Until(ctx, numAll, func(i int) {
		ni := nodes[(start+i)%numAll]
		st := fw.RunFilterPluginsWithNominatedPods(ctx, state, pod, ni)
		if st.Code() == fwk.Error {
			err := st.AsError()
			firstErr.CompareAndSwap(nil, &err)
			cancel(errors.New("some other Filter operation failed"))
			return
		}
		if st.IsSuccess() {
			n := atomic.AddInt32(&found, 1)
			if n > toFind {
				cancel(errors.New("findNodesThatPassFilters has found enough nodes"))
				atomic.AddInt32(&found, -1)
			} else {
				feasible[n-1] = ni
			}
			return
		}
		statuses[i] = st
	}, "Filter")
	feasible = feasible[:found]
	for i, st := range statuses {
		if st != nil {
			diag.NodeToStatus.Set(nodes[(start+i)%numAll].Node().Name, st)
			diag.addPluginStatus(st)
			statuses[i] = nil
		}
	}
	if e := firstErr.Load(); e != nil {
		return feasible, *e
	}
	return feasible, nil
}

// prioritizeNodes runs PreScore and Score; without Score plugins every node scores 1.
func (s *Scheduler) prioritizeNodes(ctx context.Context, fw *runtime.Framework, state *cyclestate.CycleState, pod *corev1.Pod, nodes []fwk.NodeInfo) ([]fwk.NodePluginScores, error) {
	if !fw.HasScorePlugins() {
		out := make([]fwk.NodePluginScores, len(nodes))
		for i, n := range nodes {
			out[i] = fwk.NodePluginScores{Name: n.Node().Name, TotalScore: 1}
		}
		return out, nil
	}
	if st := fw.RunPreScorePlugins(ctx, state, pod, nodes); !st.IsSuccess() {
		return nil, st.AsError()
	}
	// The scores live until selectHost has picked a node: the buffer is the next cycle's.
	scores, st := fw.ScoreNodes(ctx, state, pod, nodes, &s.scoreBuffer)
	if !st.IsSuccess() {
		return nil, st.AsError()
	}
	if l := klog.FromContext(ctx).V(10); l.Enabled() {
		for _, sc := range scores {
			l.Info("Calculated node's final score for pod", "node", sc.Name, "score", sc.TotalScore)
		}
	}
	return scores, nil
}

// selectHost picks a node with the highest total score, uniformly at random among ties
// (reservoir sampling).
func selectHost(scores []fwk.NodePluginScores) string {
	best, ties := 0, 1
	for i := 1; i < len(scores); i++ {
		switch {
		case scores[i].TotalScore > scores[best].TotalScore:
			best, ties = i, 1
		case scores[i].TotalScore == scores[best].TotalScore:
			ties++
			if rand.IntN(ties) == 0 {
				best = i
			}
		}
	}
	return scores[best].Name
}
