package helper

// Feature gates the plugins consult, fixed at Kubernetes v1.37's defaults. skiff has no
// feature-gate flags for the scheduler. InPlacePodVerticalScalingSchedulerPreemption (alpha,
// off) is not implemented: deferred resizes of bound pods are not rescheduled. Gates that are on
// and have no off-path worth keeping (MatchLabelKeysInPodTopologySpread,
// NodeInclusionPolicyInPodTopologySpread) are simply always on.
const (
	// EnableTaintTolerationComparisonOperators (alpha, off): Lt/Gt toleration operators.
	EnableTaintTolerationComparisonOperators = false
	// EnablePodLevelResources (beta, on): spec.resources at pod level counts in requests.
	EnablePodLevelResources = true
	// EnableInPlacePodVerticalScaling (GA).
	EnableInPlacePodVerticalScaling = true
	// EnableInPlacePodLevelResourcesVerticalScaling (beta, on).
	EnableInPlacePodLevelResourcesVerticalScaling = true
)
