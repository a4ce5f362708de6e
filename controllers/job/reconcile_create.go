package job

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// completionIndexEnv is the variable Indexed Jobs' containers read their index from.
const completionIndexEnv = "JOB_COMPLETION_INDEX"

// createPods creates count pods (for the given indexes, for an Indexed Job) in batches that
// start at one and double while they succeed, so a Job that cannot create pods (quota, say)
// does not flood the API; it returns how many were created.
func (r *Reconciler) createPods(ctx context.Context, s *syncState, count int, indexes []int) (int, error) {
	job := s.job
	logger := log.FromContext(ctx)
	r.pods.Expect(s.key, count, 0)
	template := job.Spec.Template.DeepCopy()
	if isIndexed(job) {
		addIndexEnv(template)
	}
	if !slices.Contains(template.Finalizers, batchv1.JobTrackingFinalizer) {
		template.Finalizers = append(template.Finalizers, batchv1.JobTrackingFinalizer)
	}
	created := 0
	var errs []error
	for batch := 1; count > 0; batch = min(2*batch, count) {
		batch = min(batch, count)
		results := make([]error, batch)
		var wg sync.WaitGroup
		for i := range batch {
			pod := r.podFor(ctx, s, template, indexes)
			if len(indexes) > 0 {
				indexes = indexes[1:]
			}
			wg.Go(func() { results[i] = r.createPod(ctx, job, pod) })
		}
		wg.Wait()
		failed := 0
		for _, err := range results {
			switch {
			case err == nil:
				created++
			case apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
				// The namespace goes: so will the Job; the pod will never be seen.
				r.pods.Observed(s.key, true)
			default:
				r.pods.Observed(s.key, true)
				failed++
				errs = append(errs, err)
			}
		}
		count -= batch
		if failed > 0 && count > 0 {
			logger.V(2).Info("Slow-start failure. Skipping creating pods, decrementing expectations", "skippedCount", count)
			for range count {
				r.pods.Observed(s.key, true)
			}
			break
		}
	}
	return created, errors.Join(errs...)
}

// podFor builds a pod from the template; for an Indexed Job it takes the next index, sets the
// index annotation and label, the hostname <job>-<index> and, with backoffLimitPerIndex, the
// failure counts of the pod it replaces.
func (r *Reconciler) podFor(ctx context.Context, s *syncState, template *corev1.PodTemplateSpec, indexes []int) *corev1.Pod {
	job := s.job
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    job.Name + "-",
			Labels:          clone(template.Labels),
			Annotations:     clone(template.Annotations),
			Finalizers:      slices.Clone(template.Finalizers),
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(job, jobKind)},
		},
		Spec: *template.Spec.DeepCopy(),
	}
	if len(indexes) == 0 {
		return pod
	}
	ix := indexes[0]
	pod.Annotations[batchv1.JobCompletionIndexAnnotation] = strconv.Itoa(ix)
	pod.Labels[batchv1.JobCompletionIndexAnnotation] = strconv.Itoa(ix)
	pod.Spec.Hostname = fmt.Sprintf("%s-%d", job.Name, ix)
	pod.GenerateName = podGenerateName(job.Name, ix)
	if hasBackoffLimitPerIndex(job) {
		count, ignored := replacementFailureCounts(ctx, job, s.delayed[ix])
		pod.Annotations[batchv1.JobIndexFailureCountAnnotation] = strconv.Itoa(int(count))
		if ignored > 0 {
			pod.Annotations[batchv1.JobIndexIgnoredFailureCountAnnotation] = strconv.Itoa(int(ignored))
		}
	}
	return pod
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// createPod creates one pod and records upstream's event for it.
func (r *Reconciler) createPod(ctx context.Context, job *batchv1.Job, pod *corev1.Pod) error {
	if len(pod.Labels) == 0 {
		return errors.New("unable to create pods, no labels")
	}
	pod.Namespace = job.Namespace
	if err := r.client.Create(ctx, pod); err != nil {
		if !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			r.recorder.Eventf(job, corev1.EventTypeWarning, reasonFailedCreate, "Error creating: %v", err)
		}
		return fmt.Errorf("creating pod for Job %s/%s: %w", job.Namespace, job.Name, err)
	}
	log.FromContext(ctx).V(4).Info("Controller created pod", "pod", pod.Name)
	r.recorder.Eventf(job, corev1.EventTypeNormal, reasonCreated, "Created pod: %v", pod.Name)
	return nil
}

// addIndexEnv gives every container JOB_COMPLETION_INDEX from the pod's index label.
func addIndexEnv(template *corev1.PodTemplateSpec) {
	env := corev1.EnvVar{
		Name: completionIndexEnv,
		ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
			FieldPath: fmt.Sprintf("metadata.labels['%s']", batchv1.JobCompletionIndexAnnotation),
		}},
	}
	for _, list := range [][]corev1.Container{template.Spec.InitContainers, template.Spec.Containers} {
		for i := range list {
			if !slices.ContainsFunc(list[i].Env, func(e corev1.EnvVar) bool { return e.Name == completionIndexEnv }) {
				list[i].Env = append(list[i].Env, env)
			}
		}
	}
}
