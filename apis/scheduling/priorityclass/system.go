package priorityclass

import (
	"context"
	"fmt"
	"time"

	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// PostStartHookName is the name upstream gives the post-start hook that calls
// EnsureSystemPriorityClasses (it shows up in /readyz as poststarthook/<name>).
const PostStartHookName = "scheduling/bootstrap-system-priority-classes"

// SystemPriorityClasses returns the priority classes every cluster has, in upstream's order.
func SystemPriorityClasses() []*schedulingv1.PriorityClass {
	return []*schedulingv1.PriorityClass{
		{
			ObjectMeta:  metav1.ObjectMeta{Name: SystemNodeCritical},
			Value:       SystemCriticalPriority + 1000,
			Description: "Used for system critical pods that must not be moved from their current node.",
		},
		{
			ObjectMeta:  metav1.ObjectMeta{Name: SystemClusterCritical},
			Value:       SystemCriticalPriority,
			Description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
		},
	}
}

// IsSystemPriorityClass reports whether name is one of the system classes.
func IsSystemPriorityClass(name string) bool {
	return name == SystemNodeCritical || name == SystemClusterCritical
}

// EnsureSystemPriorityClasses creates the system priority classes that do not exist yet, as
// upstream's scheduling post-start hook does: it retries for up to 30 seconds while the server
// is not ready and returns an error if the classes could not be created. Existing classes are
// left as they are, so calling it again is harmless.
func EnsureSystemPriorityClasses(ctx context.Context, client kubernetes.Interface) error {
	err := wait.PollUntilContextTimeout(ctx, time.Second, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		for _, pc := range SystemPriorityClasses() {
			_, err := client.SchedulingV1().PriorityClasses().Get(ctx, pc.Name, metav1.GetOptions{})
			switch {
			case err == nil:
				continue
			case !apierrors.IsNotFound(err):
				klog.FromContext(ctx).Info("Retrying to get system PriorityClass", "name", pc.Name, "err", err)
				return false, nil
			}
			_, err = client.SchedulingV1().PriorityClasses().Create(ctx, pc, metav1.CreateOptions{})
			switch {
			case err == nil || apierrors.IsAlreadyExists(err):
				klog.FromContext(ctx).Info("Created system PriorityClass", "name", pc.Name, "value", pc.Value)
			case apierrors.IsServiceUnavailable(err):
				return false, nil
			default:
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("unable to add default system priority classes: %w", err)
	}
	return nil
}
