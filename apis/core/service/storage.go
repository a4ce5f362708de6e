package service

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/util/dryrun"
	netutils "k8s.io/utils/net"

	"github.com/skiff-sh/skiff/apis/core/internal/table"
	"github.com/skiff-sh/skiff/apis/registry"
)

// nodePortsKey is where the node port bitmap lives, as in upstream's etcd layout.
const nodePortsKey = "/ranges/servicenodeports"

var (
	configMu      sync.Mutex
	clusterCIDR   *net.IPNet
	nodePortRange = utilnet.PortRange{Base: 30000, Size: 2768}
)

func init() {
	_, clusterCIDR, _ = netutils.ParseCIDRSloppy("10.96.0.0/12")
}

// Configure sets the range ClusterIPs are allocated from and the node port range, for the
// stores NewStorage builds afterwards. The defaults are 10.96.0.0/12 and 30000-32767.
func Configure(cidr *net.IPNet, nodePorts utilnet.PortRange) {
	configMu.Lock()
	defer configMu.Unlock()
	if cidr != nil {
		clusterCIDR = cidr
	}
	if nodePorts.Size > 0 {
		nodePortRange = nodePorts
	}
}

// ServiceCIDR returns the configured service CIDR.
func ServiceCIDR() *net.IPNet {
	configMu.Lock()
	defer configMu.Unlock()
	return clusterCIDR
}

// KubernetesServiceIP is the ClusterIP of default/kubernetes: the first address of cidr.
func KubernetesServiceIP(cidr *net.IPNet) net.IP {
	return netutils.AddIPOffset(netutils.BigForIP(cidr.IP), 1)
}

// REST is the services storage: the generic store plus ClusterIP and node port allocation.
type REST struct {
	*registry.Store
	alloc   *allocators
	destroy []func()
}

// NewStorage returns the services resource and its status subresource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	configMu.Lock()
	cidr, ports := clusterCIDR, nodePortRange
	configMu.Unlock()

	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: corev1.Resource("services"),
		Singular: "service",
		New:      func() runtime.Object { return &corev1.Service{} },
		NewList:  func() runtime.Object { return &corev1.ServiceList{} },
		Strategy: Strategy,
		SelectableFields: func(obj runtime.Object) fields.Set {
			svc := obj.(*corev1.Service)
			return fields.Set{"spec.clusterIP": svc.Spec.ClusterIP, "spec.type": string(svc.Spec.Type)}
		},
		ShortNames: []string{"svc"},
		Categories: []string{"all"},
		Table:      Table,
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true

	r := &REST{Store: store}
	ipOpts, err := optsGetter.GetRESTOptions(networkingv1.Resource("ipaddresses"), &networkingv1.IPAddress{})
	if err != nil {
		return nil, err
	}
	ipPrefix := "/" + strings.TrimPrefix(ipOpts.ResourcePrefix, "/")
	ipStorage, destroyIPs, err := generic.NewRawStorage(ipOpts.StorageConfig,
		func() runtime.Object { return &networkingv1.IPAddress{} },
		func() runtime.Object { return &networkingv1.IPAddressList{} }, ipPrefix)
	if err != nil {
		return nil, fmt.Errorf("ClusterIP allocator storage: %w", err)
	}
	r.destroy = append(r.destroy, destroyIPs)
	ipAlloc, err := NewIPAllocator(ipStorage, ipPrefix, cidr)
	if err != nil {
		return nil, err
	}
	portOpts, err := optsGetter.GetRESTOptions(corev1.Resource("servicenodeportallocations"), &corev1.RangeAllocation{})
	if err != nil {
		return nil, err
	}
	portStorage, destroyPorts, err := generic.NewRawStorage(portOpts.StorageConfig,
		func() runtime.Object { return &corev1.RangeAllocation{} }, nil, nodePortsKey)
	if err != nil {
		return nil, fmt.Errorf("node port allocator storage: %w", err)
	}
	r.destroy = append(r.destroy, destroyPorts)
	r.alloc = &allocators{
		ipByFamily:    map[corev1.IPFamily]*IPAllocator{ipAlloc.Family(): ipAlloc},
		defaultFamily: ipAlloc.Family(),
		nodePorts:     NewPortAllocator(portStorage, nodePortsKey, ports),
	}

	// The status store shares only the release of allocations: a status write that removes
	// the last finalizer of a deleted service deletes it.
	store.AfterDelete = r.afterDelete
	status := registry.NewStatusREST(store, StatusStrategy)
	store.BeginCreate = r.beginCreate
	store.BeginUpdate = r.beginUpdate

	return registry.Resources{"services": r, "services/status": status}, nil
}

// Destroy closes the store and the allocators' storage.
func (r *REST) Destroy() {
	r.Store.Destroy()
	for _, d := range r.destroy {
		d()
	}
}

func (r *REST) beginCreate(ctx context.Context, obj runtime.Object, options *metav1.CreateOptions) (genericregistry.FinishFunc, error) {
	svc := obj.(*corev1.Service)
	normalizeClusterIPs(svc, nil)
	txn, err := r.alloc.allocateCreate(ctx, svc, dryrun.IsDryRun(options.DryRun))
	if err != nil {
		return nil, err
	}
	return finish(txn), nil
}

func (r *REST) beginUpdate(ctx context.Context, obj, oldObj runtime.Object, options *metav1.UpdateOptions) (genericregistry.FinishFunc, error) {
	svc, old := obj.(*corev1.Service), oldObj.(*corev1.Service)
	patchAllocatedValues(svc, old)
	normalizeClusterIPs(svc, old)
	txn, err := r.alloc.allocateUpdate(ctx, svc, old, dryrun.IsDryRun(options.DryRun))
	if err != nil {
		return nil, err
	}
	return finish(txn), nil
}

func finish(txn *transaction) genericregistry.FinishFunc {
	return func(_ context.Context, success bool) {
		if success {
			txn.Commit()
		} else {
			txn.Revert()
		}
	}
}

func (r *REST) afterDelete(obj runtime.Object, options *metav1.DeleteOptions) {
	if !dryrun.IsDryRun(options.DryRun) {
		r.alloc.releaseAllocatedResources(obj.(*corev1.Service))
	}
}

// normalizeClusterIPs keeps clusterIPs in step with clusterIP for clients that only know the
// singular field.
func normalizeClusterIPs(svc, old *corev1.Service) {
	if old == nil {
		if len(svc.Spec.ClusterIP) > 0 && len(svc.Spec.ClusterIPs) == 0 {
			svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
		}
		return
	}
	// An old client patching something else sent clusterIP but no clusterIPs.
	if len(old.Spec.ClusterIPs) > 0 && len(svc.Spec.ClusterIPs) == 0 && old.Spec.ClusterIP == svc.Spec.ClusterIP {
		svc.Spec.ClusterIPs = old.Spec.ClusterIPs
	}
	if old.Spec.ClusterIP != svc.Spec.ClusterIP {
		same := sameStrings(old.Spec.ClusterIPs, svc.Spec.ClusterIPs)
		if len(old.Spec.ClusterIP) > 0 && len(svc.Spec.ClusterIP) == 0 {
			if same {
				svc.Spec.ClusterIPs = nil
			}
		} else if same {
			svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
		}
	}
}

// patchAllocatedValues fills in what the server allocated and the client left out, so that
// re-applying the original manifest works.
func patchAllocatedValues(svc, old *corev1.Service) {
	if needsClusterIP(old) && needsClusterIP(svc) {
		if svc.Spec.ClusterIP == "" {
			svc.Spec.ClusterIP = old.Spec.ClusterIP
		}
		if len(svc.Spec.ClusterIPs) == 0 && len(old.Spec.ClusterIPs) > 0 {
			svc.Spec.ClusterIPs = old.Spec.ClusterIPs
		}
	}
	if needsNodePort(old) && needsNodePort(svc) {
		used := sets.New(collectNodePorts(old)...).Intersection(sets.New(collectNodePorts(svc)...))
		byName := map[string]int32{}
		for _, p := range old.Spec.Ports {
			byName[p.Name] = p.NodePort
		}
		for i := range svc.Spec.Ports {
			if p := &svc.Spec.Ports[i]; p.NodePort == 0 {
				if oldVal := byName[p.Name]; !used.Has(int(oldVal)) {
					p.NodePort = oldVal
				}
			}
		}
	}
	if needsHealthCheck(old) && needsHealthCheck(svc) && svc.Spec.HealthCheckNodePort == 0 {
		svc.Spec.HealthCheckNodePort = old.Spec.HealthCheckNodePort
	}
}

// Table renders services as kubectl get does.
var Table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		table.Column("Type", corev1.ServiceSpec{}.SwaggerDoc()["type"], 0),
		table.Column("Cluster-IP", corev1.ServiceSpec{}.SwaggerDoc()["clusterIP"], 0),
		table.Column("External-IP", corev1.ServiceSpec{}.SwaggerDoc()["externalIPs"], 0),
		table.Column("Port(s)", corev1.ServiceSpec{}.SwaggerDoc()["ports"], 0),
		registry.AgeColumn,
		table.Column("Selector", corev1.ServiceSpec{}.SwaggerDoc()["selector"], 1),
	},
	Row: func(obj runtime.Object) ([]any, error) {
		svc := obj.(*corev1.Service)
		clusterIP := "<none>"
		if len(svc.Spec.ClusterIPs) > 0 {
			clusterIP = svc.Spec.ClusterIPs[0]
		}
		ports := portsString(svc.Spec.Ports)
		if ports == "" {
			ports = "<none>"
		}
		return []any{string(svc.Spec.Type), clusterIP, externalIP(svc), ports, registry.AgeOf(svc), labels.FormatLabels(svc.Spec.Selector)}, nil
	},
}

func portsString(ports []corev1.ServicePort) string {
	pieces := make([]string, len(ports))
	for i, p := range ports {
		if p.NodePort > 0 {
			pieces[i] = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol)
		} else {
			pieces[i] = fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		}
	}
	return strings.Join(pieces, ",")
}

func externalIP(svc *corev1.Service) string {
	switch svc.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort:
		if len(svc.Spec.ExternalIPs) > 0 {
			return strings.Join(svc.Spec.ExternalIPs, ",")
		}
		return "<none>"
	case corev1.ServiceTypeLoadBalancer:
		ingress := sets.New[string]()
		for _, in := range svc.Status.LoadBalancer.Ingress {
			if in.IP != "" {
				ingress.Insert(in.IP)
			} else if in.Hostname != "" {
				ingress.Insert(in.Hostname)
			}
		}
		results := sets.List(ingress)
		results = append(results, svc.Spec.ExternalIPs...)
		if len(results) > 0 {
			return strings.Join(results, ",")
		}
		return "<pending>"
	case corev1.ServiceTypeExternalName:
		return svc.Spec.ExternalName
	}
	return "<unknown>"
}
