package validate

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// HasInvalidLabelValueInNodeSelectorTerms tells whether terms hold label values that would
// not validate today, which updates of old objects keep accepting.
func HasInvalidLabelValueInNodeSelectorTerms(terms []corev1.NodeSelectorTerm) bool {
	for _, term := range terms {
		for _, expr := range term.MatchExpressions {
			for _, value := range expr.Values {
				if len(validation.IsValidLabelValue(value)) > 0 {
					return true
				}
			}
		}
	}
	return false
}
