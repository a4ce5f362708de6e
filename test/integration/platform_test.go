package integration

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/scheduling/priorityclass"
)

// platformCase is one resource of the platform groups: a valid object to run through its
// lifecycle and an invalid one with the field the 422 must name.
type platformCase struct {
	gvr          schema.GroupVersionResource
	namespaced   bool
	valid        func(name string) runtime.Object
	invalid      func(name string) runtime.Object
	invalidField string
}

func platformCases() []platformCase {
	pathPrefix := networkingv1.PathTypePrefix
	return []platformCase{
		{
			gvr: networkingv1.SchemeGroupVersion.WithResource("ingresses"), namespaced: true,
			valid: func(name string) runtime.Object {
				return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.IngressSpec{
					Rules: []networkingv1.IngressRule{{Host: "*.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
						Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &pathPrefix, Backend: networkingv1.IngressBackend{
							Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}},
						}}},
					}}}},
				}}
			},
			invalid: func(name string) runtime.Object {
				return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.IngressSpec{
					Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
						Paths: []networkingv1.HTTPIngressPath{{Path: "/", Backend: networkingv1.IngressBackend{
							Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}},
						}}},
					}}}},
				}}
			},
			invalidField: "spec.rules[0].http.paths[0].pathType",
		},
		{
			gvr: networkingv1.SchemeGroupVersion.WithResource("ingressclasses"),
			valid: func(name string) runtime.Object {
				return &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.IngressClassSpec{Controller: "example.com/ingress"}}
			},
			invalid: func(name string) runtime.Object {
				return &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.IngressClassSpec{Controller: "nginx"}}
			},
			invalidField: "spec.controller",
		},
		{
			gvr: networkingv1.SchemeGroupVersion.WithResource("networkpolicies"), namespaced: true,
			valid: func(name string) runtime.Object {
				return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.NetworkPolicySpec{
					Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8"}}}}},
				}}
			},
			invalid: func(name string) runtime.Object {
				return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.NetworkPolicySpec{
					Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"11.0.0.0/16"}}}}}},
				}}
			},
			invalidField: "spec.ingress[0].from[0].ipBlock.except[0]",
		},
		{
			gvr: rbacv1.SchemeGroupVersion.WithResource("roles"), namespaced: true,
			valid: func(name string) runtime.Object {
				return &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}}}
			},
			invalid: func(name string) runtime.Object {
				return &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}}}
			},
			invalidField: "rules[0].nonResourceURLs",
		},
		{
			gvr: rbacv1.SchemeGroupVersion.WithResource("clusterroles"),
			valid: func(name string) runtime.Object {
				return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}}}
			},
			invalid: func(name string) runtime.Object {
				return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}}}}
			},
			invalidField: "rules[0].verbs",
		},
		{
			gvr: rbacv1.SchemeGroupVersion.WithResource("rolebindings"), namespaced: true,
			valid: func(name string) runtime.Object {
				return &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"},
					Subjects: []rbacv1.Subject{{Kind: "User", Name: "alice"}}}
			},
			invalid: func(name string) runtime.Object {
				return &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: rbacv1.RoleRef{Kind: "Deployment", Name: "view"}}
			},
			invalidField: "roleRef.kind",
		},
		{
			gvr: rbacv1.SchemeGroupVersion.WithResource("clusterrolebindings"),
			valid: func(name string) runtime.Object {
				return &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"},
					Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "sa", Namespace: "default"}}}
			},
			invalid: func(name string) runtime.Object {
				return &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"},
					Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "sa"}}}
			},
			invalidField: "subjects[0].namespace",
		},
		{
			gvr: storagev1.SchemeGroupVersion.WithResource("storageclasses"),
			valid: func(name string) runtime.Object {
				return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Provisioner: "csi.example.com", Parameters: map[string]string{"type": "ssd"}}
			},
			invalid: func(name string) runtime.Object {
				return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}}
			},
			invalidField: "provisioner",
		},
		{
			gvr: storagev1.SchemeGroupVersion.WithResource("csidrivers"),
			valid: func(name string) runtime.Object {
				return &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: name + ".example.com"}}
			},
			invalid: func(name string) runtime.Object {
				return &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: storagev1.CSIDriverSpec{FSGroupPolicy: ptr.To(storagev1.FSGroupPolicy("Some"))}}
			},
			invalidField: "spec.fsGroupPolicy",
		},
		{
			gvr: storagev1.SchemeGroupVersion.WithResource("csinodes"),
			valid: func(name string) runtime.Object {
				return &storagev1.CSINode{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: storagev1.CSINodeSpec{Drivers: []storagev1.CSINodeDriver{{Name: "csi.example.com", NodeID: name}}}}
			},
			invalid: func(name string) runtime.Object {
				return &storagev1.CSINode{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: storagev1.CSINodeSpec{Drivers: []storagev1.CSINodeDriver{{Name: "csi.example.com"}}}}
			},
			invalidField: "spec.drivers[0].nodeID",
		},
		{
			gvr: storagev1.SchemeGroupVersion.WithResource("volumeattachments"),
			valid: func(name string) runtime.Object {
				return &storagev1.VolumeAttachment{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: storagev1.VolumeAttachmentSpec{
					Attacher: "csi.example.com", NodeName: "node-1", Source: storagev1.VolumeAttachmentSource{PersistentVolumeName: ptr.To("pv-1")},
				}}
			},
			invalid: func(name string) runtime.Object {
				return &storagev1.VolumeAttachment{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: storagev1.VolumeAttachmentSpec{Attacher: "csi.example.com", NodeName: "node-1"}}
			},
			invalidField: "spec.source",
		},
		{
			gvr: storagev1.SchemeGroupVersion.WithResource("volumeattributesclasses"),
			valid: func(name string) runtime.Object {
				return &storagev1.VolumeAttributesClass{ObjectMeta: metav1.ObjectMeta{Name: name}, DriverName: "csi.example.com", Parameters: map[string]string{"iops": "100"}}
			},
			invalid: func(name string) runtime.Object {
				return &storagev1.VolumeAttributesClass{ObjectMeta: metav1.ObjectMeta{Name: name}, DriverName: "csi.example.com"}
			},
			invalidField: "parameters",
		},
		{
			gvr: storagev1.SchemeGroupVersion.WithResource("csistoragecapacities"), namespaced: true,
			valid: func(name string) runtime.Object {
				return &storagev1.CSIStorageCapacity{ObjectMeta: metav1.ObjectMeta{Name: name}, StorageClassName: "fast"}
			},
			invalid: func(name string) runtime.Object {
				return &storagev1.CSIStorageCapacity{ObjectMeta: metav1.ObjectMeta{Name: name}, StorageClassName: "Fast!"}
			},
			invalidField: "storageClassName",
		},
		{
			gvr: coordinationv1.SchemeGroupVersion.WithResource("leases"), namespaced: true,
			valid: func(name string) runtime.Object {
				return &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To("me"), LeaseDurationSeconds: ptr.To[int32](15)}}
			},
			invalid: func(name string) runtime.Object {
				return &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: coordinationv1.LeaseSpec{LeaseDurationSeconds: ptr.To[int32](0)}}
			},
			invalidField: "spec.leaseDurationSeconds",
		},
		{
			gvr: discoveryv1.SchemeGroupVersion.WithResource("endpointslices"), namespaced: true,
			valid: func(name string) runtime.Object {
				return &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
					AddressType: discoveryv1.AddressTypeIPv4,
					Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"10.0.0.1"}}},
					Ports:       []discoveryv1.EndpointPort{{Port: ptr.To[int32](80)}}}
			},
			invalid: func(name string) runtime.Object {
				return &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: name}, AddressType: discoveryv1.AddressTypeIPv4,
					Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"fd00::1"}}}}
			},
			invalidField: "endpoints[0].addresses",
		},
		{
			gvr: nodev1.SchemeGroupVersion.WithResource("runtimeclasses"),
			valid: func(name string) runtime.Object {
				return &nodev1.RuntimeClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Handler: "runsc"}
			},
			invalid: func(name string) runtime.Object {
				return &nodev1.RuntimeClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Handler: "run.sc"}
			},
			invalidField: "handler",
		},
		{
			gvr: schedulingv1.SchemeGroupVersion.WithResource("priorityclasses"),
			valid: func(name string) runtime.Object {
				return &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Value: 1000}
			},
			invalid: func(name string) runtime.Object {
				return &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Value: 1000000001}
			},
			invalidField: "value",
		},
	}
}

// platformUnstructured converts a typed object to the unstructured form the dynamic client sends.
func platformUnstructured(t *testing.T, obj runtime.Object, gvr schema.GroupVersionResource) *unstructured.Unstructured {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: m}
	kind := map[string]string{
		"ingresses": "Ingress", "ingressclasses": "IngressClass", "networkpolicies": "NetworkPolicy",
		"roles": "Role", "clusterroles": "ClusterRole", "rolebindings": "RoleBinding", "clusterrolebindings": "ClusterRoleBinding",
		"storageclasses": "StorageClass", "csidrivers": "CSIDriver", "csinodes": "CSINode", "volumeattachments": "VolumeAttachment",
		"volumeattributesclasses": "VolumeAttributesClass", "csistoragecapacities": "CSIStorageCapacity",
		"leases": "Lease", "endpointslices": "EndpointSlice", "runtimeclasses": "RuntimeClass", "priorityclasses": "PriorityClass",
	}[gvr.Resource]
	u.SetGroupVersionKind(gvr.GroupVersion().WithKind(kind))
	return u
}

// platformRequireInvalid asserts a 422 whose causes name field.
func platformRequireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("got %v, want 422 Invalid", err)
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Details != nil {
		for _, c := range status.Status().Details.Causes {
			if c.Field == field {
				return
			}
		}
	}
	t.Fatalf("no cause for field %q in %v", field, err)
}

func TestPlatformCRUD(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	dyn := testServer.Dynamic(t)
	for _, tc := range platformCases() {
		t.Run(tc.gvr.Resource, func(t *testing.T) {
			var res dynamic.ResourceInterface = dyn.Resource(tc.gvr)
			if tc.namespaced {
				res = dyn.Resource(tc.gvr).Namespace(ns)
			}

			name := "platform-" + utilrand.String(6)
			created, err := res.Create(ctx, platformUnstructured(t, tc.valid(name), tc.gvr), metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			name = created.GetName()
			if created.GetUID() == "" || created.GetResourceVersion() == "" {
				t.Errorf("server-set metadata missing: %v", created.Object["metadata"])
			}
			if _, err := res.Get(ctx, name, metav1.GetOptions{}); err != nil {
				t.Fatalf("get: %v", err)
			}

			list, err := res.List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			if len(list.Items) != 1 || list.Items[0].GetName() != name {
				t.Fatalf("field selector list returned %d items", len(list.Items))
			}
			if _, err := res.List(ctx, metav1.ListOptions{FieldSelector: "spec.nothing=x"}); !apierrors.IsBadRequest(err) {
				t.Errorf("unknown field selector: got %v, want 400", err)
			}

			w, err := res.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name, ResourceVersion: list.GetResourceVersion()})
			if err != nil {
				t.Fatalf("watch: %v", err)
			}
			defer w.Stop()
			patched, err := res.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"labels":{"patched":"yes"}}}`), metav1.PatchOptions{})
			if err != nil {
				t.Fatalf("patch: %v", err)
			}
			if patched.GetLabels()["patched"] != "yes" {
				t.Errorf("patch did not apply: %v", patched.GetLabels())
			}
			platformExpectEvent(t, w, watch.Modified, name)

			// An update from a stale resourceVersion conflicts.
			stale := created.DeepCopy()
			stale.SetAnnotations(map[string]string{"stale": "yes"})
			if _, err := res.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
				t.Errorf("stale update: got %v, want 409 Conflict", err)
			}
			patched.SetAnnotations(map[string]string{"updated": "yes"})
			if _, err := res.Update(ctx, patched, metav1.UpdateOptions{}); err != nil {
				t.Errorf("update: %v", err)
			}

			_, err = res.Create(ctx, platformUnstructured(t, tc.invalid("platform-bad-"+utilrand.String(6)), tc.gvr), metav1.CreateOptions{})
			platformRequireInvalid(t, err, tc.invalidField)

			if err := res.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
				t.Fatalf("delete: %v", err)
			}
			// A protection finalizer (vac-protection) holds the object until its controller
			// releases it; release it as that controller would.
			if _, err := res.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{}); err != nil && !apierrors.IsNotFound(err) {
				t.Fatalf("removing finalizers: %v", err)
			}
			if _, err := res.Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Fatalf("after delete: got %v, want 404", err)
			}
		})
	}
}

func platformExpectEvent(t *testing.T, w watch.Interface, typ watch.EventType, name string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatal("watch closed")
			}
			if u, isU := ev.Object.(*unstructured.Unstructured); isU && ev.Type == typ && u.GetName() == name {
				return
			}
		case <-timeout:
			t.Fatalf("no %s event for %s", typ, name)
		}
	}
}

func TestPlatformDefaults(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	c := testServer.Client(t)
	suffix := utilrand.String(6)

	np, err := c.NetworkingV1().NetworkPolicies(ns).Create(ctx, &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "np"},
		Spec: networkingv1.NetworkPolicySpec{Egress: []networkingv1.NetworkPolicyEgressRule{{
			Ports: []networkingv1.NetworkPolicyPort{{Port: ptr.To(intstr.FromInt32(53))}},
		}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(np.Spec.PolicyTypes) != 2 || np.Spec.PolicyTypes[1] != networkingv1.PolicyTypeEgress || *np.Spec.Egress[0].Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("network policy defaults: %+v", np.Spec)
	}
	if np.Generation != 1 {
		t.Errorf("network policy generation = %d", np.Generation)
	}

	sc, err := c.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "sc-" + suffix}, Provisioner: "csi.example.com"}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.StorageV1().StorageClasses().Delete(ctx, sc.Name, metav1.DeleteOptions{})
	if *sc.ReclaimPolicy != corev1.PersistentVolumeReclaimDelete || *sc.VolumeBindingMode != storagev1.VolumeBindingImmediate {
		t.Errorf("storage class defaults: %v %v", *sc.ReclaimPolicy, *sc.VolumeBindingMode)
	}

	d, err := c.StorageV1().CSIDrivers().Create(ctx, &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: "d-" + suffix + ".example.com"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.StorageV1().CSIDrivers().Delete(ctx, d.Name, metav1.DeleteOptions{})
	s := d.Spec
	if !*s.AttachRequired || *s.PodInfoOnMount || *s.StorageCapacity || *s.RequiresRepublish || *s.SELinuxMount ||
		*s.FSGroupPolicy != storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy || len(s.VolumeLifecycleModes) != 1 || s.VolumeLifecycleModes[0] != storagev1.VolumeLifecyclePersistent {
		t.Errorf("csi driver defaults: %+v", s)
	}

	pc, err := c.SchedulingV1().PriorityClasses().Create(ctx, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "pc-" + suffix}, Value: 10}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.SchedulingV1().PriorityClasses().Delete(ctx, pc.Name, metav1.DeleteOptions{})
	if pc.PreemptionPolicy == nil || *pc.PreemptionPolicy != corev1.PreemptLowerPriority {
		t.Errorf("priority class preemptionPolicy = %v", pc.PreemptionPolicy)
	}

	rb, err := c.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "rb"}, RoleRef: rbacv1.RoleRef{Kind: "Role", Name: "r"},
		Subjects: []rbacv1.Subject{{Kind: "Group", Name: "devs"}, {Kind: "ServiceAccount", Name: "sa"}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rb.RoleRef.APIGroup != rbacv1.GroupName || rb.Subjects[0].APIGroup != rbacv1.GroupName || rb.Subjects[1].APIGroup != "" {
		t.Errorf("role binding defaults: %+v %+v", rb.RoleRef, rb.Subjects)
	}

	eps, err := c.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Name: "eps"}, AddressType: discoveryv1.AddressTypeIPv4,
		Ports: []discoveryv1.EndpointPort{{Port: ptr.To[int32](80)}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *eps.Ports[0].Name != "" || *eps.Ports[0].Protocol != corev1.ProtocolTCP || eps.Generation != 1 {
		t.Errorf("endpoint slice defaults: %+v, generation %d", eps.Ports[0], eps.Generation)
	}
}

func TestPlatformStatusSubresources(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	c := testServer.Client(t)

	t.Run("ingresses", func(t *testing.T) {
		ings := c.NetworkingV1().Ingresses(ns)
		ing, err := ings.Create(ctx, &networkingv1.Ingress{
			ObjectMeta: metav1.ObjectMeta{Name: "ing"},
			Spec: networkingv1.IngressSpec{DefaultBackend: &networkingv1.IngressBackend{
				Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}},
			}},
			Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: []networkingv1.IngressLoadBalancerIngress{{IP: "1.2.3.4"}}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ing.Status.LoadBalancer.Ingress) != 0 || ing.Generation != 1 {
			t.Fatalf("create must drop status and set generation 1: %+v", ing)
		}
		ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "1.2.3.4"}}
		ing.Spec.IngressClassName = ptr.To("ignored")
		got, err := ings.UpdateStatus(ctx, ing, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Status.LoadBalancer.Ingress) != 1 || got.Spec.IngressClassName != nil || got.Generation != 1 {
			t.Fatalf("status update must take status only: %+v", got)
		}
		got.Status.LoadBalancer.Ingress[0].IP = "1.2.3"
		_, err = ings.UpdateStatus(ctx, got, metav1.UpdateOptions{})
		platformRequireInvalid(t, err, "status.loadBalancer.ingress[0].ip")

		got.Status = networkingv1.IngressStatus{}
		got.Spec.IngressClassName = ptr.To("nginx")
		upd, err := ings.Update(ctx, got, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(upd.Status.LoadBalancer.Ingress) != 1 || upd.Generation != 2 {
			t.Fatalf("main update must keep status and bump generation: %+v", upd)
		}
	})

	t.Run("volumeattachments", func(t *testing.T) {
		vas := c.StorageV1().VolumeAttachments()
		va, err := vas.Create(ctx, &storagev1.VolumeAttachment{
			ObjectMeta: metav1.ObjectMeta{Name: "va-" + utilrand.String(6)},
			Spec:       storagev1.VolumeAttachmentSpec{Attacher: "csi.example.com", NodeName: "node-1", Source: storagev1.VolumeAttachmentSource{PersistentVolumeName: ptr.To("pv")}},
			Status:     storagev1.VolumeAttachmentStatus{Attached: true},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer vas.Delete(ctx, va.Name, metav1.DeleteOptions{})
		if va.Status.Attached {
			t.Fatal("create must drop status")
		}
		va.Status.Attached = true
		va.Spec.NodeName = "ignored"
		got, err := vas.UpdateStatus(ctx, va, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Status.Attached || got.Spec.NodeName != "node-1" {
			t.Fatalf("status update must take status only: %+v", got)
		}
		got.Spec.NodeName = "node-2"
		_, err = vas.Update(ctx, got, metav1.UpdateOptions{})
		platformRequireInvalid(t, err, "spec")
	})

	t.Run("csinodes", func(t *testing.T) {
		nodes := c.StorageV1().CSINodes()
		n, err := nodes.Create(ctx, &storagev1.CSINode{ObjectMeta: metav1.ObjectMeta{Name: "node-" + utilrand.String(6)}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer nodes.Delete(ctx, n.Name, metav1.DeleteOptions{})
		n.Labels = map[string]string{"ignored": "yes"}
		n.Spec.Drivers = []storagev1.CSINodeDriver{{Name: "csi.example.com", NodeID: "x"}}
		got, err := c.StorageV1().RESTClient().Put().Resource("csinodes").Name(n.Name).SubResource("status").Body(n).Do(ctx).Get()
		if err != nil {
			t.Fatal(err)
		}
		if cn := got.(*storagev1.CSINode); len(cn.Spec.Drivers) != 0 || cn.Labels["ignored"] != "" {
			t.Fatalf("status update must not change spec or labels: %+v", cn)
		}
	})
}

func TestPlatformImmutableFields(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	c := testServer.Client(t)
	suffix := utilrand.String(6)

	cases := []struct {
		name  string
		field string
		run   func() error
	}{
		{"ingressclass controller", "spec.controller", func() error {
			ic, err := c.NetworkingV1().IngressClasses().Create(ctx, &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "ic-" + suffix}, Spec: networkingv1.IngressClassSpec{Controller: "example.com/a"}}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			defer c.NetworkingV1().IngressClasses().Delete(ctx, ic.Name, metav1.DeleteOptions{})
			ic.Spec.Controller = "example.com/b"
			_, err = c.NetworkingV1().IngressClasses().Update(ctx, ic, metav1.UpdateOptions{})
			return err
		}},
		{"rolebinding roleRef", "roleRef", func() error {
			rb, err := c.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "rb"}, RoleRef: rbacv1.RoleRef{Kind: "Role", Name: "a"}}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			rb.RoleRef.Name = "b"
			_, err = c.RbacV1().RoleBindings(ns).Update(ctx, rb, metav1.UpdateOptions{})
			return err
		}},
		{"clusterrolebinding roleRef", "roleRef", func() error {
			crb, err := c.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "crb-" + suffix}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "a"}}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			defer c.RbacV1().ClusterRoleBindings().Delete(ctx, crb.Name, metav1.DeleteOptions{})
			_, err = c.RbacV1().ClusterRoleBindings().Patch(ctx, crb.Name, types.MergePatchType, []byte(`{"roleRef":{"name":"b"}}`), metav1.PatchOptions{})
			return err
		}},
		{"storageclass parameters", "parameters", func() error {
			sc, err := c.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "sc-" + suffix}, Provisioner: "csi.example.com", Parameters: map[string]string{"a": "1"}}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			defer c.StorageV1().StorageClasses().Delete(ctx, sc.Name, metav1.DeleteOptions{})
			if _, err := c.StorageV1().StorageClasses().Patch(ctx, sc.Name, types.MergePatchType, []byte(`{"allowVolumeExpansion":true}`), metav1.PatchOptions{}); err != nil {
				return err
			}
			_, err = c.StorageV1().StorageClasses().Patch(ctx, sc.Name, types.MergePatchType, []byte(`{"parameters":{"a":"2"}}`), metav1.PatchOptions{})
			return err
		}},
		{"storageclass reclaimPolicy", "reclaimPolicy", func() error {
			sc, err := c.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "sc2-" + suffix}, Provisioner: "csi.example.com"}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			defer c.StorageV1().StorageClasses().Delete(ctx, sc.Name, metav1.DeleteOptions{})
			_, err = c.StorageV1().StorageClasses().Patch(ctx, sc.Name, types.MergePatchType, []byte(`{"reclaimPolicy":"Retain"}`), metav1.PatchOptions{})
			return err
		}},
		{"csidriver attachRequired", "spec.attachedRequired", func() error {
			d, err := c.StorageV1().CSIDrivers().Create(ctx, &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: "imm-" + suffix + ".example.com"}}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			defer c.StorageV1().CSIDrivers().Delete(ctx, d.Name, metav1.DeleteOptions{})
			d.Spec.AttachRequired = ptr.To(false)
			_, err = c.StorageV1().CSIDrivers().Update(ctx, d, metav1.UpdateOptions{})
			return err
		}},
		{"endpointslice addressType", "addressType", func() error {
			eps, err := c.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: "eps"}, AddressType: discoveryv1.AddressTypeIPv4}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			eps.AddressType = discoveryv1.AddressTypeIPv6
			_, err = c.DiscoveryV1().EndpointSlices(ns).Update(ctx, eps, metav1.UpdateOptions{})
			return err
		}},
		{"runtimeclass handler", "handler", func() error {
			rc, err := c.NodeV1().RuntimeClasses().Create(ctx, &nodev1.RuntimeClass{ObjectMeta: metav1.ObjectMeta{Name: "rc-" + suffix}, Handler: "runc"}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			defer c.NodeV1().RuntimeClasses().Delete(ctx, rc.Name, metav1.DeleteOptions{})
			rc.Handler = "runsc"
			_, err = c.NodeV1().RuntimeClasses().Update(ctx, rc, metav1.UpdateOptions{})
			return err
		}},
		{"priorityclass value", "value", func() error {
			pc, err := c.SchedulingV1().PriorityClasses().Create(ctx, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "imm-" + suffix}, Value: 5}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			defer c.SchedulingV1().PriorityClasses().Delete(ctx, pc.Name, metav1.DeleteOptions{})
			pc.Value = 6
			_, err = c.SchedulingV1().PriorityClasses().Update(ctx, pc, metav1.UpdateOptions{})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			platformRequireInvalid(t, tc.run(), tc.field)
		})
	}
}

func TestPlatformPriorityClasses(t *testing.T) {
	ctx := context.Background()
	c := testServer.Client(t)
	pcs := c.SchedulingV1().PriorityClasses()

	// The bootstrap function creates the system classes and may run again.
	for i := 0; i < 2; i++ {
		if err := priorityclass.EnsureSystemPriorityClasses(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for name, value := range map[string]int32{"system-cluster-critical": 2000000000, "system-node-critical": 2000001000} {
		pc, err := pcs.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if pc.Value != value || pc.PreemptionPolicy == nil || *pc.PreemptionPolicy != corev1.PreemptLowerPriority {
			t.Errorf("%s: value %d, preemptionPolicy %v", name, pc.Value, pc.PreemptionPolicy)
		}
		if err := pcs.Delete(ctx, name, metav1.DeleteOptions{}); !apierrors.IsForbidden(err) {
			t.Errorf("deleting %s: got %v, want 403", name, err)
		}
	}
	_, err := pcs.Create(ctx, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "system-mine"}, Value: 1}, metav1.CreateOptions{})
	platformRequireInvalid(t, err, "metadata.name")

	suffix := utilrand.String(6)
	def, err := pcs.Create(ctx, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "default-" + suffix}, Value: 100, GlobalDefault: true}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pcs.Delete(ctx, def.Name, metav1.DeleteOptions{}) })
	def.Description = "still the default"
	if _, err := pcs.Update(ctx, def, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("updating the default class: %v", err)
	}
	if _, err := pcs.Create(ctx, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "second-" + suffix}, Value: 200, GlobalDefault: true}, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("second default: got %v, want 403", err)
	}
	other, err := pcs.Create(ctx, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "other-" + suffix}, Value: 200}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pcs.Delete(ctx, other.Name, metav1.DeleteOptions{}) })
	if _, err := pcs.Patch(ctx, other.Name, types.MergePatchType, []byte(`{"globalDefault":true}`), metav1.PatchOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("making a second default: got %v, want 403", err)
	}
}

// platformTable fetches a server-side Table as kubectl does.
func platformTable(t *testing.T, c kubernetes.Interface, absPath string) *metav1.Table {
	t.Helper()
	body, err := c.Discovery().RESTClient().Get().AbsPath(absPath).
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").DoRaw(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tbl := &metav1.Table{}
	if err := json.Unmarshal(body, tbl); err != nil {
		t.Fatal(err)
	}
	return tbl
}

func TestPlatformTables(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	c := testServer.Client(t)
	suffix := utilrand.String(6)

	sc, err := c.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{
		ObjectMeta:  metav1.ObjectMeta{Name: "table-" + suffix, Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}},
		Provisioner: "csi.example.com",
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.StorageV1().StorageClasses().Delete(ctx, sc.Name, metav1.DeleteOptions{})
	if _, err := c.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "rb"}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"},
		Subjects: []rbacv1.Subject{{Kind: "User", Name: "alice"}, {Kind: "ServiceAccount", Name: "sa", Namespace: ns}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoordinationV1().Leases(ns).Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "l"}, Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To("me")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		path    string
		columns []string
		row     func(*metav1.Table) (int, []any)
	}{
		{"/apis/storage.k8s.io/v1/storageclasses", []string{"Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"}, func(tbl *metav1.Table) (int, []any) {
			for i, r := range tbl.Rows {
				if r.Cells[0] == sc.Name+" (default)" {
					return i, []any{sc.Name + " (default)", "csi.example.com", "Delete", "Immediate", false}
				}
			}
			return -1, nil
		}},
		{"/apis/rbac.authorization.k8s.io/v1/namespaces/" + ns + "/rolebindings", []string{"Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"}, func(*metav1.Table) (int, []any) {
			return 0, []any{"rb", "ClusterRole/view", nil, "alice", "", ns + "/sa"}
		}},
		{"/apis/coordination.k8s.io/v1/namespaces/" + ns + "/leases", []string{"Name", "Holder", "Age"}, func(*metav1.Table) (int, []any) {
			return 0, []any{"l", "me"}
		}},
		{"/apis/rbac.authorization.k8s.io/v1/clusterroles", []string{"Name", "Created At"}, nil},
		{"/apis/scheduling.k8s.io/v1/priorityclasses", []string{"Name", "Value", "Global-Default", "Age", "PreemptionPolicy"}, nil},
		{"/apis/discovery.k8s.io/v1/namespaces/" + ns + "/endpointslices", []string{"Name", "AddressType", "Ports", "Endpoints", "Age"}, nil},
		{"/apis/networking.k8s.io/v1/namespaces/" + ns + "/ingresses", []string{"Name", "Class", "Hosts", "Address", "Ports", "Age"}, nil},
		{"/apis/networking.k8s.io/v1/namespaces/" + ns + "/networkpolicies", []string{"Name", "Pod-Selector", "Age"}, nil},
		{"/apis/storage.k8s.io/v1/volumeattachments", []string{"Name", "Attacher", "PV", "Node", "Attached", "Age"}, nil},
		{"/apis/storage.k8s.io/v1/csidrivers", []string{"Name", "AttachRequired", "PodInfoOnMount", "StorageCapacity", "TokenRequests", "RequiresRepublish", "Modes", "Age"}, nil},
		{"/apis/node.k8s.io/v1/runtimeclasses", []string{"Name", "Handler", "Age"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			tbl := platformTable(t, c, tc.path)
			if len(tbl.ColumnDefinitions) != len(tc.columns) {
				t.Fatalf("columns = %+v", tbl.ColumnDefinitions)
			}
			for i, col := range tc.columns {
				if tbl.ColumnDefinitions[i].Name != col {
					t.Errorf("column %d = %s, want %s", i, tbl.ColumnDefinitions[i].Name, col)
				}
			}
			if tc.row == nil {
				return
			}
			i, want := tc.row(tbl)
			if i < 0 || i >= len(tbl.Rows) {
				t.Fatalf("row not found in %+v", tbl.Rows)
			}
			for j, w := range want {
				if w != nil && tbl.Rows[i].Cells[j] != w {
					t.Errorf("cell %d = %v, want %v", j, tbl.Rows[i].Cells[j], w)
				}
			}
		})
	}
}

// The lease and rbac stores create on PUT, as upstream does.
func TestPlatformCreateOnUpdate(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	c := testServer.Client(t)
	if _, err := c.CoordinationV1().Leases(ns).Update(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "put", Namespace: ns}}, metav1.UpdateOptions{}); err != nil {
		t.Errorf("lease PUT: %v", err)
	}
	if _, err := c.RbacV1().Roles(ns).Update(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "put", Namespace: ns}}, metav1.UpdateOptions{}); err != nil {
		t.Errorf("role PUT: %v", err)
	}
	if _, err := c.NetworkingV1().NetworkPolicies(ns).Update(ctx, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "put", Namespace: ns}}, metav1.UpdateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("network policy PUT: got %v, want 404", err)
	}
	// A Lease update must carry a resourceVersion.
	l, err := c.CoordinationV1().Leases(ns).Get(ctx, "put", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l.ResourceVersion = ""
	_, err = c.CoordinationV1().Leases(ns).Update(ctx, l, metav1.UpdateOptions{})
	platformRequireInvalid(t, err, "metadata.resourceVersion")
}
