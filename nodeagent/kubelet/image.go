package kubelet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/klog/v2"
)

// Upstream's image waiting reasons.
const (
	reasonErrImagePull       = "ErrImagePull"
	reasonImagePullBackOff   = "ImagePullBackOff"
	reasonErrImageNeverPull  = "ErrImageNeverPull"
	reasonInvalidImageName   = "InvalidImageName"
	reasonImageInspectError  = "ImageInspectError"
	reasonCreateConfigError  = "CreateContainerConfigError"
	reasonCreateError        = "CreateContainerError"
	reasonRunContainerError  = "RunContainerError"
	reasonCrashLoopBackOff   = "CrashLoopBackOff"
	reasonContainerCreating  = "ContainerCreating"
	reasonPodInitializing    = "PodInitializing"
	reasonPostStartHookError = "PostStartHookError"
)

// imageError is a failure to make a container's image present, with its waiting reason.
type imageError struct{ reason, message string }

func (e *imageError) Error() string { return e.message }

// withDefaultTag adds :latest to a reference with neither tag nor digest, as upstream does.
func withDefaultTag(image string) string {
	if strings.Contains(image, "@") {
		return image
	}
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		return image
	}
	return image + ":latest"
}

// ensureImage makes c's image present according to its pull policy, recording upstream's events
// on the container, and returns the image.
func (k *Kubelet) ensureImage(ctx context.Context, pod *corev1.Pod, c *corev1.Container, ref *corev1.ObjectReference, sandbox *runtimeapi.PodSandboxConfig) (*runtimeapi.Image, error) {
	if c.Image == "" {
		return nil, &imageError{reasonInvalidImageName, fmt.Sprintf("Failed to apply default image tag %q: couldn't parse image name %q: invalid reference format", c.Image, c.Image)}
	}
	image := withDefaultTag(c.Image)
	spec := &runtimeapi.ImageSpec{Image: image, UserSpecifiedImage: c.Image, Annotations: pod.Annotations}
	st, err := k.runtime.ImageStatus(ctx, spec, false)
	if err != nil {
		k.repeatedEvent(ref, corev1.EventTypeWarning, "InspectFailed", fmt.Sprintf("Failed to inspect image %q: %v", c.Image, err))
		return nil, &imageError{reasonImageInspectError, fmt.Sprintf("Failed to inspect image %q: %v", c.Image, err)}
	}
	present := st.GetImage() != nil
	policy := c.ImagePullPolicy
	if policy == "" {
		policy = corev1.PullIfNotPresent
		if strings.HasSuffix(image, ":latest") {
			policy = corev1.PullAlways
		}
	}
	switch {
	case policy == corev1.PullNever && !present:
		msg := fmt.Sprintf("Container image %q is not present with pull policy of Never", c.Image)
		k.repeatedEvent(ref, corev1.EventTypeWarning, "ErrImageNeverPull", msg)
		return nil, &imageError{reasonErrImageNeverPull, msg}
	case present && policy != corev1.PullAlways:
		k.recorder.Eventf(ref, corev1.EventTypeNormal, "Pulled", "Container image %q already present on machine and can be accessed by the pod", c.Image)
		return st.GetImage(), nil
	}
	return k.pullImage(ctx, pod, c, ref, spec, sandbox)
}

func (k *Kubelet) pullImage(ctx context.Context, pod *corev1.Pod, c *corev1.Container, ref *corev1.ObjectReference, spec *runtimeapi.ImageSpec, sandbox *runtimeapi.PodSandboxConfig) (*runtimeapi.Image, error) {
	key := fmt.Sprintf("%s_%s", pod.UID, spec.Image)
	k.mu.Lock()
	prev := k.pullErrors[key]
	k.mu.Unlock()
	if k.backoff.pull.IsInBackOffSinceUpdate(key, k.clock.Now()) {
		msg := fmt.Sprintf("Back-off pulling image %q", c.Image)
		k.repeatedEvent(ref, corev1.EventTypeNormal, "BackOff", msg)
		if prev != "" {
			msg += ": " + prev
		}
		return nil, &imageError{reasonImagePullBackOff, msg}
	}
	k.recorder.Eventf(ref, corev1.EventTypeNormal, "Pulling", "Pulling image %q", c.Image)
	start := time.Now()
	creds, err := k.pullSecrets(ctx, pod)
	if err != nil {
		klog.FromContext(ctx).V(2).Info("Reading image pull secrets", "err", err)
	}
	auths := pullCredentials(creds, spec.Image)
	var imageRef string
	if len(auths) == 0 {
		imageRef, err = k.runtime.PullImage(ctx, spec, nil, sandbox)
	} else {
		for _, a := range auths {
			imageRef, err = k.runtime.PullImage(ctx, spec, a, sandbox)
			if err == nil {
				break
			}
			klog.FromContext(ctx).V(2).Info("Pulling image with credentials failed", "image", spec.Image, "auth", describeAuth(a), "err", err)
		}
	}
	if err != nil {
		k.recorder.Eventf(ref, corev1.EventTypeWarning, "Failed", "Failed to pull image %q: %v", c.Image, err)
		k.backoff.pull.Next(key, k.clock.Now())
		k.mu.Lock()
		k.pullErrors[key] = fmt.Sprintf("%s: %s", reasonErrImagePull, err.Error())
		k.mu.Unlock()
		return nil, &imageError{reasonErrImagePull, err.Error()}
	}
	k.mu.Lock()
	delete(k.pullErrors, key)
	k.mu.Unlock()
	k.backoff.pull.GC()
	st, err := k.runtime.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: imageRef}, false)
	if err != nil || st.GetImage() == nil {
		return nil, &imageError{reasonImageInspectError, fmt.Sprintf("Failed to inspect image %q: %v", imageRef, err)}
	}
	d := time.Since(start).Truncate(time.Millisecond)
	k.recorder.Eventf(ref, corev1.EventTypeNormal, "Pulled", "Successfully pulled image %q in %v (%v including waiting). Image size: %v bytes.",
		c.Image, d, d, st.GetImage().GetSize())
	return st.GetImage(), nil
}

// pullSecrets reads the pod's imagePullSecrets; missing ones are skipped, as upstream does.
func (k *Kubelet) pullSecrets(ctx context.Context, pod *corev1.Pod) ([]*corev1.Secret, error) {
	var out []*corev1.Secret
	var errs []error
	for _, ref := range pod.Spec.ImagePullSecrets {
		if ref.Name == "" {
			continue
		}
		s, err := k.client.CoreV1().Secrets(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			if !apierrors.IsNotFound(err) {
				errs = append(errs, err)
			}
			continue
		}
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}
