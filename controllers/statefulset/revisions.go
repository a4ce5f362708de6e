package statefulset

import (
	"context"
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/skiff-sh/skiff/controllers/internal/history"
)

// patchCodec encodes a set as apps/v1 JSON, the form revisions are computed from.
var patchCodec = scheme.Codecs.LegacyCodec(appsv1.SchemeGroupVersion)

// revisionData is what a revision stores: the set's pod template as a strategic merge patch
// that replaces the template wholesale.
func revisionData(set *appsv1.StatefulSet) ([]byte, error) {
	data, err := runtime.Encode(patchCodec, set)
	if err != nil {
		return nil, fmt.Errorf("encoding statefulset: %w", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("decoding statefulset: %w", err)
	}
	spec, _ := raw["spec"].(map[string]any)
	template, _ := spec["template"].(map[string]any)
	if template == nil {
		template = map[string]any{}
	}
	template["$patch"] = "replace"
	return json.Marshal(map[string]any{"spec": map[string]any{"template": template}})
}

// newRevision is the revision numbered n that set's current template makes.
func newRevision(set *appsv1.StatefulSet, n int64, collisionCount *int32) (*appsv1.ControllerRevision, error) {
	data, err := revisionData(set)
	if err != nil {
		return nil, err
	}
	cr := history.New(set, controllerKind, set.Spec.Template.Labels, data, n, collisionCount)
	cr.Annotations = copyMap(set.Annotations)
	return cr, nil
}

// applyRevision returns a copy of set whose spec has the revision's template.
func applyRevision(set *appsv1.StatefulSet, revision *appsv1.ControllerRevision) (*appsv1.StatefulSet, error) {
	clone := set.DeepCopy()
	original, err := runtime.Encode(patchCodec, clone)
	if err != nil {
		return nil, fmt.Errorf("encoding statefulset: %w", err)
	}
	patched, err := strategicpatch.StrategicMergePatch(original, revision.Data.Raw, clone)
	if err != nil {
		return nil, fmt.Errorf("applying revision %s: %w", revision.Name, err)
	}
	restored := &appsv1.StatefulSet{}
	if err := json.Unmarshal(patched, restored); err != nil {
		return nil, fmt.Errorf("decoding revision %s: %w", revision.Name, err)
	}
	clone.Spec = restored.Spec
	return clone, nil
}

// matchesLatest reports whether proposed and the latest stored revision differ only in how
// they were serialized (upstream's StatefulSetSemanticRevisionComparison, on by default):
// re-deriving the latest revision through today's encoding gives the same bytes. Upstream
// also applies the API defaults to the re-derived set; skiff's controllers cannot reach them.
func matchesLatest(set *appsv1.StatefulSet, proposed, latest *appsv1.ControllerRevision) bool {
	latestSet, err := applyRevision(set, latest)
	if err != nil {
		return false
	}
	rebuilt, err := newRevision(latestSet, -1, nil)
	if err != nil {
		return false
	}
	return history.Equal(proposed, rebuilt)
}

// revisions finds (or stores) the revision set's template makes now (the update revision) and
// the revision status.currentRevision names (the update revision when there is none yet).
func (r *Reconciler) revisions(ctx context.Context, set *appsv1.StatefulSet, revisions []*appsv1.ControllerRevision) (current, update *appsv1.ControllerRevision, collisionCount int32, err error) {
	history.Sort(revisions)
	if set.Status.CollisionCount != nil {
		collisionCount = *set.Status.CollisionCount
	}
	update, err = newRevision(set, history.Next(revisions), &collisionCount)
	if err != nil {
		return nil, nil, collisionCount, err
	}
	equal := history.FindEqual(revisions, update)
	n := len(revisions)
	switch {
	case len(equal) > 0 && history.Equal(revisions[n-1], equal[len(equal)-1]):
		// The latest revision is the update revision: nothing changed.
		update = revisions[n-1]
	case len(equal) > 0:
		// Rolled back to an earlier revision: renumber it as the newest.
		update, err = r.history.SetRevision(ctx, equal[len(equal)-1], update.Revision)
		if err != nil {
			return nil, nil, collisionCount, err
		}
	case n > 0 && matchesLatest(set, update, revisions[n-1]):
		update = revisions[n-1]
	default:
		update, err = r.history.Create(ctx, set, update, &collisionCount)
		if err != nil {
			return nil, nil, collisionCount, err
		}
	}
	for _, rev := range revisions {
		if rev.Name == set.Status.CurrentRevision {
			current = rev
			break
		}
	}
	if current == nil {
		current = update
	}
	return current, update, collisionCount, nil
}

// truncateHistory deletes the oldest revisions no pod uses beyond revisionHistoryLimit.
func (r *Reconciler) truncateHistory(ctx context.Context, set *appsv1.StatefulSet, pods []*corev1.Pod, revisions []*appsv1.ControllerRevision, current, update *appsv1.ControllerRevision) error {
	live := map[string]bool{}
	if current != nil {
		live[current.Name] = true
	}
	if update != nil {
		live[update.Name] = true
	}
	for _, pod := range pods {
		live[podRevision(pod)] = true
	}
	var old []*appsv1.ControllerRevision
	for _, rev := range revisions {
		if !live[rev.Name] {
			old = append(old, rev)
		}
	}
	limit := 10
	if set.Spec.RevisionHistoryLimit != nil {
		limit = int(*set.Spec.RevisionHistoryLimit)
	}
	if limit < 0 || len(old) <= limit {
		return nil
	}
	for _, rev := range old[:len(old)-limit] {
		if err := r.history.Delete(ctx, rev); err != nil {
			return err
		}
	}
	return nil
}
