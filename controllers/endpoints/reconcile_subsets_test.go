package endpoints

import (
	"fmt"
	"testing"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type podOpt func(*corev1.Pod)

func testPod(name, ip string, ready bool, opts ...podOpt) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID("uid-" + name)},
		Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "app", Ports: []corev1.ContainerPort{
			{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
		}}}},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}},
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}},
		},
	}
	for _, o := range opts {
		o(pod)
	}
	return pod
}

func testService(opts ...func(*corev1.Service)) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web"},
		Spec: corev1.ServiceSpec{
			ClusterIP: "10.96.0.10", Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("http")}},
		},
	}
	for _, o := range opts {
		o(svc)
	}
	return svc
}

// render prints subsets compactly: "[ready] / [notready] : ports" per subset.
func render(subsets []corev1.EndpointSubset) string {
	out := ""
	for _, s := range subsets {
		out += "{"
		for _, a := range s.Addresses {
			out += a.IP
			if a.Hostname != "" {
				out += "(" + a.Hostname + ")"
			}
			out += " "
		}
		out += "/"
		for _, a := range s.NotReadyAddresses {
			out += " " + a.IP
		}
		out += " :"
		for _, p := range s.Ports {
			out += fmt.Sprintf(" %s=%d", p.Name, p.Port)
		}
		out += "}"
	}
	return out
}

func TestDesiredSubsets(t *testing.T) {
	now := metav1.Now()
	tests := []struct {
		name         string
		svc          *corev1.Service
		pods         []*corev1.Pod
		want         string
		wantReady    int
		wantNotReady int
	}{
		{
			name: "ready and not ready",
			svc:  testService(),
			pods: []*corev1.Pod{testPod("a", "10.0.0.1", true), testPod("b", "10.0.0.2", false)},
			want: "{10.0.0.1 / 10.0.0.2 : http=8080}", wantReady: 1, wantNotReady: 1,
		},
		{
			name: "publishNotReadyAddresses",
			svc:  testService(func(s *corev1.Service) { s.Spec.PublishNotReadyAddresses = true }),
			pods: []*corev1.Pod{testPod("a", "10.0.0.1", true), testPod("b", "10.0.0.2", false)},
			want: "{10.0.0.1 10.0.0.2 / : http=8080}", wantReady: 2,
		},
		{
			name: "no IP, terminal and terminating pods left out",
			svc:  testService(),
			pods: []*corev1.Pod{
				testPod("a", "", true),
				testPod("b", "10.0.0.2", true, func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }),
				testPod("c", "10.0.0.3", true, func(p *corev1.Pod) { p.DeletionTimestamp = &now }),
				testPod("d", "10.0.0.4", true),
			},
			want: "{10.0.0.4 / : http=8080}", wantReady: 1,
		},
		{
			name: "terminating pods kept with publishNotReadyAddresses",
			svc:  testService(func(s *corev1.Service) { s.Spec.PublishNotReadyAddresses = true }),
			pods: []*corev1.Pod{testPod("c", "10.0.0.3", false, func(p *corev1.Pod) { p.DeletionTimestamp = &now })},
			want: "{10.0.0.3 / : http=8080}", wantReady: 1,
		},
		{
			name: "named port resolved per pod",
			svc:  testService(),
			pods: []*corev1.Pod{
				testPod("a", "10.0.0.1", true),
				testPod("b", "10.0.0.2", true, func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 9090 }),
				testPod("c", "10.0.0.3", true, func(p *corev1.Pod) { p.Spec.Containers[0].Ports = nil }),
			},
			want: "{10.0.0.1 / : http=8080}{10.0.0.2 / : http=9090}", wantReady: 2,
		},
		{
			name: "numeric target port and two ports",
			svc: testService(func(s *corev1.Service) {
				s.Spec.Ports = []corev1.ServicePort{
					{Name: "a", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(81)},
					{Name: "b", Port: 90, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(91)},
				}
			}),
			pods: []*corev1.Pod{testPod("a", "10.0.0.1", true)},
			want: "", wantReady: 2,
		},
		{
			name: "hostname for the subdomain's pods",
			svc:  testService(),
			pods: []*corev1.Pod{
				testPod("a", "10.0.0.1", true, func(p *corev1.Pod) { p.Spec.Hostname, p.Spec.Subdomain = "a", "web" }),
				testPod("b", "10.0.0.2", true, func(p *corev1.Pod) { p.Spec.Hostname, p.Spec.Subdomain = "b", "other" }),
			},
			want: "{10.0.0.1(a) 10.0.0.2 / : http=8080}", wantReady: 2,
		},
		{
			name: "headless without ports",
			svc: testService(func(s *corev1.Service) {
				s.Spec.ClusterIP = corev1.ClusterIPNone
				s.Spec.Ports = nil
			}),
			pods: []*corev1.Pod{testPod("a", "10.0.0.1", true)},
			want: "{10.0.0.1 / :}", wantReady: 1,
		},
		{
			name: "cluster IP without ports lists nothing",
			svc:  testService(func(s *corev1.Service) { s.Spec.Ports = nil }),
			pods: []*corev1.Pod{testPod("a", "10.0.0.1", true)},
			want: "",
		},
		{
			name: "IP family of the Service",
			svc:  testService(func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol} }),
			pods: []*corev1.Pod{
				testPod("a", "10.0.0.1", true, func(p *corev1.Pod) {
					p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: "fd00::1"})
				}),
				testPod("b", "10.0.0.2", true),
			},
			want: "{fd00::1 / : http=8080}", wantReady: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subsets, ready, notReady := desiredSubsets(logr.Discard(), tt.svc, tt.pods)
			got := render(subsets)
			if tt.name == "numeric target port and two ports" {
				// One subset with both ports, whatever their order.
				if len(subsets) != 1 || len(subsets[0].Ports) != 2 || len(subsets[0].Addresses) != 1 {
					t.Errorf("got %s", got)
				}
			} else if got != tt.want {
				t.Errorf("subsets\n got %s\nwant %s", got, tt.want)
			}
			if ready != tt.wantReady || notReady != tt.wantNotReady {
				t.Errorf("ready/notReady %d/%d, want %d/%d", ready, notReady, tt.wantReady, tt.wantNotReady)
			}
		})
	}
}

func TestDesiredSubsetsAddress(t *testing.T) {
	pod := testPod("a", "10.0.0.1", true)
	subsets, _, _ := desiredSubsets(logr.Discard(), testService(), []*corev1.Pod{pod})
	if len(subsets) != 1 || len(subsets[0].Addresses) != 1 {
		t.Fatalf("subsets %+v", subsets)
	}
	a := subsets[0].Addresses[0]
	if a.NodeName == nil || *a.NodeName != "node-1" {
		t.Errorf("nodeName %v", a.NodeName)
	}
	want := corev1.ObjectReference{Kind: "Pod", Namespace: "ns", Name: "a", UID: "uid-a"}
	if a.TargetRef == nil || *a.TargetRef != want {
		t.Errorf("targetRef %+v, want %+v", a.TargetRef, want)
	}
}
