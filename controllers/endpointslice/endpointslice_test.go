package endpointslice_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/endpointslice"
)

// ensureNode creates node-1 in zone-a: the slice reconciler takes zones from nodes.
func ensureNode(t *testing.T, client kubernetes.Interface) {
	t.Helper()
	_, err := client.CoreV1().Nodes().Create(context.Background(), &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "node-1", Labels: map[string]string{corev1.LabelTopologyZone: "zone-a"}},
	}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func service(name string, publishNotReady bool) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{
			Selector:                 map[string]string{"app": name},
			PublishNotReadyAddresses: publishNotReady,
			Ports:                    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("web")}},
		},
	}
}

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

// summary renders a Service's slices as sorted "ip:port ready/serving/terminating" entries,
// one per endpoint and port.
func summary(slices []discoveryv1.EndpointSlice) string {
	var out []string
	for _, s := range slices {
		for _, p := range s.Ports {
			for _, e := range s.Endpoints {
				c := e.Conditions
				out = append(out, fmt.Sprintf("%s:%d %t/%t/%t", e.Addresses[0], ptr.Deref(p.Port, 0),
					ptr.Deref(c.Ready, false), ptr.Deref(c.Serving, false), ptr.Deref(c.Terminating, false)))
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// waitSlices polls until the Service's slices summarise as want, in wantSlices slices.
func waitSlices(t *testing.T, client kubernetes.Interface, ns, svc string, wantSlices int, want string) []discoveryv1.EndpointSlice {
	t.Helper()
	var items []discoveryv1.EndpointSlice
	last := ""
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		list, err := client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + svc})
		if err != nil {
			return false, err
		}
		items = list.Items
		last = fmt.Sprintf("%d slices: %s", len(items), summary(items))
		return len(items) == wantSlices && summary(items) == want, nil
	})
	if err != nil {
		t.Fatalf("slices of %s: got %q, want %d slices: %q", svc, last, wantSlices, want)
	}
	return items
}

func TestSlicesFollowReadiness(t *testing.T) {
	ctx := context.Background()
	ns := srv.Namespace(t)
	client := srv.Client(t)
	ensureNode(t, client)
	controllertest.StartManager(t, srv.ClientConfig, nil, endpointslice.Setup)
	svc, err := client.CoreV1().Services(ns).Create(ctx, service("web", false), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// No pods: one placeholder slice.
	slices := waitSlices(t, client, ns, "web", 1, "")
	s := slices[0]
	if s.Labels[discoveryv1.LabelManagedBy] != endpointslice.ControllerName || s.Labels[discoveryv1.LabelServiceName] != "web" {
		t.Errorf("labels %v", s.Labels)
	}
	if ref := metav1.GetControllerOf(&s); ref == nil || ref.Kind != "Service" || ref.UID != svc.UID {
		t.Errorf("owner %+v", ref)
	}
	if s.AddressType != discoveryv1.AddressTypeIPv4 {
		t.Errorf("address type %s", s.AddressType)
	}

	a := runningPod(t, client, ns, "web", "a", "10.244.1.11", 8080, false)
	runningPod(t, client, ns, "web", "b", "10.244.1.12", 8080, true)
	slices = waitSlices(t, client, ns, "web", 1, "10.244.1.11:8080 false/false/false, 10.244.1.12:8080 true/true/false")
	for _, e := range slices[0].Endpoints {
		if ptr.Deref(e.NodeName, "") != "node-1" || ptr.Deref(e.Zone, "") != "zone-a" || e.TargetRef == nil || e.TargetRef.Kind != "Pod" {
			t.Errorf("endpoint %+v", e)
		}
	}

	controllertest.MarkPodRunning(t, client, a, "", true)
	a, err = client.CoreV1().Pods(ns).Get(ctx, "a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	setIP(t, client, a, "10.244.1.11")
	waitSlices(t, client, ns, "web", 1, "10.244.1.11:8080 true/true/false, 10.244.1.12:8080 true/true/false")

	// A terminating pod stays, not ready, serving while it still is ready.
	if err := client.CoreV1().Pods(ns).Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitSlices(t, client, ns, "web", 1, "10.244.1.11:8080 false/true/true, 10.244.1.12:8080 true/true/false")
}

func TestSlicesNamedPorts(t *testing.T) {
	ns := srv.Namespace(t)
	client := srv.Client(t)
	ensureNode(t, client)
	controllertest.StartManager(t, srv.ClientConfig, nil, endpointslice.Setup)
	if _, err := client.CoreV1().Services(ns).Create(context.Background(), service("api", false), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	runningPod(t, client, ns, "api", "a", "10.244.2.11", 8080, true)
	runningPod(t, client, ns, "api", "b", "10.244.2.12", 9090, true)
	// Pods resolving the named port differently land in slices of their own.
	waitSlices(t, client, ns, "api", 2, "10.244.2.11:8080 true/true/false, 10.244.2.12:9090 true/true/false")
}

func TestSlicesPublishNotReadyAddresses(t *testing.T) {
	ns := srv.Namespace(t)
	client := srv.Client(t)
	ensureNode(t, client)
	controllertest.StartManager(t, srv.ClientConfig, nil, endpointslice.Setup)
	if _, err := client.CoreV1().Services(ns).Create(context.Background(), service("db", true), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	runningPod(t, client, ns, "db", "a", "10.244.3.11", 5432, false)
	waitSlices(t, client, ns, "db", 1, "10.244.3.11:5432 true/false/false")
}
