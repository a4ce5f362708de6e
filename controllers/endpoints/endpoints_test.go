package endpoints_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/endpoints"
)

func service(name string, publishNotReady bool) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"tier": "front"}},
		Spec: corev1.ServiceSpec{
			Selector:                 map[string]string{"app": name},
			PublishNotReadyAddresses: publishNotReady,
			Ports:                    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("web")}},
		},
	}
}

// runningPod creates a pod of app with a named container port and reports it running at ip.
func runningPod(t *testing.T, client kubernetes.Interface, ns, app, name, ip string, port int32, ready bool) *corev1.Pod {
	t.Helper()
	pod, err := client.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx",
			Ports: []corev1.ContainerPort{{Name: "web", ContainerPort: port}}}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod = controllertest.MarkPodRunning(t, client, pod, "node-1", ready)
	return setIP(t, client, pod, ip)
}

// setIP gives the pod its own address (MarkPodRunning gives every pod the same one).
func setIP(t *testing.T, client kubernetes.Interface, pod *corev1.Pod, ip string) *corev1.Pod {
	t.Helper()
	pod.Status.PodIP = ip
	pod.Status.PodIPs = []corev1.PodIP{{IP: ip}}
	pod, err := client.CoreV1().Pods(pod.Namespace).UpdateStatus(context.Background(), pod, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return pod
}

// summary renders Endpoints as "ready=ip:port,... notready=ip:port,...", sorted.
func summary(ep *corev1.Endpoints) string {
	var ready, notReady []string
	for _, s := range ep.Subsets {
		for _, p := range s.Ports {
			for _, a := range s.Addresses {
				ready = append(ready, a.IP+":"+itoa(p.Port))
			}
			for _, a := range s.NotReadyAddresses {
				notReady = append(notReady, a.IP+":"+itoa(p.Port))
			}
		}
	}
	sort.Strings(ready)
	sort.Strings(notReady)
	return "ready=" + strings.Join(ready, ",") + " notready=" + strings.Join(notReady, ",")
}

func itoa(i int32) string { return strconv.Itoa(int(i)) }

// waitEndpoints polls until the Endpoints summarise as want.
func waitEndpoints(t *testing.T, client kubernetes.Interface, ns, name, want string) *corev1.Endpoints {
	t.Helper()
	var ep *corev1.Endpoints
	last := ""
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		var err error
		ep, err = client.CoreV1().Endpoints(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			last = "not found"
			return false, nil
		}
		if err != nil {
			return false, err
		}
		last = summary(ep)
		return last == want, nil
	})
	if err != nil {
		t.Fatalf("endpoints %s: got %q, want %q", name, last, want)
	}
	return ep
}

func TestEndpointsFollowReadiness(t *testing.T) {
	ctx := context.Background()
	ns := srv.Namespace(t)
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, endpoints.Setup)
	if _, err := client.CoreV1().Services(ns).Create(ctx, service("web", false), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ep := waitEndpoints(t, client, ns, "web", "ready= notready=")
	if _, ok := ep.Annotations[corev1.EndpointsLastChangeTriggerTime]; !ok {
		t.Errorf("no %s annotation: %v", corev1.EndpointsLastChangeTriggerTime, ep.Annotations)
	}

	a := runningPod(t, client, ns, "web", "a", "10.244.0.11", 8080, false)
	runningPod(t, client, ns, "web", "b", "10.244.0.12", 9090, true)
	// The named target port resolves per pod.
	ep = waitEndpoints(t, client, ns, "web", "ready=10.244.0.12:9090 notready=10.244.0.11:8080")
	if ep.Labels["tier"] != "front" || ep.Labels[endpoints.LabelManagedBy] != endpoints.ControllerName {
		t.Errorf("labels %v", ep.Labels)
	}
	for _, s := range ep.Subsets {
		for _, addr := range append(s.Addresses, s.NotReadyAddresses...) {
			if addr.TargetRef == nil || addr.TargetRef.Kind != "Pod" || addr.NodeName == nil || *addr.NodeName != "node-1" {
				t.Errorf("address %+v", addr)
			}
		}
	}

	controllertest.MarkPodRunning(t, client, a, "", true)
	a, err := client.CoreV1().Pods(ns).Get(ctx, "a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status.PodIP != "10.244.0.10" { // MarkPodRunning's address again
		t.Fatalf("pod IP %s", a.Status.PodIP)
	}
	setIP(t, client, a, "10.244.0.11")
	waitEndpoints(t, client, ns, "web", "ready=10.244.0.11:8080,10.244.0.12:9090 notready=")

	controllertest.MarkPodRunning(t, client, a, "", false)
	waitEndpoints(t, client, ns, "web", "ready=10.244.0.12:9090 notready=10.244.0.10:8080")

	// Deleting the Service deletes its Endpoints.
	if err := client.CoreV1().Services(ns).Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().Endpoints(ns).Get(ctx, "web", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatal("endpoints of the deleted Service still there")
	}
}

func TestEndpointsPublishNotReadyAddresses(t *testing.T) {
	ctx := context.Background()
	ns := srv.Namespace(t)
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, endpoints.Setup)
	if _, err := client.CoreV1().Services(ns).Create(ctx, service("db", true), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	runningPod(t, client, ns, "db", "a", "10.244.0.21", 5432, false)
	runningPod(t, client, ns, "db", "b", "10.244.0.22", 5432, true)
	waitEndpoints(t, client, ns, "db", "ready=10.244.0.21:5432,10.244.0.22:5432 notready=")
}

func TestEndpointsOfServiceWithoutSelectorLeftAlone(t *testing.T) {
	ctx := context.Background()
	ns := srv.Namespace(t)
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, endpoints.Setup)
	svc := service("ext", false)
	svc.Spec.Selector = nil
	if _, err := client.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mine := &corev1.Endpoints{
		ObjectMeta: metav1.ObjectMeta{Name: "ext"},
		Subsets: []corev1.EndpointSubset{{
			Addresses: []corev1.EndpointAddress{{IP: "192.0.2.1"}},
			Ports:     []corev1.EndpointPort{{Name: "http", Port: 8080}},
		}},
	}
	if _, err := client.CoreV1().Endpoints(ns).Create(ctx, mine, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A Service with a selector, as a marker that the controller has synced this namespace.
	if _, err := client.CoreV1().Services(ns).Create(ctx, service("marker", false), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitEndpoints(t, client, ns, "marker", "ready= notready=")
	ep := waitEndpoints(t, client, ns, "ext", "ready=192.0.2.1:8080 notready=")
	if _, ok := ep.Labels[endpoints.LabelManagedBy]; ok {
		t.Errorf("user's Endpoints got labels %v", ep.Labels)
	}
}
