package namespace

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// conditionTypes are the namespace conditions the deleter keeps, in upstream's order.
var conditionTypes = []corev1.NamespaceConditionType{
	corev1.NamespaceDeletionDiscoveryFailure,
	corev1.NamespaceDeletionGVParsingFailure,
	corev1.NamespaceDeletionContentFailure,
	corev1.NamespaceContentRemaining,
	corev1.NamespaceFinalizersRemaining,
}

// okConditions are the reasons and messages of the conditions when all is well (False).
var okConditions = map[corev1.NamespaceConditionType][2]string{
	corev1.NamespaceDeletionDiscoveryFailure: {"ResourcesDiscovered", "All resources successfully discovered"},
	corev1.NamespaceDeletionGVParsingFailure: {"ParsedGroupVersions", "All legacy kube types successfully parsed"},
	corev1.NamespaceDeletionContentFailure:   {"ContentDeleted", "All content successfully deleted, may be waiting on finalization"},
	corev1.NamespaceContentRemaining:         {"ContentRemoved", "All content successfully removed"},
	corev1.NamespaceFinalizersRemaining:      {"ContentHasNoFinalizers", "All content-preserving finalizers finished"},
}

// conditions collects what went wrong in one pass over a namespace's content and turns it
// into the namespace's deletion conditions.
type conditions struct {
	failed              []corev1.NamespaceCondition
	deleteContentErrors []error
}

func (c *conditions) add(t corev1.NamespaceConditionType, reason, message string) {
	c.failed = append(c.failed, corev1.NamespaceCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, Message: message})
}

func (c *conditions) discoveryFailed(err error) {
	msg := err.Error()
	if derr, ok := errors.AsType[*discovery.ErrGroupDiscoveryFailed](err); ok {
		msg = fmt.Sprintf("Discovery failed for some groups, %d failing: %v", len(derr.Groups), err)
	}
	c.add(corev1.NamespaceDeletionDiscoveryFailure, "DiscoveryFailed", msg)
}

func (c *conditions) groupVersionFailed(err error) {
	c.add(corev1.NamespaceDeletionGVParsingFailure, "GroupVersionParsingFailed", err.Error())
}

func (c *conditions) deleteContentFailed(err error) {
	c.deleteContentErrors = append(c.deleteContentErrors, err)
}

// remaining records what is still there: instances per resource and per finalizer.
func (c *conditions) remaining(byResource map[schema.GroupVersionResource]int, byFinalizer map[string]int) {
	if len(byResource) > 0 {
		var parts []string
		for gvr, n := range byResource {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%s.%s has %d resource instances", gvr.Resource, gvr.Group, n))
			}
		}
		sort.Strings(parts)
		c.add(corev1.NamespaceContentRemaining, "SomeResourcesRemain", "Some resources are remaining: "+strings.Join(parts, ", "))
	}
	if len(byFinalizer) > 0 {
		var parts []string
		for f, n := range byFinalizer {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%s in %d resource instances", f, n))
			}
		}
		sort.Strings(parts)
		c.add(corev1.NamespaceFinalizersRemaining, "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: "+strings.Join(parts, ", "))
	}
}

// apply writes every deletion condition into status, failed ones True and the rest False,
// touching lastTransitionTime only when a status flips. It reports whether status changed.
func (c *conditions) apply(status *corev1.NamespaceStatus, now metav1.Time) bool {
	failed := c.failed
	if find(failed, corev1.NamespaceDeletionContentFailure) == nil && len(c.deleteContentErrors) > 0 {
		msgs := make([]string, 0, len(c.deleteContentErrors))
		for _, err := range c.deleteContentErrors {
			msgs = append(msgs, err.Error())
		}
		sort.Strings(msgs)
		failed = append(failed, corev1.NamespaceCondition{
			Type: corev1.NamespaceDeletionContentFailure, Status: corev1.ConditionTrue, Reason: "ContentDeletionFailed",
			Message: fmt.Sprintf("Failed to delete all resource types, %d remaining: %v", len(msgs), strings.Join(msgs, ", ")),
		})
	}
	changed := false
	for _, t := range conditionTypes {
		want := corev1.NamespaceCondition{Type: t, Status: corev1.ConditionFalse, Reason: okConditions[t][0], Message: okConditions[t][1]}
		if f := find(failed, t); f != nil {
			want = *f
		}
		want.LastTransitionTime = now
		old := find(status.Conditions, t)
		switch {
		case old == nil:
			status.Conditions = append(status.Conditions, want)
			changed = true
		case old.Status != want.Status || old.Reason != want.Reason || old.Message != want.Message:
			if old.Status != want.Status {
				old.LastTransitionTime = now
			}
			old.Status, old.Reason, old.Message = want.Status, want.Reason, want.Message
			changed = true
		}
	}
	return changed
}

func find(conds []corev1.NamespaceCondition, t corev1.NamespaceConditionType) *corev1.NamespaceCondition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}
