package nodelifecycle

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/podstatus"
)

// markPodsNotReady sets the Ready condition of the node's pods to False, as the kubelet of a
// node that stopped answering can't, with a NodeNotReady event on each pod changed.
func markPodsNotReady(ctx context.Context, c client.Client, recorder record.EventRecorder, pods []corev1.Pod, nodeName string, now metav1.Time) error {
	var errs []error
	for i := range pods {
		if pods[i].Spec.NodeName != nodeName {
			continue
		}
		pod := pods[i].DeepCopy()
		cond := podstatus.Condition(&pod.Status, corev1.PodReady)
		if cond == nil {
			continue
		}
		notReady := *cond
		notReady.Status = corev1.ConditionFalse
		if !podstatus.UpdateCondition(&pod.Status, notReady, now) {
			continue
		}
		log.FromContext(ctx).V(2).Info("Updating ready status of pod to false", "pod", client.ObjectKeyFromObject(pod))
		if err := c.Status().Update(ctx, pod); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			errs = append(errs, fmt.Errorf("marking pod %s/%s not ready: %w", pod.Namespace, pod.Name, err))
			continue
		}
		recorder.Event(pod, corev1.EventTypeWarning, "NodeNotReady", "Node is not ready")
	}
	return errors.Join(errs...)
}
