package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// allocators assigns ClusterIPs and node ports to services as upstream's service REST does.
type allocators struct {
	ipByFamily    map[corev1.IPFamily]*IPAllocator
	defaultFamily corev1.IPFamily
	nodePorts     *PortAllocator
}

var serviceKind = corev1.SchemeGroupVersion.WithKind("Service").GroupKind()

func invalidService(svc *corev1.Service, errs field.ErrorList) error {
	return apierrors.NewInvalid(serviceKind, svc.Name, errs)
}

// transaction collects what to do when the surrounding storage write succeeds or fails.
type transaction struct {
	commits, reverts []func()
}

func (t *transaction) Commit() {
	for _, f := range t.commits {
		f()
	}
}

func (t *transaction) Revert() {
	for i := len(t.reverts) - 1; i >= 0; i-- {
		t.reverts[i]()
	}
}

func needsClusterIP(svc *corev1.Service) bool { return svc.Spec.Type != corev1.ServiceTypeExternalName }

func needsNodePort(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeNodePort ||
		(svc.Spec.Type == corev1.ServiceTypeLoadBalancer && (svc.Spec.AllocateLoadBalancerNodePorts == nil || *svc.Spec.AllocateLoadBalancerNodePorts))
}

func shouldAllocateNodePorts(svc *corev1.Service) bool {
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort:
		return true
	case corev1.ServiceTypeLoadBalancer:
		return svc.Spec.AllocateLoadBalancerNodePorts != nil && *svc.Spec.AllocateLoadBalancerNodePorts
	}
	return false
}

func familyOf(ip string) corev1.IPFamily {
	switch {
	case netutils.IsIPv4String(ip):
		return corev1.IPv4Protocol
	case netutils.IsIPv6String(ip):
		return corev1.IPv6Protocol
	}
	return "unknown"
}

func otherFamily(f corev1.IPFamily) corev1.IPFamily {
	if f == corev1.IPv4Protocol {
		return corev1.IPv6Protocol
	}
	return corev1.IPv4Protocol
}

func ipFamilyPolicy(svc *corev1.Service) corev1.IPFamilyPolicy {
	if svc.Spec.IPFamilyPolicy == nil {
		return ""
	}
	return *svc.Spec.IPFamilyPolicy
}

func sameStrings[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// allocateCreate fills in the IP family fields and allocates cluster IPs and node ports of a
// new service.
func (al *allocators) allocateCreate(ctx context.Context, svc *corev1.Service, dryRun bool) (*transaction, error) {
	if err := al.initIPFamilyFields(svc, nil); err != nil {
		return nil, err
	}
	result := &transaction{}
	allocated, err := al.allocClusterIPs(ctx, svc, dryRun)
	if err != nil {
		return nil, err
	}
	result.reverts = append(result.reverts, func() { al.releaseIPs(svc, allocated, dryRun) })

	op := newPortOp(ctx, al.nodePorts, dryRun)
	if svc.Spec.Type == corev1.ServiceTypeNodePort || svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
		if err := initNodePorts(svc, op); err != nil {
			op.rollback()
			result.Revert()
			return nil, err
		}
	}
	if needsHealthCheck(svc) {
		if err := allocHealthCheckNodePort(svc, op); err != nil {
			op.rollback()
			result.Revert()
			return nil, apierrors.NewInternalError(err)
		}
	}
	result.commits = append(result.commits, op.commit)
	result.reverts = append(result.reverts, op.rollback)
	return result, nil
}

// allocateUpdate does for an update what allocateCreate does for a create: allocations for
// what the new service needs, releases (on commit) of what it no longer does.
func (al *allocators) allocateUpdate(ctx context.Context, svc, old *corev1.Service, dryRun bool) (*transaction, error) {
	if err := al.initIPFamilyFields(svc, old); err != nil {
		return nil, err
	}
	result := &transaction{}
	allocated, released, err := al.updateClusterIPs(ctx, svc, old, dryRun)
	if err != nil {
		return nil, err
	}
	result.commits = append(result.commits, func() { al.releaseIPs(old, released, dryRun) })
	result.reverts = append(result.reverts, func() { al.releaseIPs(svc, allocated, dryRun) })

	op := newPortOp(ctx, al.nodePorts, dryRun)
	if (old.Spec.Type == corev1.ServiceTypeNodePort || old.Spec.Type == corev1.ServiceTypeLoadBalancer) &&
		(svc.Spec.Type == corev1.ServiceTypeExternalName || svc.Spec.Type == corev1.ServiceTypeClusterIP) {
		for _, port := range collectNodePorts(old) {
			op.releaseDeferred(port)
		}
	}
	fail := func(err error) (*transaction, error) {
		op.rollback()
		result.Revert()
		return nil, err
	}
	if svc.Spec.Type == corev1.ServiceTypeNodePort || svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
		if err := updateNodePorts(svc, old, op); err != nil {
			return fail(err)
		}
	}
	switch needed, needs := needsHealthCheck(old), needsHealthCheck(svc); {
	case !needed && needs:
		if err := allocHealthCheckNodePort(svc, op); err != nil {
			return fail(apierrors.NewInternalError(err))
		}
	case needed && !needs:
		op.releaseDeferred(int(old.Spec.HealthCheckNodePort))
	}
	result.commits = append(result.commits, op.commit)
	result.reverts = append(result.reverts, op.rollback)
	return result, nil
}

// initIPFamilyFields defaults ipFamilyPolicy and ipFamilies as the cluster's configuration
// allows and rejects families the cluster does not serve.
func (al *allocators) initIPFamilyFields(svc, old *corev1.Service) error {
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return nil
	}
	// A PreferDualStack service is not upgraded or downgraded by a cluster change alone.
	if isMatchingPreferDualStackClusterIPFields(svc, old) {
		return nil
	}
	if svc.Spec.IPFamilyPolicy == nil {
		var policy corev1.IPFamilyPolicy
		switch {
		case old != nil && old.Spec.IPFamilyPolicy != nil:
			policy = *old.Spec.IPFamilyPolicy
		case svc.Spec.ClusterIP == corev1.ClusterIPNone && len(svc.Spec.Selector) == 0:
			policy = corev1.IPFamilyPolicyRequireDualStack // headless without selector
		default:
			policy = corev1.IPFamilyPolicySingleStack
		}
		svc.Spec.IPFamilyPolicy = &policy
	}

	if errs := ValidateClusterIPsRelatedFields(svc, old); len(errs) != 0 {
		return invalidService(svc, errs)
	}

	var errs field.ErrorList
	policyPath := field.NewPath("spec", "ipFamilyPolicy")
	if old != nil {
		if ipFamilyPolicy(svc) == corev1.IPFamilyPolicySingleStack {
			if sameStrings(old.Spec.ClusterIPs, svc.Spec.ClusterIPs) && len(svc.Spec.ClusterIPs) > 1 {
				svc.Spec.ClusterIPs = svc.Spec.ClusterIPs[0:1]
			}
			if sameStrings(old.Spec.IPFamilies, svc.Spec.IPFamilies) && len(svc.Spec.IPFamilies) > 1 {
				svc.Spec.IPFamilies = svc.Spec.IPFamilies[0:1]
			}
		} else {
			if len(svc.Spec.ClusterIPs) > 0 && len(svc.Spec.ClusterIPs) < len(old.Spec.ClusterIPs) {
				errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "must be 'SingleStack' to release the secondary cluster IP"))
			}
			if len(svc.Spec.IPFamilies) > 0 && len(svc.Spec.IPFamilies) < len(old.Spec.IPFamilies) {
				errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "must be 'SingleStack' to release the secondary IP family"))
			}
		}
	}
	if ipFamilyPolicy(svc) == corev1.IPFamilyPolicySingleStack {
		if len(svc.Spec.ClusterIPs) == 2 {
			errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
		}
		if len(svc.Spec.IPFamilies) == 2 {
			errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
		}
	}
	// Infer families from the cluster IPs given.
	for i, ip := range svc.Spec.ClusterIPs {
		if ip == corev1.ClusterIPNone {
			break
		}
		if i >= len(svc.Spec.IPFamilies) {
			fam := familyOf(ip)
			if _, ok := al.ipByFamily[fam]; !ok {
				errs = append(errs, field.Invalid(field.NewPath("spec", "clusterIPs").Index(i), svc.Spec.ClusterIPs, fmt.Sprintf("%s is not configured on this cluster", fam)))
			} else {
				svc.Spec.IPFamilies = append(svc.Spec.IPFamilies, fam)
			}
		}
	}
	if len(errs) > 0 {
		return invalidService(svc, errs)
	}

	// Headless without selector may name families the cluster lacks.
	if svc.Spec.ClusterIP == corev1.ClusterIPNone && len(svc.Spec.Selector) == 0 {
		if len(svc.Spec.IPFamilies) == 0 {
			svc.Spec.IPFamilies = []corev1.IPFamily{al.defaultFamily}
		}
		if len(svc.Spec.IPFamilies) < 2 && *svc.Spec.IPFamilyPolicy != corev1.IPFamilyPolicySingleStack {
			svc.Spec.IPFamilies = append(svc.Spec.IPFamilies, otherFamily(svc.Spec.IPFamilies[0]))
		}
		return nil
	}

	if ipFamilyPolicy(svc) == corev1.IPFamilyPolicyRequireDualStack && len(al.ipByFamily) < 2 {
		errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "this cluster is not configured for dual-stack services"))
	}
	for i, fam := range svc.Spec.IPFamilies {
		if _, ok := al.ipByFamily[fam]; !ok {
			errs = append(errs, field.Invalid(field.NewPath("spec", "ipFamilies").Index(i), fam, "not configured on this cluster"))
		}
	}
	if len(errs) > 0 {
		return invalidService(svc, errs)
	}
	if len(svc.Spec.IPFamilies) == 0 {
		svc.Spec.IPFamilies = []corev1.IPFamily{al.defaultFamily}
	}
	if *svc.Spec.IPFamilyPolicy != corev1.IPFamilyPolicySingleStack && len(svc.Spec.IPFamilies) == 1 && len(al.ipByFamily) == 2 {
		svc.Spec.IPFamilies = append(svc.Spec.IPFamilies, otherFamily(svc.Spec.IPFamilies[0]))
	}
	return nil
}

func isMatchingPreferDualStackClusterIPFields(svc, old *corev1.Service) bool {
	if old == nil || svc.Spec.IPFamilyPolicy == nil || old.Spec.Type != svc.Spec.Type {
		return false
	}
	switch svc.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
	default:
		return false
	}
	if *svc.Spec.IPFamilyPolicy != corev1.IPFamilyPolicyPreferDualStack ||
		(old.Spec.IPFamilyPolicy != nil && *old.Spec.IPFamilyPolicy != corev1.IPFamilyPolicyPreferDualStack) {
		return false
	}
	return sameStrings(old.Spec.ClusterIPs, svc.Spec.ClusterIPs) && sameStrings(old.Spec.IPFamilies, svc.Spec.IPFamilies)
}

// allocClusterIPs allocates an IP for every family of svc that has none yet (or reserves the
// ones given) and fills clusterIP/clusterIPs in.
func (al *allocators) allocClusterIPs(ctx context.Context, svc *corev1.Service, dryRun bool) (map[corev1.IPFamily]string, error) {
	if svc.Spec.Type == corev1.ServiceTypeExternalName || (len(svc.Spec.ClusterIPs) > 0 && svc.Spec.ClusterIPs[0] == corev1.ClusterIPNone) {
		return nil, nil
	}
	toAlloc := map[corev1.IPFamily]string{}
	if svc.Spec.ClusterIPs == nil {
		svc.Spec.ClusterIPs = make([]string, 0, len(svc.Spec.IPFamilies))
	}
	for i, fam := range svc.Spec.IPFamilies {
		if i > len(svc.Spec.ClusterIPs)-1 {
			svc.Spec.ClusterIPs = append(svc.Spec.ClusterIPs, "")
		}
		toAlloc[fam] = svc.Spec.ClusterIPs[i]
	}
	allocated, err := al.allocIPs(ctx, svc, toAlloc, dryRun)
	if err == nil {
		for fam, ip := range allocated {
			for i, check := range svc.Spec.IPFamilies {
				if fam == check {
					svc.Spec.ClusterIPs[i] = ip
					if i == 0 {
						svc.Spec.ClusterIP = ip
					}
				}
			}
		}
	}
	return allocated, err
}

func (al *allocators) allocIPs(ctx context.Context, svc *corev1.Service, toAlloc map[corev1.IPFamily]string, dryRun bool) (map[corev1.IPFamily]string, error) {
	allocated := map[corev1.IPFamily]string{}
	for fam, ip := range toAlloc {
		alloc := al.ipByFamily[fam]
		if ip == "" {
			got, err := alloc.AllocateNext(ctx, svc, dryRun)
			if err != nil {
				al.releaseIPs(svc, allocated, dryRun)
				if !errors.Is(err, ErrFull) {
					return nil, invalidService(svc, field.ErrorList{field.Invalid(field.NewPath("spec", "clusterIPs"), svc.Spec.ClusterIPs, fmt.Sprintf("failed to allocate IP: %v", err))})
				}
				return nil, apierrors.NewInternalError(fmt.Errorf("failed to allocate a serviceIP for Service %q: %w", svc.Name, err))
			}
			allocated[fam] = got.String()
			continue
		}
		parsed := netutils.ParseIPSloppy(ip)
		if parsed == nil {
			al.releaseIPs(svc, allocated, dryRun)
			return nil, apierrors.NewInternalError(fmt.Errorf("failed to parse service IP %q", ip))
		}
		if err := alloc.Allocate(ctx, svc, parsed, dryRun); err != nil {
			al.releaseIPs(svc, allocated, dryRun)
			return nil, invalidService(svc, field.ErrorList{field.Invalid(field.NewPath("spec", "clusterIPs"), svc.Spec.ClusterIPs, fmt.Sprintf("failed to allocate IP %v: %v", ip, err))})
		}
		allocated[fam] = ip
	}
	return allocated, nil
}

// updateClusterIPs handles type changes and dual-stack upgrades and downgrades; it returns
// what it allocated and what the caller must release once the update is stored.
func (al *allocators) updateClusterIPs(ctx context.Context, svc, old *corev1.Service, dryRun bool) (allocated, toRelease map[corev1.IPFamily]string, err error) {
	if isMatchingPreferDualStackClusterIPFields(svc, old) {
		return nil, nil, nil
	}
	if old.Spec.Type == corev1.ServiceTypeExternalName && svc.Spec.Type != corev1.ServiceTypeExternalName {
		allocated, err := al.allocClusterIPs(ctx, svc, dryRun)
		return allocated, nil, err
	}
	if len(old.Spec.ClusterIPs) > 0 && old.Spec.ClusterIPs[0] == corev1.ClusterIPNone {
		return nil, nil, nil
	}
	if old.Spec.Type != corev1.ServiceTypeExternalName && svc.Spec.Type == corev1.ServiceTypeExternalName {
		toRelease = map[corev1.IPFamily]string{}
		for i, fam := range old.Spec.IPFamilies {
			if i < len(old.Spec.ClusterIPs) {
				toRelease[fam] = old.Spec.ClusterIPs[i]
			}
		}
		return nil, toRelease, nil
	}
	switch {
	case len(old.Spec.IPFamilies) == 1 && len(svc.Spec.IPFamilies) == 2: // upgrade
		if len(svc.Spec.ClusterIPs) < 2 {
			svc.Spec.ClusterIPs = append(svc.Spec.ClusterIPs, "")
		}
		allocated, err := al.allocIPs(ctx, svc, map[corev1.IPFamily]string{svc.Spec.IPFamilies[1]: svc.Spec.ClusterIPs[1]}, dryRun)
		if err == nil {
			svc.Spec.ClusterIPs[1] = allocated[svc.Spec.IPFamilies[1]]
		}
		return allocated, nil, err
	case len(old.Spec.IPFamilies) == 2 && len(svc.Spec.IPFamilies) == 1: // downgrade
		return nil, map[corev1.IPFamily]string{old.Spec.IPFamilies[1]: old.Spec.ClusterIPs[1]}, nil
	}
	return nil, nil, nil
}

// releaseIPs frees the given addresses of svc, logging what cannot be freed (the addresses
// stay held; nothing else is affected).
func (al *allocators) releaseIPs(svc *corev1.Service, ips map[corev1.IPFamily]string, dryRun bool) {
	if dryRun {
		return
	}
	for fam, ip := range ips {
		alloc, ok := al.ipByFamily[fam]
		parsed := netutils.ParseIPSloppy(ip)
		if !ok || parsed == nil {
			continue
		}
		ctx, cancel := releaseContext()
		err := alloc.Release(ctx, svc, parsed)
		cancel()
		if err != nil {
			utilruntime.HandleError(fmt.Errorf("releasing ClusterIP %s of service %s/%s: %w", ip, svc.Namespace, svc.Name, err))
		}
	}
}

// releaseAllocatedResources frees everything a deleted service held.
func (al *allocators) releaseAllocatedResources(svc *corev1.Service) {
	if needsClusterIP(svc) && !(len(svc.Spec.ClusterIPs) > 0 && svc.Spec.ClusterIPs[0] == corev1.ClusterIPNone) {
		ips := map[corev1.IPFamily]string{}
		for _, ip := range svc.Spec.ClusterIPs {
			ips[familyOf(ip)] = ip
		}
		al.releaseIPs(svc, ips, false)
	}
	ports := collectNodePorts(svc)
	if needsHealthCheck(svc) && svc.Spec.HealthCheckNodePort > 0 {
		ports = append(ports, int(svc.Spec.HealthCheckNodePort))
	}
	for _, port := range ports {
		ctx, cancel := releaseContext()
		err := al.nodePorts.Release(ctx, port)
		cancel()
		if err != nil {
			utilruntime.HandleError(fmt.Errorf("releasing node port %d of service %s/%s: %w", port, svc.Namespace, svc.Name, err))
		}
	}
}

// releaseContext bounds a release, which runs after the request that caused it may be gone.
func releaseContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

func collectNodePorts(svc *corev1.Service) []int {
	var ports []int
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 {
			ports = append(ports, int(p.NodePort))
		}
	}
	return ports
}

// portOp allocates node ports for one request: allocations take effect at once and are
// undone by rollback; releases wait for commit.
type portOp struct {
	ctx       context.Context
	alloc     *PortAllocator
	dryRun    bool
	allocated []int
	release   []int
	done      bool
}

func newPortOp(ctx context.Context, alloc *PortAllocator, dryRun bool) *portOp {
	return &portOp{ctx: ctx, alloc: alloc, dryRun: dryRun}
}

func (op *portOp) allocate(port int) error {
	if op.dryRun {
		if op.alloc.Has(op.ctx, port) || sets.New(op.allocated...).Has(port) {
			return ErrPortAllocated
		}
		op.allocated = append(op.allocated, port)
		return nil
	}
	err := op.alloc.Allocate(op.ctx, port)
	if err == nil {
		op.allocated = append(op.allocated, port)
	}
	return err
}

// allocateNext picks a free port. A dry run, like upstream's, makes up ports past the range.
func (op *portOp) allocateNext() (int, error) {
	if op.dryRun {
		last := 32768
		if len(op.allocated) > 0 {
			last = 0
			for _, p := range op.allocated {
				last = max(last, p)
			}
		}
		op.allocated = append(op.allocated, last+1)
		return last + 1, nil
	}
	port, err := op.alloc.AllocateNext(op.ctx)
	if err == nil {
		op.allocated = append(op.allocated, port)
	}
	return port, err
}

func (op *portOp) releaseDeferred(port int) { op.release = append(op.release, port) }

func (op *portOp) commit() {
	op.done = true
	if op.dryRun {
		return
	}
	for _, port := range op.release {
		ctx, cancel := releaseContext()
		err := op.alloc.Release(ctx, port)
		cancel()
		if err != nil {
			utilruntime.HandleError(fmt.Errorf("releasing node port %d: %w", port, err))
		}
	}
}

func (op *portOp) rollback() {
	if op.done || op.dryRun {
		return
	}
	op.done = true
	for _, port := range op.allocated {
		ctx, cancel := releaseContext()
		err := op.alloc.Release(ctx, port)
		cancel()
		if err != nil {
			utilruntime.HandleError(fmt.Errorf("releasing node port %d: %w", port, err))
		}
	}
}

// initNodePorts allocates the node ports of a new service; ports sharing a port number share
// a node port.
func initNodePorts(svc *corev1.Service, op *portOp) error {
	byPort := map[int]int{}
	for i := range svc.Spec.Ports {
		sp := &svc.Spec.Ports[i]
		if sp.NodePort == 0 && !shouldAllocateNodePorts(svc) {
			continue
		}
		allocated := byPort[int(sp.Port)]
		if allocated == 0 {
			if np := findRequestedNodePort(int(sp.Port), svc.Spec.Ports); np != 0 {
				if err := op.allocate(np); err != nil {
					return invalidService(svc, field.ErrorList{field.Invalid(field.NewPath("spec", "ports").Index(i).Child("nodePort"), np, err.Error())})
				}
				sp.NodePort = int32(np)
				byPort[int(sp.Port)] = np
			} else {
				np, err := op.allocateNext()
				if err != nil {
					return apierrors.NewInternalError(fmt.Errorf("failed to allocate a nodePort: %w", err))
				}
				sp.NodePort = int32(np)
				byPort[int(sp.Port)] = np
			}
		} else if int(sp.NodePort) != allocated {
			if sp.NodePort == 0 {
				sp.NodePort = int32(allocated)
			} else if err := op.allocate(int(sp.NodePort)); err != nil {
				return invalidService(svc, field.ErrorList{field.Invalid(field.NewPath("spec", "ports").Index(i).Child("nodePort"), sp.NodePort, err.Error())})
			}
		}
	}
	return nil
}

func findRequestedNodePort(port int, ports []corev1.ServicePort) int {
	for _, sp := range ports {
		if port == int(sp.Port) && sp.NodePort != 0 {
			return int(sp.NodePort)
		}
	}
	return 0
}

// updateNodePorts allocates node ports the updated service needs and schedules the release
// of those it dropped.
func updateNodePorts(svc, old *corev1.Service, op *portOp) error {
	oldPorts := sets.New(collectNodePorts(old)...)
	type protoPort struct {
		protocol corev1.Protocol
		port     int32
	}
	seen := map[protoPort]bool{}
	taken := map[int]bool{}
	for i := range svc.Spec.Ports {
		sp := &svc.Spec.Ports[i]
		if sp.NodePort == 0 && !shouldAllocateNodePorts(svc) {
			continue
		}
		if sp.NodePort != 0 {
			if !oldPorts.Has(int(sp.NodePort)) && !taken[int(sp.NodePort)] {
				if err := op.allocate(int(sp.NodePort)); err != nil {
					return invalidService(svc, field.ErrorList{field.Invalid(field.NewPath("spec", "ports").Index(i).Child("nodePort"), sp.NodePort, err.Error())})
				}
				taken[int(sp.NodePort)] = true
			}
		} else {
			np, err := op.allocateNext()
			if err != nil {
				return apierrors.NewInternalError(fmt.Errorf("failed to allocate a nodePort: %w", err))
			}
			sp.NodePort = int32(np)
		}
		key := protoPort{sp.Protocol, sp.NodePort}
		if seen[key] {
			return fmt.Errorf("duplicate nodePort: %v", struct {
				Protocol corev1.Protocol
				NodePort int32
			}{sp.Protocol, sp.NodePort})
		}
		seen[key] = true
	}
	newPorts := sets.New(collectNodePorts(svc)...)
	for _, port := range collectNodePorts(old) {
		if !newPorts.Has(port) {
			op.releaseDeferred(port)
		}
	}
	return nil
}

func allocHealthCheckNodePort(svc *corev1.Service, op *portOp) error {
	if port := svc.Spec.HealthCheckNodePort; port != 0 {
		if err := op.allocate(int(port)); err != nil {
			return fmt.Errorf("failed to allocate requested HealthCheck NodePort %v: %v", port, err)
		}
		return nil
	}
	port, err := op.allocateNext()
	if err != nil {
		return fmt.Errorf("failed to allocate a HealthCheck NodePort %v: %v", port, err)
	}
	svc.Spec.HealthCheckNodePort = int32(port)
	return nil
}
