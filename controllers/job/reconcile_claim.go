package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// podsForJob returns the pods the Job controls, after adopting orphans its selector matches
// (adding the tracking finalizer) and releasing its pods the selector no longer matches.
func (r *Reconciler) podsForJob(ctx context.Context, job *batchv1.Job) ([]*corev1.Pod, error) {
	sel, err := metav1.LabelSelectorAsSelector(job.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("couldn't convert Job selector: %w", err)
	}
	var owned, matching corev1.PodList
	if err := r.client.List(ctx, &owned, client.InNamespace(job.Namespace), client.MatchingFields{index.ControllerUID: string(job.UID)}); err != nil {
		return nil, fmt.Errorf("listing the Job's pods: %w", err)
	}
	if !sel.Empty() {
		if err := r.client.List(ctx, &matching, client.InNamespace(job.Namespace), client.MatchingLabelsSelector{Selector: sel}); err != nil {
			return nil, fmt.Errorf("listing pods the Job selects: %w", err)
		}
	}
	var pods []*corev1.Pod
	var errs []error
	for i := range owned.Items {
		p := &owned.Items[i]
		if sel.Matches(labels.Set(p.Labels)) {
			pods = append(pods, p)
			continue
		}
		if job.DeletionTimestamp == nil {
			errs = append(errs, r.release(ctx, job, p))
		}
	}
	canAdopt := (*adoptCheck)(nil)
	for i := range matching.Items {
		p := &matching.Items[i]
		if metav1.GetControllerOf(p) != nil || p.DeletionTimestamp != nil || job.DeletionTimestamp != nil {
			continue
		}
		if canAdopt == nil {
			canAdopt = &adoptCheck{err: r.canAdopt(ctx, job)}
		}
		if canAdopt.err != nil {
			errs = append(errs, fmt.Errorf("can't adopt Pod %s/%s (%s): %w", p.Namespace, p.Name, p.UID, canAdopt.err))
			continue
		}
		if err := r.adopt(ctx, job, p); err != nil {
			if !apierrors.IsNotFound(err) {
				errs = append(errs, err)
			}
			continue
		}
		if !hasTrackingFinalizer(p) {
			p.Finalizers = append(p.Finalizers, batchv1.JobTrackingFinalizer)
		}
		pods = append(pods, p)
	}
	return pods, errors.Join(errs...)
}

type adoptCheck struct{ err error }

// canAdopt reads the Job from the API (not the cache) to be sure it still exists, with the
// same UID, and is not being deleted before it takes pods.
func (r *Reconciler) canAdopt(ctx context.Context, job *batchv1.Job) error {
	fresh := &batchv1.Job{}
	if err := r.apiReader.Get(ctx, client.ObjectKeyFromObject(job), fresh); err != nil {
		return err
	}
	if fresh.UID != job.UID {
		return fmt.Errorf("original Job %s/%s is gone: got uid %s, wanted %s", job.Namespace, job.Name, fresh.UID, job.UID)
	}
	if fresh.DeletionTimestamp != nil {
		return fmt.Errorf("Job %s/%s has just been deleted at %v", job.Namespace, job.Name, fresh.DeletionTimestamp) //nolint:staticcheck // upstream's message
	}
	return nil
}

// adopt makes the Job the pod's controller and adds the tracking finalizer.
func (r *Reconciler) adopt(ctx context.Context, job *batchv1.Job, pod *corev1.Pod) error {
	patch := map[string]any{"metadata": map[string]any{
		"uid":             pod.UID,
		"ownerReferences": []metav1.OwnerReference{*metav1.NewControllerRef(job, jobKind)},
		"finalizers":      []string{batchv1.JobTrackingFinalizer},
	}}
	return r.patchPod(ctx, pod, patch)
}

// release drops the Job's reference and the tracking finalizer from a pod it no longer selects.
func (r *Reconciler) release(ctx context.Context, job *batchv1.Job, pod *corev1.Pod) error {
	patch := map[string]any{"metadata": map[string]any{
		"uid":                                 pod.UID,
		"ownerReferences":                     []map[string]string{{"$patch": "delete", "uid": string(job.UID)}},
		"$deleteFromPrimitiveList/finalizers": []string{batchv1.JobTrackingFinalizer},
	}}
	err := r.patchPod(ctx, pod, patch)
	if apierrors.IsNotFound(err) || apierrors.IsInvalid(err) {
		// Gone, or the Job is gone and the ownerReference with it.
		return nil
	}
	return err
}

// removeFinalizerPatch takes the tracking finalizer off a pod.
var removeFinalizerPatch = map[string]any{"metadata": map[string]any{
	"$deleteFromPrimitiveList/finalizers": []string{batchv1.JobTrackingFinalizer},
}}

// patchPod applies a strategic merge patch to the pod.
func (r *Reconciler) patchPod(ctx context.Context, pod *corev1.Pod, patch map[string]any) error {
	return patchPod(ctx, r.client, pod, patch)
}

func patchPod(ctx context.Context, c client.Client, pod *corev1.Pod, patch map[string]any) error {
	data, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	target := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name}}
	return c.Patch(ctx, target, client.RawPatch(types.StrategicMergePatchType, data))
}
