package validate

import "k8s.io/apimachinery/pkg/util/validation/field"

// Unique drops errors whose text repeats an earlier one. Upstream's responses never repeat an
// error: its strategies merge their errors with declarative validation through
// ErrorList.Filter, which goes through ToAggregate and so drops repeats.
func Unique(errs field.ErrorList) field.ErrorList {
	seen := make(map[string]bool, len(errs))
	out := errs[:0:0]
	for _, err := range errs {
		if msg := err.Error(); !seen[msg] {
			seen[msg] = true
			out = append(out, err)
		}
	}
	return out
}
