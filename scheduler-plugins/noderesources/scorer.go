package noderesources

import (
	"context"
	"math"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
	"k8s.io/klog/v2"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// maxUtilization is RequestedToCapacityRatio's utilisation scale.
const maxUtilization = 100

// maxInline is how many scored resources fit the stack buffers of score; more allocate.
const maxInline = 8

// shapePoint is a point of RequestedToCapacityRatio's broken-linear function, scaled to
// MaxNodeScore.
type shapePoint struct{ utilization, score int64 }

// allocationScorer scores a node from the pod's requests and the node's allocatable and
// requested amounts of a list of resources. The strategy is a switch, not a function value, so
// the per-node slices stay on the stack.
type allocationScorer struct {
	strategy  configv1.ScoringStrategyType // "" is BalancedAllocation
	resources []configv1.ResourceSpec
	shape     []shapePoint
	// useRequested reads the node's actual requests; otherwise CPU and memory come from the
	// non-zero requests (missing requests counted as 100m and 200Mi).
	useRequested bool
	// podOpts computes the pod's requests.
	podOpts resourcehelper.PodResourcesOptions
}

const balanced configv1.ScoringStrategyType = ""

func newAllocationScorer(strategy configv1.ScoringStrategyType, resources []configv1.ResourceSpec, shape []configv1.UtilizationShapePoint, useRequested bool, podOpts resourcehelper.PodResourcesOptions) *allocationScorer {
	s := &allocationScorer{strategy: strategy, resources: resources, useRequested: useRequested, podOpts: podOpts}
	for _, p := range shape {
		s.shape = append(s.shape, shapePoint{utilization: int64(p.Utilization), score: int64(p.Score) * (fwk.MaxNodeScore / maxCustomPriorityScore)})
	}
	if !useRequested {
		s.podOpts.NonMissingContainerRequests = corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(nodeinfo.DefaultMilliCPURequest, resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(nodeinfo.DefaultMemoryRequest, resource.DecimalSI),
		}
	}
	return s
}

// podRequests returns the pod's request for each scored resource, in order.
func (s *allocationScorer) podRequests(pod *corev1.Pod) []int64 {
	reqs := resourcehelper.PodRequests(pod, s.podOpts)
	out := make([]int64, len(s.resources))
	for i, r := range s.resources {
		q := reqs[corev1.ResourceName(r.Name)]
		if r.Name == string(corev1.ResourceCPU) {
			out[i] = q.MilliValue()
		} else {
			out[i] = q.Value()
		}
	}
	return out
}

func bestEffort(podRequests []int64) bool {
	for _, r := range podRequests {
		if r != 0 {
			return false
		}
	}
	return true
}

// score scores nodeInfo for a pod requesting podRequests.
func (s *allocationScorer) score(ctx context.Context, pod *corev1.Pod, nodeInfo fwk.NodeInfo, podRequests []int64) (int64, *fwk.Status) {
	n := len(s.resources)
	if n == 0 {
		return 0, fwk.NewStatus(fwk.Error, "resources not found")
	}
	var buf [3][maxInline]int64
	var requested, allocated, allocatable []int64
	if n <= maxInline {
		requested, allocated, allocatable = buf[0][:n], buf[1][:n], buf[2][:n]
	} else {
		requested, allocated, allocatable = make([]int64, n), make([]int64, n), make([]int64, n)
	}
	for i := range s.resources {
		name := corev1.ResourceName(s.resources[i].Name)
		// An extended resource the pod doesn't request is left out of the score.
		if podRequests[i] == 0 && nodeinfo.IsScalarResourceName(name) {
			continue
		}
		alloc, used := s.nodeAmounts(nodeInfo, name)
		if alloc == 0 {
			continue
		}
		allocatable[i], allocated[i], requested[i] = alloc, used, used+podRequests[i]
	}
	score := s.combine(requested, allocated, allocatable)
	if v := klog.FromContext(ctx).V(10); v.Enabled() {
		v.Info("Listed internal info for allocatable resources, requested resources and score", "pod", klog.KObj(pod),
			"node", klog.KObj(nodeInfo.Node()), "resourceAllocationScorer", s.name(),
			// Copies, so the stack buffers don't escape.
			"allocatableResource", slices.Clone(allocatable), "requestedResource", slices.Clone(requested), "resourceScore", score)
	}
	return score, nil
}

func (s *allocationScorer) name() string {
	if s.strategy == balanced {
		return "NodeResourcesBalancedAllocation"
	}
	return string(s.strategy)
}

// nodeAmounts returns the node's allocatable and already requested amounts of name.
func (s *allocationScorer) nodeAmounts(nodeInfo fwk.NodeInfo, name corev1.ResourceName) (int64, int64) {
	requested := nodeInfo.GetNonZeroRequested()
	if s.useRequested {
		requested = nodeInfo.GetRequested()
	}
	alloc := nodeInfo.GetAllocatable()
	switch name {
	case corev1.ResourceCPU:
		return alloc.GetMilliCPU(), requested.GetMilliCPU()
	case corev1.ResourceMemory:
		return alloc.GetMemory(), requested.GetMemory()
	case corev1.ResourceEphemeralStorage:
		return alloc.GetEphemeralStorage(), nodeInfo.GetRequested().GetEphemeralStorage()
	}
	if a, ok := alloc.GetScalarResources()[name]; ok {
		return a, nodeInfo.GetRequested().GetScalarResources()[name]
	}
	return 0, 0
}

func (s *allocationScorer) combine(requested, allocated, allocatable []int64) int64 {
	switch s.strategy {
	case configv1.LeastAllocated:
		return s.weighted(requested, allocatable, leastRequestedScore)
	case configv1.MostAllocated:
		return s.weighted(requested, allocatable, mostRequestedScore)
	case configv1.RequestedToCapacityRatio:
		return s.requestedToCapacityRatio(requested, allocatable)
	default:
		with, without := balancedScore(requested, allocatable), balancedScore(allocated, allocatable)
		// Both are in [MaxNodeScore/2, MaxNodeScore]; reward improving the node's balance.
		return fwk.MaxNodeScore/2 + (fwk.MaxNodeScore/2+with-without)/2
	}
}

// weighted averages per-resource scores by weight over resources the node has.
func (s *allocationScorer) weighted(requested, allocatable []int64, f func(requested, capacity int64) int64) int64 {
	var score, weights int64
	for i := range requested {
		if allocatable[i] == 0 {
			continue
		}
		w := s.resources[i].Weight
		score += f(requested[i], allocatable[i]) * w
		weights += w
	}
	if weights == 0 {
		return 0
	}
	return score / weights
}

// leastRequestedScore is the unused share of capacity on [0, MaxNodeScore].
func leastRequestedScore(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * fwk.MaxNodeScore / capacity
}

// mostRequestedScore is the used share of capacity on [0, MaxNodeScore].
func mostRequestedScore(requested, capacity int64) int64 {
	if capacity == 0 {
		return 0
	}
	// Pods without requests count minimum values, which may exceed capacity.
	requested = min(requested, capacity)
	return requested * fwk.MaxNodeScore / capacity
}

func (s *allocationScorer) requestedToCapacityRatio(requested, allocatable []int64) int64 {
	var score, weights int64
	for i := range requested {
		if allocatable[i] == 0 {
			continue
		}
		u := int64(maxUtilization)
		if requested[i] <= allocatable[i] {
			u = requested[i] * maxUtilization / allocatable[i]
		}
		if r := s.shapeAt(u); r > 0 {
			score += r * s.resources[i].Weight
			weights += s.resources[i].Weight
		}
	}
	if weights == 0 {
		return 0
	}
	return int64(math.Round(float64(score) / float64(weights)))
}

// shapeAt evaluates the broken-linear shape at utilisation p.
func (s *allocationScorer) shapeAt(p int64) int64 {
	for i, pt := range s.shape {
		if p <= pt.utilization {
			if i == 0 {
				return pt.score
			}
			prev := s.shape[i-1]
			return prev.score + (pt.score-prev.score)*(p-prev.utilization)/(pt.utilization-prev.utilization)
		}
	}
	return s.shape[len(s.shape)-1].score
}

// balancedScore is (1 - standard deviation of the requested fractions) on [0, MaxNodeScore].
func balancedScore(requested, allocatable []int64) int64 {
	var buf [maxInline]float64
	fractions := buf[:0]
	var total float64
	for i := range requested {
		if allocatable[i] == 0 {
			continue
		}
		f := min(float64(requested[i])/float64(allocatable[i]), 1)
		total += f
		fractions = append(fractions, f)
	}
	std := 0.0
	switch n := len(fractions); {
	case n == 2:
		std = math.Abs((fractions[0] - fractions[1]) / 2)
	case n > 2:
		mean := total / float64(n)
		var sum float64
		for _, f := range fractions {
			sum += (f - mean) * (f - mean)
		}
		std = math.Sqrt(sum / float64(n))
	}
	return int64((1 - std) * float64(fwk.MaxNodeScore))
}
