package config

const (
	// MinFeasibleNodesToFind is the fewest nodes a cycle looks for before it stops filtering.
	MinFeasibleNodesToFind = 100
	// MinFeasibleNodesPercentageToFind is the lowest adaptive percentage.
	MinFeasibleNodesPercentageToFind = 5
)

// NumFeasibleNodesToFind returns how many feasible nodes a scheduling cycle looks for out of
// numAllNodes, as upstream: all when fewer than 100 nodes or 100%; with percentage 0 the
// adaptive 50 - nodes/125 (at least 5%); never fewer than 100.
func NumFeasibleNodesToFind(percentage int32, numAllNodes int32) int32 {
	if numAllNodes < MinFeasibleNodesToFind {
		return numAllNodes
	}
	if percentage == 0 {
		percentage = int32(50) - numAllNodes/125
		if percentage < MinFeasibleNodesPercentageToFind {
			percentage = MinFeasibleNodesPercentageToFind
		}
	}
	n := numAllNodes * percentage / 100
	if n < MinFeasibleNodesToFind {
		return MinFeasibleNodesToFind
	}
	return n
}
