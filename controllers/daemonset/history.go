package daemonset

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/history"
)

// revisionData is what a DaemonSet's revision stores: its pod template as a strategic merge
// patch replacing the template wholesale.
func revisionData(ds *appsv1.DaemonSet) ([]byte, error) {
	b, err := json.Marshal(ds)
	if err != nil {
		return nil, fmt.Errorf("encoding daemonset: %w", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("decoding daemonset: %w", err)
	}
	spec, _ := raw["spec"].(map[string]any)
	template, _ := spec["template"].(map[string]any)
	if template == nil {
		template = map[string]any{}
	}
	template["$patch"] = "replace"
	return json.Marshal(map[string]any{"spec": map[string]any{"template": template}})
}

// matches reports whether revision holds ds's current template.
func matches(ds *appsv1.DaemonSet, revision *appsv1.ControllerRevision) (bool, error) {
	data, err := revisionData(ds)
	if err != nil {
		return false, err
	}
	return bytes.Equal(data, revision.Data.Raw), nil
}

// constructHistory returns the revision of ds's current template (creating it when missing)
// and the older ones, after claiming the revisions ds selects.
func (r *Reconciler) constructHistory(ctx context.Context, ds *appsv1.DaemonSet, claimer *history.Claimer) (cur *appsv1.ControllerRevision, old []*appsv1.ControllerRevision, err error) {
	revisions, err := r.claimRevisions(ctx, ds, claimer)
	if err != nil {
		return nil, nil, err
	}
	var current []*appsv1.ControllerRevision
	for _, rev := range revisions {
		if _, ok := rev.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]; !ok {
			// Revisions from before the hash label was added get their name as hash.
			if rev.Labels == nil {
				rev.Labels = map[string]string{}
			}
			rev.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] = rev.Name
			if err := r.client.Update(ctx, rev); err != nil {
				return nil, nil, fmt.Errorf("labelling controller revision %s: %w", rev.Name, err)
			}
		}
		ok, err := matches(ds, rev)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			current = append(current, rev)
		} else {
			old = append(old, rev)
		}
	}
	next := maxRevision(old) + 1
	if len(current) == 0 {
		cur, err = r.snapshot(ctx, ds, next)
		return cur, old, err
	}
	if cur, err = r.dedupCurrent(ctx, ds, current, claimer); err != nil {
		return nil, nil, err
	}
	if cur.Revision < next {
		cur = cur.DeepCopy()
		cur.Revision = next
		if err := r.client.Update(ctx, cur); err != nil {
			return nil, nil, fmt.Errorf("renumbering controller revision %s: %w", cur.Name, err)
		}
	}
	return cur, old, nil
}

// claimRevisions returns the revisions ds owns, adopting orphans it selects.
func (r *Reconciler) claimRevisions(ctx context.Context, ds *appsv1.DaemonSet, claimer *history.Claimer) ([]*appsv1.ControllerRevision, error) {
	var list appsv1.ControllerRevisionList
	if err := r.client.List(ctx, &list, client.InNamespace(ds.Namespace)); err != nil {
		return nil, fmt.Errorf("listing controller revisions: %w", err)
	}
	var claimed []*appsv1.ControllerRevision
	for i := range list.Items {
		ok, err := claimer.Claim(ctx, &list.Items[i], nil)
		if err != nil {
			return nil, err
		}
		if ok {
			claimed = append(claimed, &list.Items[i])
		}
	}
	return claimed, nil
}

func maxRevision(revisions []*appsv1.ControllerRevision) int64 {
	var m int64
	for _, r := range revisions {
		m = max(m, r.Revision)
	}
	return m
}

// dedupCurrent keeps the newest of several revisions holding the current template, moves the
// pods' hash labels to it and deletes the others.
func (r *Reconciler) dedupCurrent(ctx context.Context, ds *appsv1.DaemonSet, current []*appsv1.ControllerRevision, claimer *history.Claimer) (*appsv1.ControllerRevision, error) {
	if len(current) == 1 {
		return current[0], nil
	}
	keep := current[0]
	for _, c := range current {
		if c.Revision >= keep.Revision {
			keep = c
		}
	}
	hash := keep.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
	pods, err := r.claimPods(ctx, ds, claimer)
	if err != nil {
		return nil, err
	}
	patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, appsv1.DefaultDaemonSetUniqueLabelKey, hash)
	for _, pod := range pods {
		if pod.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] != hash {
			if err := r.client.Patch(ctx, pod, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
				return nil, fmt.Errorf("relabelling pod %s: %w", pod.Name, err)
			}
		}
	}
	for _, c := range current {
		if c.Name != keep.Name {
			if err := r.client.Delete(ctx, c); err != nil && !apierrors.IsNotFound(err) {
				return nil, fmt.Errorf("deleting duplicate controller revision %s: %w", c.Name, err)
			}
		}
	}
	return keep, nil
}

// snapshot stores ds's current template as revision n, named by the template's hash. When the
// name holds another template (a hash collision) it bumps status.collisionCount and fails so
// the next sync tries the next name.
func (r *Reconciler) snapshot(ctx context.Context, ds *appsv1.DaemonSet, n int64) (*appsv1.ControllerRevision, error) {
	data, err := revisionData(ds)
	if err != nil {
		return nil, err
	}
	hash := history.TemplateHash(&ds.Spec.Template, ds.Status.CollisionCount)
	rev := &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{
			Name:            ds.Name + "-" + hash,
			Namespace:       ds.Namespace,
			Labels:          labels.Merge(ds.Spec.Template.Labels, labels.Set{appsv1.DefaultDaemonSetUniqueLabelKey: hash}),
			Annotations:     ds.Annotations,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(ds, controllerKind)},
		},
		Data:     runtime.RawExtension{Raw: data},
		Revision: n,
	}
	createErr := r.client.Create(ctx, rev)
	if createErr == nil || !apierrors.IsAlreadyExists(createErr) {
		if createErr != nil {
			return nil, fmt.Errorf("creating controller revision %s: %w", rev.Name, createErr)
		}
		return rev, nil
	}
	existing := &appsv1.ControllerRevision{}
	if err := r.live.Get(ctx, client.ObjectKeyFromObject(rev), existing); err != nil {
		return nil, fmt.Errorf("reading controller revision %s: %w", rev.Name, err)
	}
	if bytes.Equal(existing.Data.Raw, data) {
		return existing, nil
	}
	fresh := &appsv1.DaemonSet{}
	if err := r.live.Get(ctx, client.ObjectKeyFromObject(ds), fresh); err != nil {
		return nil, fmt.Errorf("reading daemonset: %w", err)
	}
	if !equalCount(fresh.Status.CollisionCount, ds.Status.CollisionCount) {
		return nil, fmt.Errorf("found a stale collision count (%v, expected %v) of DaemonSet %q while processing; will retry until it is updated",
			ptrString(ds.Status.CollisionCount), ptrString(fresh.Status.CollisionCount), ds.Name)
	}
	if fresh.Status.CollisionCount == nil {
		fresh.Status.CollisionCount = new(int32)
	}
	*fresh.Status.CollisionCount++
	if err := r.client.Status().Update(ctx, fresh); err != nil {
		return nil, fmt.Errorf("bumping collision count: %w", err)
	}
	log.FromContext(ctx).V(2).Info("Found a hash collision for DaemonSet - bumping collisionCount to resolve it",
		"collisionCount", *fresh.Status.CollisionCount)
	return nil, fmt.Errorf("creating controller revision %s: %w", rev.Name, createErr)
}

func equalCount(a, b *int32) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func ptrString(p *int32) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}

// cleanupHistory deletes the oldest revisions no pod uses beyond revisionHistoryLimit.
func (r *Reconciler) cleanupHistory(ctx context.Context, ds *appsv1.DaemonSet, nodeToPods map[string][]*corev1.Pod, old []*appsv1.ControllerRevision) error {
	limit := 10
	if ds.Spec.RevisionHistoryLimit != nil {
		limit = int(*ds.Spec.RevisionHistoryLimit)
	}
	toKill := len(old) - limit
	if toKill <= 0 {
		return nil
	}
	live := map[string]bool{}
	for _, pods := range nodeToPods {
		for _, pod := range pods {
			if h := pod.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]; h != "" {
				live[h] = true
			}
		}
	}
	sort.SliceStable(old, func(i, j int) bool { return old[i].Revision < old[j].Revision })
	for _, rev := range old {
		if toKill <= 0 {
			break
		}
		if live[rev.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]] {
			continue
		}
		if err := r.client.Delete(ctx, rev); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting controller revision %s: %w", rev.Name, err)
		}
		toKill--
	}
	return nil
}
