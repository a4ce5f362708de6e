package defaults

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Defaults of the other core/v1 kinds the core registry serves (namespaces, secrets, nodes,
// volumes, endpoints, limit ranges).
func TestNamespaceSecretNodeDefaults(t *testing.T) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}
	SetObjectDefaults_Namespace(ns)
	if ns.Labels[corev1.LabelMetadataName] != "team" || ns.Status.Phase != corev1.NamespaceActive {
		t.Errorf("namespace: %+v", ns)
	}
	unnamed := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "team-"}}
	SetObjectDefaults_Namespace(unnamed)
	if unnamed.Labels != nil {
		t.Errorf("generateName namespace labelled: %v", unnamed.Labels)
	}

	secret := &corev1.Secret{}
	SetObjectDefaults_Secret(secret)
	if secret.Type != corev1.SecretTypeOpaque {
		t.Errorf("secret type %q", secret.Type)
	}

	node := &corev1.Node{Status: corev1.NodeStatus{Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}}}
	SetObjectDefaults_Node(node)
	if node.Status.Allocatable.Cpu().String() != "2" {
		t.Errorf("allocatable %v", node.Status.Allocatable)
	}
	node.Status.Capacity[corev1.ResourceCPU] = resource.MustParse("4")
	if node.Status.Allocatable.Cpu().String() != "2" {
		t.Error("allocatable shares the capacity map")
	}

	ep := &corev1.Endpoints{Subsets: []corev1.EndpointSubset{{Ports: []corev1.EndpointPort{{Port: 80}, {Port: 53, Protocol: corev1.ProtocolUDP}}}}}
	SetObjectDefaults_Endpoints(ep)
	if ep.Subsets[0].Ports[0].Protocol != corev1.ProtocolTCP || ep.Subsets[0].Ports[1].Protocol != corev1.ProtocolUDP {
		t.Errorf("endpoint ports %+v", ep.Subsets[0].Ports)
	}
}

func TestVolumeAndLimitRangeDefaults(t *testing.T) {
	pv := &corev1.PersistentVolume{}
	SetObjectDefaults_PersistentVolume(pv)
	if pv.Status.Phase != corev1.VolumePending || pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimRetain ||
		pv.Spec.VolumeMode == nil || *pv.Spec.VolumeMode != corev1.PersistentVolumeFilesystem {
		t.Errorf("pv: %+v", pv)
	}
	pvc := &corev1.PersistentVolumeClaim{}
	SetObjectDefaults_PersistentVolumeClaim(pvc)
	if pvc.Status.Phase != corev1.ClaimPending || pvc.Spec.VolumeMode == nil || *pvc.Spec.VolumeMode != corev1.PersistentVolumeFilesystem {
		t.Errorf("pvc: %+v", pvc)
	}

	lr := &corev1.LimitRange{Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{
		{Type: corev1.LimitTypeContainer,
			Max:     corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("1Gi")},
			Min:     corev1.ResourceList{corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")},
			Default: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")}},
		{Type: corev1.LimitTypePod, Max: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")}},
	}}}
	SetObjectDefaults_LimitRange(lr)
	c := lr.Spec.Limits[0]
	if c.Default.Cpu().String() != "2" || c.Default.Memory().String() != "512Mi" ||
		c.DefaultRequest.Cpu().String() != "2" || c.DefaultRequest.Memory().String() != "512Mi" ||
		c.DefaultRequest.StorageEphemeral().String() != "1Gi" {
		t.Errorf("container limits: default %v defaultRequest %v", c.Default, c.DefaultRequest)
	}
	if p := lr.Spec.Limits[1]; p.Default != nil || p.DefaultRequest != nil {
		t.Errorf("pod limits defaulted: %+v", p)
	}
}
