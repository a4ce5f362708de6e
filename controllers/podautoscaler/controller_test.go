package podautoscaler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/podautoscaler"
)

func deployment(t *testing.T, c kubernetes.Interface, ns, name string, replicas int32) {
	t.Helper()
	labels := map[string]string{"app": name}
	_, err := c.AppsV1().Deployments(ns).Create(context.Background(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func hpa(t *testing.T, c kubernetes.Interface, ns, name string, maxReplicas int32) {
	t.Helper()
	_, err := c.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(context.Background(), &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: name},
			MinReplicas:    ptr.To[int32](1),
			MaxReplicas:    maxReplicas,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{
					Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](50),
				}},
			}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func condition(h *autoscalingv2.HorizontalPodAutoscaler, typ autoscalingv2.HorizontalPodAutoscalerConditionType) *autoscalingv2.HorizontalPodAutoscalerCondition {
	for i := range h.Status.Conditions {
		if h.Status.Conditions[i].Type == typ {
			return &h.Status.Conditions[i]
		}
	}
	return nil
}

func poll(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, controllertest.Timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func hasEvent(ctx context.Context, c kubernetes.Interface, ns, name, reason, msgPart string) (bool, error) {
	events, err := c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("involvedObject.name", name).String()})
	if err != nil {
		return false, err
	}
	for _, e := range events.Items {
		if e.Reason == reason && strings.Contains(e.Message, msgPart) && e.Source.Component == "horizontal-pod-autoscaler" {
			return true, nil
		}
	}
	return false, nil
}

// Without a metrics API the HPA can read the scale but not compute: AbleToScale True,
// ScalingActive False FailedGetResourceMetric, with upstream's events.
func TestNoMetricsAPI(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	deployment(t, c, ns, "web", 2)
	hpa(t, c, ns, "web", 5)
	controllertest.StartManager(t, srv.ClientConfig, nil, podautoscaler.Setup)

	var got *autoscalingv2.HorizontalPodAutoscaler
	poll(t, "ScalingActive=False", func(ctx context.Context) (bool, error) {
		var err error
		got, err = c.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		cond := condition(got, autoscalingv2.ScalingActive)
		return cond != nil && cond.Status == corev1.ConditionFalse, nil
	})
	active := condition(got, autoscalingv2.ScalingActive)
	const wantMsg = "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: "
	if active.Reason != "FailedGetResourceMetric" || !strings.HasPrefix(active.Message, wantMsg) {
		t.Errorf("ScalingActive = %s %q", active.Reason, active.Message)
	}
	if able := condition(got, autoscalingv2.AbleToScale); able == nil || able.Status != corev1.ConditionTrue || able.Reason != "SucceededGetScale" {
		t.Errorf("AbleToScale = %+v", able)
	}
	if got.Status.CurrentReplicas != 2 || got.Status.ObservedGeneration == nil {
		t.Errorf("status = %+v", got.Status)
	}
	poll(t, "the events", func(ctx context.Context) (bool, error) {
		a, err := hasEvent(ctx, c, ns, "web", "FailedGetResourceMetric", "failed to get cpu utilization: unable to get metrics for resource cpu")
		if err != nil || !a {
			return false, err
		}
		return hasEvent(ctx, c, ns, "web", "FailedComputeMetricsReplicas", "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ")
	})
}

// A target above maxReplicas is scaled down to it without metrics, through /scale.
func TestAboveMaxReplicas(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	deployment(t, c, ns, "big", 8)
	hpa(t, c, ns, "big", 3)
	controllertest.StartManager(t, srv.ClientConfig, nil, podautoscaler.Setup)

	poll(t, "the deployment to be scaled to 3", func(ctx context.Context) (bool, error) {
		d, err := c.AppsV1().Deployments(ns).Get(ctx, "big", metav1.GetOptions{})
		return err == nil && *d.Spec.Replicas == 3, err
	})
	var got *autoscalingv2.HorizontalPodAutoscaler
	poll(t, "the HPA status", func(ctx context.Context) (bool, error) {
		var err error
		got, err = c.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, "big", metav1.GetOptions{})
		return err == nil && got.Status.LastScaleTime != nil, err
	})
	if got.Status.CurrentReplicas != 8 || got.Status.DesiredReplicas != 3 {
		t.Errorf("status = %+v", got.Status)
	}
	if able := condition(got, autoscalingv2.AbleToScale); able == nil || able.Reason != "SucceededRescale" ||
		able.Message != "the HPA controller was able to update the target scale to 3" {
		t.Errorf("AbleToScale = %+v", able)
	}
	poll(t, "the SuccessfulRescale event", func(ctx context.Context) (bool, error) {
		return hasEvent(ctx, c, ns, "big", "SuccessfulRescale", "New size: 3; reason: Current number of replicas above Spec.MaxReplicas")
	})
}
