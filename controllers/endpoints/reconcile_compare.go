package endpoints

import (
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/conversion"
)

// maxCapacity is the most addresses an Endpoints object holds; beyond it the controller
// truncates and says so in the over-capacity annotation.
const maxCapacity = 1000

// upToDate says whether current already holds subsets and the labels and annotations the
// controller would write.
func upToDate(current *corev1.Endpoints, svc *corev1.Service, subsets []corev1.EndpointSubset) bool {
	return (subsetsEqual(current.Subsets, subsets) || subsetsEqual(repackSubsets(copySubsets(current.Subsets)), subsets)) &&
		labelsCorrect(current.Labels, svc.Labels) &&
		capacityAnnotationCorrect(current.Annotations, current.Subsets)
}

func copySubsets(in []corev1.EndpointSubset) []corev1.EndpointSubset {
	out := make([]corev1.EndpointSubset, len(in))
	for i := range in {
		in[i].DeepCopyInto(&out[i])
	}
	return out
}

// semanticIgnoreResourceVersion compares target references without their resourceVersion.
var semanticIgnoreResourceVersion = conversion.EqualitiesOrDie(
	func(a, b corev1.ObjectReference) bool {
		a.ResourceVersion = ""
		b.ResourceVersion = ""
		return a == b
	},
)

func subsetsEqual(a, b []corev1.EndpointSubset) bool {
	return semanticIgnoreResourceVersion.DeepEqual(a, b)
}

// labelsCorrect: the Endpoints carry the Service's labels, the managed-by label and at most
// the headless label besides.
func labelsCorrect(epLabels, svcLabels map[string]string) bool {
	if epLabels[LabelManagedBy] != ControllerName {
		return false
	}
	skipped := 0
	for k, v := range epLabels {
		if k == corev1.IsHeadlessService || k == LabelManagedBy {
			skipped++
		} else if sv, ok := svcLabels[k]; !ok || sv != v {
			return false
		}
	}
	return len(svcLabels) == len(epLabels)-skipped
}

// capacityAnnotationCorrect: within capacity and not marked truncated.
func capacityAnnotationCorrect(annotations map[string]string, subsets []corev1.EndpointSubset) bool {
	n := 0
	for _, s := range subsets {
		n += len(s.Addresses) + len(s.NotReadyAddresses)
	}
	if n > maxCapacity {
		return false
	}
	_, ok := annotations[corev1.EndpointsOverCapacity]
	return !ok
}

// truncate cuts ep down to maxCapacity addresses, keeping ready addresses first and taking
// from each subset in proportion to its size; it reports whether it cut anything.
func truncate(ep *corev1.Endpoints) bool {
	totalReady, totalNotReady := 0, 0
	for _, s := range ep.Subsets {
		totalReady += len(s.Addresses)
		totalNotReady += len(s.NotReadyAddresses)
	}
	if totalReady+totalNotReady <= maxCapacity {
		return false
	}
	truncateReady := totalReady > maxCapacity
	limit, total := maxCapacity-totalReady, totalNotReady
	if truncateReady {
		limit, total = maxCapacity, totalReady
	}
	left := limit
	for i := range ep.Subsets {
		s := &ep.Subsets[i]
		n := len(s.NotReadyAddresses)
		if truncateReady {
			n = len(s.Addresses)
		}
		take := min(int(math.Ceil(float64(n)/float64(total)*float64(limit))), left)
		if truncateReady {
			s.Addresses = s.Addresses[:min(take, len(s.Addresses))]
			s.NotReadyAddresses = []corev1.EndpointAddress{}
			left -= len(s.Addresses)
		} else {
			s.NotReadyAddresses = s.NotReadyAddresses[:min(take, len(s.NotReadyAddresses))]
			left -= len(s.NotReadyAddresses)
		}
	}
	return true
}
