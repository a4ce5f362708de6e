package servicelb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/servicelb"
)

// The pool is TEST-NET-1: addresses that only ever appear in statuses here.
const testPool = "192.0.2.1-192.0.2.3"

func TestLoadBalancerLifecycle(t *testing.T) {
	pool, err := servicelb.ParsePool(testPool)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	client := srv.Client(t)
	ns := srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, servicelb.SetupWithPool(pool))
	// Before the manager stops (cleanups run last first): the Services go, releasing their
	// addresses, so that a later test (or -count) finds the pool free.
	t.Cleanup(func() { deleteAllServices(t, client, ns) })

	a := createService(t, client, ns, "a", func(s *corev1.Service) {})
	waitIngress(t, client, ns, a.Name, "192.0.2.1")
	got, _ := client.CoreV1().Services(ns).Get(ctx, a.Name, metav1.GetOptions{})
	if !slices.Contains(got.Finalizers, servicelb.LoadBalancerCleanupFinalizer) {
		t.Errorf("finalizers %v lack %s", got.Finalizers, servicelb.LoadBalancerCleanupFinalizer)
	}
	if m := got.Status.LoadBalancer.Ingress[0].IPMode; m == nil || *m != corev1.LoadBalancerIPModeVIP {
		t.Errorf("ipMode %v, want VIP", m)
	}
	waitEvent(t, client, ns, a.Name, "EnsuredLoadBalancer")

	b := createService(t, client, ns, "b", func(s *corev1.Service) { s.Spec.LoadBalancerClass = ptr.To(servicelb.Class) })
	waitIngress(t, client, ns, b.Name, "192.0.2.2")
	c := createService(t, client, ns, "c", func(s *corev1.Service) { s.Spec.LoadBalancerIP = "192.0.2.3" })
	waitIngress(t, client, ns, c.Name, "192.0.2.3")

	// Pool exhausted, and a requested address in use: no address, a warning.
	d := createService(t, client, ns, "d", func(s *corev1.Service) {})
	waitEvent(t, client, ns, d.Name, "SyncLoadBalancerFailed")
	e := createService(t, client, ns, "e", func(s *corev1.Service) { s.Spec.LoadBalancerIP = "192.0.2.1" })
	waitEvent(t, client, ns, e.Name, "SyncLoadBalancerFailed")

	// Another provider's class is left alone.
	other := createService(t, client, ns, "other", func(s *corev1.Service) { s.Spec.LoadBalancerClass = ptr.To("example.com/lb") })

	// b stops being a LoadBalancer: status cleared, finalizer gone, d gets its address.
	if err := update(ctx, client, ns, b.Name, func(s *corev1.Service) {
		s.Spec.Type = corev1.ServiceTypeClusterIP
		s.Spec.Ports[0].NodePort = 0
		s.Spec.LoadBalancerClass = nil
		s.Spec.ExternalTrafficPolicy = ""
		s.Spec.AllocateLoadBalancerNodePorts = nil
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b released", func() (bool, error) {
		s, err := client.CoreV1().Services(ns).Get(ctx, b.Name, metav1.GetOptions{})
		return err == nil && len(s.Status.LoadBalancer.Ingress) == 0 && !slices.Contains(s.Finalizers, servicelb.LoadBalancerCleanupFinalizer), err
	})
	waitEvent(t, client, ns, b.Name, "DeletedLoadBalancer")
	waitIngress(t, client, ns, d.Name, "192.0.2.2")

	// a is deleted: the finalizer goes, the Service with it, and e gets the address it asked for.
	if err := client.CoreV1().Services(ns).Delete(ctx, a.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a gone", func() (bool, error) {
		_, err := client.CoreV1().Services(ns).Get(ctx, a.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	waitIngress(t, client, ns, e.Name, "192.0.2.1")

	got, err = client.CoreV1().Services(ns).Get(ctx, other.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Finalizers) > 0 || len(got.Status.LoadBalancer.Ingress) > 0 {
		t.Errorf("Service of another class was touched: finalizers %v, status %+v", got.Finalizers, got.Status.LoadBalancer)
	}
}

func createService(t *testing.T, client kubernetes.Interface, ns, name string, mutate func(*corev1.Service)) *corev1.Service {
	t.Helper()
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: map[string]string{"app": name},
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}
	mutate(s)
	created, err := client.CoreV1().Services(ns).Create(context.Background(), s, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating Service %s: %v", name, err)
	}
	return created
}

func update(ctx context.Context, client kubernetes.Interface, ns, name string, mutate func(*corev1.Service)) error {
	return wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		s, err := client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		mutate(s)
		_, err = client.CoreV1().Services(ns).Update(ctx, s, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			return false, nil
		}
		return err == nil, err
	})
}

func waitIngress(t *testing.T, client kubernetes.Interface, ns, name, ip string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("Service %s to get %s", name, ip), func() (bool, error) {
		s, err := client.CoreV1().Services(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		in := s.Status.LoadBalancer.Ingress
		return len(in) == 1 && in[0].IP == ip, nil
	})
}

func waitEvent(t *testing.T, client kubernetes.Interface, ns, name, reason string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("event %s on %s", reason, name), func() (bool, error) {
		events, err := client.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{FieldSelector: "involvedObject.name=" + name})
		if err != nil {
			return false, err
		}
		for _, e := range events.Items {
			if e.Reason == reason && e.Source.Component == "service-controller" {
				return true, nil
			}
		}
		return false, nil
	})
}

func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(context.Context) (bool, error) { return cond() })
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func deleteAllServices(t *testing.T, client kubernetes.Interface, ns string) {
	ctx := context.Background()
	list, err := client.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Errorf("listing the Services: %v", err)
		return
	}
	for _, s := range list.Items {
		if err := client.CoreV1().Services(ns).Delete(ctx, s.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting Service %s: %v", s.Name, err)
		}
	}
	waitFor(t, "the Services gone", func() (bool, error) {
		list, err := client.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
		return err == nil && len(list.Items) == 0, err
	})
}

// TestRestartKeepsAddresses: a new controller (a restarted manager) takes the addresses in
// the Services' statuses as taken and leaves them where they are.
func TestRestartKeepsAddresses(t *testing.T) {
	pool, err := servicelb.ParsePool(testPool)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	client := srv.Client(t)
	ns := srv.Namespace(t)
	t.Run("first manager", func(t *testing.T) {
		controllertest.StartManager(t, srv.ClientConfig, nil, servicelb.SetupWithPool(pool))
		createService(t, client, ns, "a", func(s *corev1.Service) {})
		waitIngress(t, client, ns, "a", "192.0.2.1")
		createService(t, client, ns, "b", func(s *corev1.Service) {})
		waitIngress(t, client, ns, "b", "192.0.2.2")
	})
	controllertest.StartManager(t, srv.ClientConfig, nil, servicelb.SetupWithPool(pool))
	t.Cleanup(func() { deleteAllServices(t, client, ns) })
	createService(t, client, ns, "c", func(s *corev1.Service) {})
	waitIngress(t, client, ns, "c", "192.0.2.3")
	for name, ip := range map[string]string{"a": "192.0.2.1", "b": "192.0.2.2"} {
		s, err := client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if in := s.Status.LoadBalancer.Ingress; len(in) != 1 || in[0].IP != ip {
			t.Errorf("Service %s has %v after the restart, want %s", name, in, ip)
		}
	}
}
