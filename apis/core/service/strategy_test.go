package service

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestPrepareForUpdateDropsTypeDependentFields(t *testing.T) {
	old := validService(lbType, func(s *corev1.Service) {
		s.Spec.LoadBalancerClass = ptr.To("a/b")
		s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}}
	})
	// The client only changed the type: everything LB-specific goes.
	svc := old.DeepCopy()
	svc.Spec.Type = corev1.ServiceTypeClusterIP
	svc.Status = corev1.ServiceStatus{}
	Strategy.PrepareForUpdate(context.Background(), svc, old)
	if svc.Spec.Ports[0].NodePort != 0 || svc.Spec.AllocateLoadBalancerNodePorts != nil || svc.Spec.LoadBalancerClass != nil ||
		svc.Spec.ExternalTrafficPolicy != "" || len(svc.Status.LoadBalancer.Ingress) != 0 {
		t.Fatalf("type-dependent fields kept: %+v", svc.Spec)
	}
	if errs := ValidateUpdate(svc, old); len(errs) != 0 {
		t.Fatalf("LB to ClusterIP: %v", errs)
	}
	// To ExternalName drops the IP fields and internalTrafficPolicy.
	svc = old.DeepCopy()
	svc.Spec.Type, svc.Spec.ExternalName = corev1.ServiceTypeExternalName, "example.com"
	Strategy.PrepareForUpdate(context.Background(), svc, old)
	if svc.Spec.ClusterIP != "" || svc.Spec.ClusterIPs != nil || svc.Spec.IPFamilies != nil || svc.Spec.IPFamilyPolicy != nil || svc.Spec.InternalTrafficPolicy != nil {
		t.Fatalf("IP fields kept: %+v", svc.Spec)
	}
}

func TestStatusStrategyKeepsSpec(t *testing.T) {
	old := validService(lbType)
	svc := old.DeepCopy()
	svc.Spec.Ports[0].Port = 9999
	svc.Labels = map[string]string{"changed": "yes"}
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}}
	StatusStrategy.PrepareForUpdate(context.Background(), svc, old)
	if svc.Spec.Ports[0].Port != 80 || len(svc.Status.LoadBalancer.Ingress) != 1 || svc.Labels["changed"] != "yes" {
		t.Fatalf("status strategy: %+v", svc)
	}
}

func TestNormalizeAndPatchAllocatedValues(t *testing.T) {
	old := validService(nodePortType)
	// An old client sends clusterIP only.
	svc := old.DeepCopy()
	svc.Spec.ClusterIPs = nil
	normalizeClusterIPs(svc, old)
	if !sameStrings(svc.Spec.ClusterIPs, old.Spec.ClusterIPs) {
		t.Errorf("clusterIPs %v", svc.Spec.ClusterIPs)
	}
	// A resubmitted manifest without allocated values gets them back.
	svc = old.DeepCopy()
	svc.Spec.ClusterIP, svc.Spec.ClusterIPs, svc.Spec.Ports[0].NodePort = "", nil, 0
	patchAllocatedValues(svc, old)
	if svc.Spec.ClusterIP != old.Spec.ClusterIP || svc.Spec.Ports[0].NodePort != 30080 {
		t.Errorf("patched: %+v", svc.Spec)
	}
}

func TestWarnings(t *testing.T) {
	svc := validService(func(s *corev1.Service) {
		s.Spec.ClusterIP, s.Spec.ClusterIPs = "None", []string{"None"}
		s.Spec.ExternalIPs = []string{"192.0.2.1"}
		s.Spec.ExternalName = "ignored.example.com"
	})
	got := strings.Join(warnings(svc), "\n")
	for _, want := range []string{"spec.externalIPs is ignored for headless services", "spec.externalName is ignored when spec.type is not \"ExternalName\""} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings %q lack %q", got, want)
		}
	}
}

func TestTableRow(t *testing.T) {
	cases := []struct {
		svc  *corev1.Service
		want []any
	}{
		{validService(), []any{"ClusterIP", "10.96.0.10", "<none>", "80/TCP", "<unknown>", "app=web"}},
		{validService(nodePortType), []any{"NodePort", "10.96.0.10", "<none>", "80:30080/TCP", "<unknown>", "app=web"}},
		{validService(lbType), []any{"LoadBalancer", "10.96.0.10", "<pending>", "80:30080/TCP", "<unknown>", "app=web"}},
		{validService(externalName), []any{"ExternalName", "<none>", "db.example.com.", "<none>", "<unknown>", "<none>"}},
	}
	for _, tc := range cases {
		got, err := Table.Row(tc.svc)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tc.want {
			if got[i] != tc.want[i] {
				t.Errorf("%s: cell %d = %v, want %v", tc.svc.Spec.Type, i, got[i], tc.want[i])
			}
		}
	}
	tbl, err := Table.ConvertToTable(context.Background(), validService(), &metav1.TableOptions{})
	if err != nil || len(tbl.ColumnDefinitions) != 7 || tbl.ColumnDefinitions[6].Priority != 1 {
		t.Fatalf("columns: %v %v", tbl, err)
	}
}
