package resourcequota_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/resourcequota"
)

func rl(pairs ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(pairs); i += 2 {
		out[corev1.ResourceName(pairs[i])] = resource.MustParse(pairs[i+1])
	}
	return out
}

// render prints a resource list sorted, e.g. "configmaps=1 pods=2".
func render(l corev1.ResourceList) string {
	var out []string
	for k, v := range l {
		out = append(out, fmt.Sprintf("%s=%s", k, v.String()))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func createPod(t *testing.T, client kubernetes.Interface, ns, name, cpu string) *corev1.Pod {
	t.Helper()
	pod, err := client.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx",
			Resources: corev1.ResourceRequirements{Requests: rl("cpu", cpu)}}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return pod
}

// waitUsed polls until the quota's status.used renders as want.
func waitUsed(t *testing.T, client kubernetes.Interface, ns, want string) *corev1.ResourceQuota {
	t.Helper()
	var rq *corev1.ResourceQuota
	last := ""
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		var err error
		rq, err = client.CoreV1().ResourceQuotas(ns).Get(ctx, "quota", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = render(rq.Status.Used)
		return last == want, nil
	})
	if err != nil {
		t.Fatalf("used %q, want %q", last, want)
	}
	return rq
}

func TestQuotaCountsUsage(t *testing.T) {
	ctx := context.Background()
	ns := srv.Namespace(t)
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, resourcequota.Setup)
	hard := rl("pods", "10", "configmaps", "5", "requests.cpu", "2", "count/deployments.apps", "3", "count/widgets.example.com", "1")
	_, err := client.CoreV1().ResourceQuotas(ns).Create(ctx, &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "quota"},
		Spec:       corev1.ResourceQuotaSpec{Hard: hard},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing yet; resources of no known kind are not reported.
	rq := waitUsed(t, client, ns, "configmaps=0 count/deployments.apps=0 pods=0 requests.cpu=0")
	if render(rq.Status.Hard) != render(hard) {
		t.Errorf("status.hard %s, want %s", render(rq.Status.Hard), render(hard))
	}

	a := createPod(t, client, ns, "a", "100m")
	createPod(t, client, ns, "b", "250m")
	for _, name := range []string{"one", "two"} {
		if _, err := client.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = client.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](0), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitUsed(t, client, ns, "configmaps=2 count/deployments.apps=1 pods=2 requests.cpu=350m")

	// A finished pod no longer counts; a deleted one neither.
	a.Status.Phase = corev1.PodSucceeded
	if _, err := client.CoreV1().Pods(ns).UpdateStatus(ctx, a, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUsed(t, client, ns, "configmaps=2 count/deployments.apps=1 pods=1 requests.cpu=250m")
	if err := client.CoreV1().ConfigMaps(ns).Delete(ctx, "one", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUsed(t, client, ns, "configmaps=1 count/deployments.apps=1 pods=1 requests.cpu=250m")
}

func TestQuotaScopes(t *testing.T) {
	ctx := context.Background()
	ns := srv.Namespace(t)
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, resourcequota.Setup)
	_, err := client.CoreV1().ResourceQuotas(ns).Create(ctx, &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "quota"},
		Spec:       corev1.ResourceQuotaSpec{Hard: rl("pods", "10"), Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	createPod(t, client, ns, "burstable", "100m")
	if _, err := client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "besteffort"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUsed(t, client, ns, "pods=1")
}
