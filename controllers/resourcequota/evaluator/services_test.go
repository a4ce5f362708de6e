package evaluator

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/utils/ptr"
)

func TestServiceUsage(t *testing.T) {
	ports := []corev1.ServicePort{{Port: 80, NodePort: 30080}, {Port: 443}}
	tests := []struct {
		name string
		svc  corev1.ServiceSpec
		want corev1.ResourceList
	}{
		{"cluster IP", corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Ports: ports},
			rl("count/services", "1", "services", "1", "services.loadbalancers", "0", "services.nodeports", "0")},
		{"node port", corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: ports},
			rl("count/services", "1", "services", "1", "services.loadbalancers", "0", "services.nodeports", "2")},
		{"load balancer", corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: ports},
			rl("count/services", "1", "services", "1", "services.loadbalancers", "1", "services.nodeports", "2")},
		{"load balancer without node ports", corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: ports, AllocateLoadBalancerNodePorts: ptr.To(false)},
			rl("count/services", "1", "services", "1", "services.loadbalancers", "1", "services.nodeports", "1")},
	}
	ev := NewServiceEvaluator(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ev.Usage(&corev1.Service{Spec: tt.svc})
			if err != nil {
				t.Fatal(err)
			}
			if !quota.Equals(got, tt.want) {
				t.Errorf("usage %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPVCUsage(t *testing.T) {
	pvc := func(class string, request, allocated string) *corev1.PersistentVolumeClaim {
		p := &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", request)}}}
		if class != "" {
			p.Spec.StorageClassName = ptr.To(class)
		}
		if allocated != "" {
			p.Status.AllocatedResources = rl("storage", allocated)
		}
		return p
	}
	tests := []struct {
		name string
		pvc  *corev1.PersistentVolumeClaim
		want corev1.ResourceList
	}{
		{"no class", pvc("", "1Gi", ""), rl("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "1Gi")},
		{"with class", pvc("fast", "1Gi", ""), rl("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "1Gi",
			"fast.storageclass.storage.k8s.io/persistentvolumeclaims", "1", "fast.storageclass.storage.k8s.io/requests.storage", "1Gi")},
		{"allocated larger", pvc("", "1Gi", "2Gi"), rl("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "2Gi")},
		{"fraction rounded up", pvc("", "1500m", ""), rl("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "2")},
	}
	ev := NewPVCEvaluator(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ev.Usage(tt.pvc)
			if err != nil {
				t.Fatal(err)
			}
			if !quota.Equals(got, tt.want) {
				t.Errorf("usage %v, want %v", got, tt.want)
			}
		})
	}
	got := ev.MatchingResources([]corev1.ResourceName{"requests.storage", "gold.storageclass.storage.k8s.io/requests.storage", "pods", "count/persistentvolumeclaims"})
	if len(got) != 3 {
		t.Errorf("matching %v", got)
	}
}
