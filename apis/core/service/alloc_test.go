package service

import (
	"context"
	"net"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/utils/ptr"
)

func testAllocators(t *testing.T) *allocators {
	t.Helper()
	ipStore, portStore := testStorage(t)
	ipAlloc, err := NewIPAllocator(ipStore, "/ipaddresses", mustCIDR(t, "10.96.0.0/12"))
	if err != nil {
		t.Fatal(err)
	}
	return &allocators{
		ipByFamily:    map[corev1.IPFamily]*IPAllocator{corev1.IPv4Protocol: ipAlloc},
		defaultFamily: corev1.IPv4Protocol,
		nodePorts:     NewPortAllocator(portStore, nodePortsKey, utilnet.PortRange{Base: 30000, Size: 2768}),
	}
}

// fresh is a service as the decoder hands it to the registry: defaulted, nothing allocated.
func fresh(mutate ...func(*corev1.Service)) *corev1.Service {
	svc := validService(mutate...)
	svc.Spec.ClusterIP, svc.Spec.ClusterIPs, svc.Spec.IPFamilies, svc.Spec.IPFamilyPolicy = "", nil, nil, nil
	for i := range svc.Spec.Ports {
		svc.Spec.Ports[i].NodePort = 0
	}
	return svc
}

func TestAllocateCreateAndUpdate(t *testing.T) {
	ctx := context.Background()
	al := testAllocators(t)

	svc := fresh()
	txn, err := al.allocateCreate(ctx, svc, false)
	if err != nil {
		t.Fatal(err)
	}
	txn.Commit()
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIPs[0] != svc.Spec.ClusterIP || *svc.Spec.IPFamilyPolicy != corev1.IPFamilyPolicySingleStack ||
		len(svc.Spec.IPFamilies) != 1 || svc.Spec.IPFamilies[0] != corev1.IPv4Protocol {
		t.Fatalf("allocated: %+v", svc.Spec)
	}
	if errs := Validate(svc); len(errs) != 0 {
		t.Fatalf("allocated service does not validate: %v", errs)
	}

	// ClusterIP -> NodePort allocates node ports; a failed write reverts them.
	np := svc.DeepCopy()
	nodePortType(np)
	np.Spec.Ports[0].NodePort = 0
	txn, err = al.allocateUpdate(ctx, np, svc, false)
	if err != nil {
		t.Fatal(err)
	}
	port := int(np.Spec.Ports[0].NodePort)
	if !al.nodePorts.Has(ctx, port) {
		t.Fatalf("node port %d not allocated", port)
	}
	txn.Revert()
	if al.nodePorts.Has(ctx, port) {
		t.Fatalf("revert left node port %d allocated", port)
	}
	np.Spec.Ports[0].NodePort = 0
	txn, err = al.allocateUpdate(ctx, np, svc, false)
	if err != nil {
		t.Fatal(err)
	}
	txn.Commit()
	port = int(np.Spec.Ports[0].NodePort)

	// NodePort -> ExternalName releases the node port and the IP, on commit only.
	ext := np.DeepCopy()
	ext.Spec.Type = corev1.ServiceTypeExternalName
	txn, err = al.allocateUpdate(ctx, ext, np, false)
	if err != nil {
		t.Fatal(err)
	}
	ip := np.Spec.ClusterIP
	if !al.nodePorts.Has(ctx, port) || !al.ipByFamily[corev1.IPv4Protocol].Has(ctx, net.ParseIP(ip)) {
		t.Fatal("released before commit")
	}
	txn.Commit()
	if al.nodePorts.Has(ctx, port) || al.ipByFamily[corev1.IPv4Protocol].Has(ctx, net.ParseIP(ip)) {
		t.Fatal("not released on commit")
	}

	// ExternalName -> ClusterIP allocates again.
	back := fresh()
	txn, err = al.allocateUpdate(ctx, back, validService(externalName), false)
	if err != nil || back.Spec.ClusterIP == "" {
		t.Fatalf("ExternalName to ClusterIP: %v %+v", err, back.Spec)
	}
	txn.Commit()

	// Deleting releases everything.
	al.releaseAllocatedResources(back)
	if al.ipByFamily[corev1.IPv4Protocol].Has(ctx, net.ParseIP(back.Spec.ClusterIP)) {
		t.Fatal("IP kept after delete")
	}
}

func TestAllocateNodePorts(t *testing.T) {
	ctx := context.Background()
	al := testAllocators(t)
	// Two ports with the same number share a node port.
	svc := fresh(nodePortType, func(s *corev1.Service) {
		s.Spec.Ports = []corev1.ServicePort{{Name: "tcp", Port: 53, Protocol: corev1.ProtocolTCP}, {Name: "udp", Port: 53, Protocol: corev1.ProtocolUDP}}
	})
	if _, err := al.allocateCreate(ctx, svc, false); err != nil {
		t.Fatal(err)
	}
	if p := svc.Spec.Ports; p[0].NodePort == 0 || p[0].NodePort != p[1].NodePort {
		t.Fatalf("node ports %d %d", p[0].NodePort, p[1].NodePort)
	}
	// A requested node port that is taken is a 422 on its path.
	taken := fresh(nodePortType, func(s *corev1.Service) { s.Spec.Ports[0].NodePort = 0 })
	taken.Spec.Ports[0].NodePort = svc.Spec.Ports[0].NodePort
	_, err := al.allocateCreate(ctx, taken, false)
	if !apierrors.IsInvalid(err) || err.(*apierrors.StatusError).ErrStatus.Details.Causes[0].Field != "spec.ports[0].nodePort" {
		t.Fatalf("taken node port: %v", err)
	}
	// An LB with Local traffic policy gets a health check node port.
	lb := fresh(lbType, func(s *corev1.Service) { s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal })
	if _, err := al.allocateCreate(ctx, lb, false); err != nil {
		t.Fatal(err)
	}
	if lb.Spec.HealthCheckNodePort == 0 || !al.nodePorts.Has(ctx, int(lb.Spec.HealthCheckNodePort)) {
		t.Fatalf("health check node port %d", lb.Spec.HealthCheckNodePort)
	}
	// An LB without node port allocation gets none.
	noPorts := fresh(lbType, func(s *corev1.Service) { s.Spec.AllocateLoadBalancerNodePorts = ptr.To(false) })
	if _, err := al.allocateCreate(ctx, noPorts, false); err != nil || noPorts.Spec.Ports[0].NodePort != 0 {
		t.Fatalf("allocateLoadBalancerNodePorts=false: %v %d", err, noPorts.Spec.Ports[0].NodePort)
	}
	// Dry runs allocate nothing.
	dry := fresh(nodePortType)
	if _, err := al.allocateCreate(ctx, dry, true); err != nil || dry.Spec.ClusterIP != "10.96.0.0" || dry.Spec.Ports[0].NodePort != 32769 {
		t.Fatalf("dry run: %v %+v", err, dry.Spec)
	}
}

func TestInitIPFamilyFields(t *testing.T) {
	al := &allocators{ipByFamily: map[corev1.IPFamily]*IPAllocator{corev1.IPv4Protocol: nil}, defaultFamily: corev1.IPv4Protocol}
	cases := []struct {
		name       string
		mutate     func(*corev1.Service)
		wantPolicy corev1.IPFamilyPolicy
		wantFams   []corev1.IPFamily
		errField   string
	}{
		{"default", nil, corev1.IPFamilyPolicySingleStack, []corev1.IPFamily{"IPv4"}, ""},
		{"prefer dual stack on single stack cluster", func(s *corev1.Service) {
			s.Spec.IPFamilyPolicy = ptr.To(corev1.IPFamilyPolicyPreferDualStack)
		}, corev1.IPFamilyPolicyPreferDualStack, []corev1.IPFamily{"IPv4"}, ""},
		{"require dual stack", func(s *corev1.Service) {
			s.Spec.IPFamilyPolicy = ptr.To(corev1.IPFamilyPolicyRequireDualStack)
		}, "", nil, "spec.ipFamilyPolicy"},
		{"IPv6 not configured", func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol} }, "", nil, "spec.ipFamilies[0]"},
		{"IPv6 cluster IP", func(s *corev1.Service) { s.Spec.ClusterIP = "fd00::1" }, "", nil, "spec.clusterIPs[0]"},
		{"headless selectorless is dual stack", func(s *corev1.Service) {
			s.Spec.ClusterIP, s.Spec.Selector = "None", nil
		}, corev1.IPFamilyPolicyRequireDualStack, []corev1.IPFamily{"IPv4", "IPv6"}, ""},
		{"headless with selector", func(s *corev1.Service) { s.Spec.ClusterIP = "None" }, corev1.IPFamilyPolicySingleStack, []corev1.IPFamily{"IPv4"}, ""},
		{"two families single stack", func(s *corev1.Service) {
			s.Spec.IPFamilyPolicy = ptr.To(corev1.IPFamilyPolicySingleStack)
			s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv6Protocol}
		}, "", nil, "spec.ipFamilyPolicy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc := fresh()
			if tc.mutate != nil {
				tc.mutate(svc)
			}
			normalizeClusterIPs(svc, nil)
			err := al.initIPFamilyFields(svc, nil)
			if tc.errField != "" {
				if !apierrors.IsInvalid(err) {
					t.Fatalf("want 422, got %v", err)
				}
				for _, c := range err.(*apierrors.StatusError).ErrStatus.Details.Causes {
					if c.Field == tc.errField {
						return
					}
				}
				t.Fatalf("no cause at %s: %v", tc.errField, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if *svc.Spec.IPFamilyPolicy != tc.wantPolicy || !sameStrings(svc.Spec.IPFamilies, tc.wantFams) {
				t.Fatalf("policy %v families %v", *svc.Spec.IPFamilyPolicy, svc.Spec.IPFamilies)
			}
		})
	}
}
