package integration

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/test/integration/framework"
)

// coreInvalid fails unless err is a 422 with a cause of type causeType at fieldPath (any type
// when causeType is empty) whose message contains msg.
func coreInvalid(t *testing.T, err error, fieldPath string, causeType metav1.CauseType, msg string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("want 422 Invalid at %s, got %v", fieldPath, err)
	}
	status := err.(apierrors.APIStatus).Status()
	for _, c := range status.Details.Causes {
		if c.Field == fieldPath && (causeType == "" || c.Type == causeType) && strings.Contains(c.Message, msg) {
			return
		}
	}
	t.Fatalf("no %s cause at %s containing %q in %+v", causeType, fieldPath, msg, status.Details.Causes)
}

// coreTableColumns lists the column names of a Table GET of resource in ns ("" for cluster).
func coreTableColumns(t *testing.T, client kubernetes.Interface, ns, resource, name string) ([]string, []any) {
	t.Helper()
	table := &metav1.Table{}
	req := client.CoreV1().RESTClient().Get().Resource(resource).Name(name).
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	if ns != "" {
		req = req.Namespace(ns)
	}
	if err := req.Do(context.Background()).Into(table); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range table.ColumnDefinitions {
		names = append(names, c.Name)
	}
	if len(table.Rows) != 1 {
		t.Fatalf("rows = %v", table.Rows)
	}
	return names, table.Rows[0].Cells
}

func coreService(name string, mutate ...func(*corev1.Service)) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": name},
			Ports:    []corev1.ServicePort{{Port: 80}},
		},
	}
	for _, m := range mutate {
		m(svc)
	}
	return svc
}

func TestCoreNamespaceLifecycle(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t)
	namespaces := client.CoreV1().Namespaces()

	ns, err := namespaces.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "core-ns-"},
		Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ns.Status.Phase != corev1.NamespaceActive || len(ns.Spec.Finalizers) != 1 || ns.Spec.Finalizers[0] != corev1.FinalizerKubernetes {
		t.Fatalf("created namespace: phase %q finalizers %v", ns.Status.Phase, ns.Spec.Finalizers)
	}
	if ns.Labels[corev1.LabelMetadataName] != ns.Name {
		t.Errorf("labels = %v", ns.Labels)
	}

	// Field selector on status.phase; unknown fields are rejected.
	list, err := namespaces.List(ctx, metav1.ListOptions{FieldSelector: "status.phase=Active,metadata.name=" + ns.Name})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("field selector: %v %v", list, err)
	}
	if _, err := namespaces.List(ctx, metav1.ListOptions{FieldSelector: "spec.nothing=x"}); !apierrors.IsBadRequest(err) {
		t.Errorf("unknown field selector: %v", err)
	}

	// The main resource ignores status and spec.finalizers; /status ignores spec.
	ns.Status.Phase = corev1.NamespaceTerminating
	ns.Spec.Finalizers = nil
	ns, err = namespaces.Update(ctx, ns, metav1.UpdateOptions{})
	if err != nil || ns.Status.Phase != corev1.NamespaceActive || len(ns.Spec.Finalizers) != 1 {
		t.Fatalf("update ignoring status: %v %v", ns, err)
	}
	ns.Status.Phase = corev1.NamespaceTerminating
	if _, err := namespaces.UpdateStatus(ctx, ns, metav1.UpdateOptions{}); err == nil {
		t.Fatal("status Terminating without deletionTimestamp accepted")
	} else {
		coreInvalid(t, err, "status.Phase", metav1.CauseTypeFieldValueInvalid, "may only be 'Active'")
	}

	// Invalid names are 422 on metadata.name.
	_, err = namespaces.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "Bad_Name"}}, metav1.CreateOptions{})
	coreInvalid(t, err, "metadata.name", metav1.CauseTypeFieldValueInvalid, "")

	// Table columns.
	cols, cells := coreTableColumns(t, client, "", "namespaces", ns.Name)
	if strings.Join(cols, ",") != "Name,Status,Age" || cells[1] != "Active" {
		t.Errorf("table %v %v", cols, cells)
	}

	// Delete: the namespace stays, Terminating, until spec.finalizers is emptied via /finalize.
	if err := namespaces.Delete(ctx, ns.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	ns, err = namespaces.Get(ctx, ns.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ns.Status.Phase != corev1.NamespaceTerminating || ns.DeletionTimestamp == nil {
		t.Fatalf("after delete: phase %q deletionTimestamp %v", ns.Status.Phase, ns.DeletionTimestamp)
	}
	// A second delete is a no-op while finalizers remain.
	if err := namespaces.Delete(ctx, ns.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	ns.Spec.Finalizers = nil
	if _, err := namespaces.Finalize(ctx, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := namespaces.Get(ctx, ns.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatalf("namespace not removed after finalize: %v", err)
	}
}

func TestCoreSystemNamespacesAndKubernetesService(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t)
	// Wired as a post-start hook by the server; skip until it is.
	if _, err := client.CoreV1().Namespaces().Get(ctx, "kube-node-lease", metav1.GetOptions{}); apierrors.IsNotFound(err) {
		t.Skip("bootstrap not wired into the server yet")
	}
	for _, name := range []string{"default", "kube-system", "kube-public", "kube-node-lease"} {
		if _, err := client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{}); err != nil {
			t.Errorf("namespace %s: %v", name, err)
		}
	}
	svc, err := client.CoreV1().Services("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Spec.ClusterIP != "10.96.0.1" || svc.Spec.Ports[0].Port != 443 || svc.Spec.Ports[0].Name != "https" {
		t.Errorf("kubernetes service: %+v", svc.Spec)
	}
}

func TestCoreServiceAllocation(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	services := client.CoreV1().Services(ns)
	_, serviceCIDR, _ := net.ParseCIDR("10.96.0.0/12")

	// Defaults and a dynamically allocated ClusterIP.
	web, err := services.Create(ctx, coreService("web"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ip := net.ParseIP(web.Spec.ClusterIP)
	if ip == nil || !serviceCIDR.Contains(ip) || len(web.Spec.ClusterIPs) != 1 || web.Spec.ClusterIPs[0] != web.Spec.ClusterIP {
		t.Fatalf("clusterIP %q clusterIPs %v", web.Spec.ClusterIP, web.Spec.ClusterIPs)
	}
	spec := web.Spec
	if spec.Type != corev1.ServiceTypeClusterIP || spec.SessionAffinity != corev1.ServiceAffinityNone ||
		spec.Ports[0].Protocol != corev1.ProtocolTCP || spec.Ports[0].TargetPort != intstr.FromInt32(80) ||
		spec.IPFamilyPolicy == nil || *spec.IPFamilyPolicy != corev1.IPFamilyPolicySingleStack ||
		len(spec.IPFamilies) != 1 || spec.IPFamilies[0] != corev1.IPv4Protocol ||
		spec.InternalTrafficPolicy == nil || *spec.InternalTrafficPolicy != corev1.ServiceInternalTrafficPolicyCluster {
		t.Errorf("defaults: %+v", spec)
	}
	// The allocation shows as an IPAddress object, as upstream's allocator keeps them.
	if ipa, err := client.NetworkingV1().IPAddresses().Get(ctx, web.Spec.ClusterIP, metav1.GetOptions{}); err == nil {
		if ipa.Spec.ParentRef == nil || ipa.Spec.ParentRef.Name != "web" || ipa.Spec.ParentRef.Namespace != ns {
			t.Errorf("IPAddress parentRef %+v", ipa.Spec.ParentRef)
		}
	} else if !apierrors.IsNotFound(err) {
		t.Logf("IPAddresses not served: %v", err)
	}

	// A requested ClusterIP is honoured once; a second claim is 422.
	fixed, err := services.Create(ctx, coreService("fixed", func(s *corev1.Service) { s.Spec.ClusterIP = "10.96.100.100" }), metav1.CreateOptions{})
	if err != nil || fixed.Spec.ClusterIP != "10.96.100.100" {
		t.Fatalf("requested clusterIP: %v %v", fixed, err)
	}
	_, err = services.Create(ctx, coreService("dup", func(s *corev1.Service) { s.Spec.ClusterIP = "10.96.100.100" }), metav1.CreateOptions{})
	coreInvalid(t, err, "spec.clusterIPs", metav1.CauseTypeFieldValueInvalid, "provided IP is already allocated")
	_, err = services.Create(ctx, coreService("outside", func(s *corev1.Service) { s.Spec.ClusterIP = "192.168.0.10" }), metav1.CreateOptions{})
	coreInvalid(t, err, "spec.clusterIPs", metav1.CauseTypeFieldValueInvalid, "failed to allocate IP 192.168.0.10")

	// Deleting releases the IP: it can be requested again.
	if err := services.Delete(ctx, "fixed", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	again, err := services.Create(ctx, coreService("again", func(s *corev1.Service) { s.Spec.ClusterIP = "10.96.100.100" }), metav1.CreateOptions{})
	if err != nil || again.Spec.ClusterIP != "10.96.100.100" {
		t.Fatalf("released IP not reusable: %v", err)
	}

	// Headless and ExternalName services get no IP.
	headless, err := services.Create(ctx, coreService("headless", func(s *corev1.Service) { s.Spec.ClusterIP = corev1.ClusterIPNone }), metav1.CreateOptions{})
	if err != nil || headless.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Fatalf("headless: %v %v", headless, err)
	}
	ext, err := services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "ext"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "example.com"}}, metav1.CreateOptions{})
	if err != nil || ext.Spec.ClusterIP != "" || ext.Spec.IPFamilyPolicy != nil || ext.Spec.InternalTrafficPolicy != nil {
		t.Fatalf("external name: %+v %v", ext, err)
	}

	// NodePorts: allocated from 30000-32767; a requested one is honoured once.
	np, err := services.Create(ctx, coreService("np", func(s *corev1.Service) { s.Spec.Type = corev1.ServiceTypeNodePort }), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := np.Spec.Ports[0].NodePort; p < 30000 || p > 32767 || np.Spec.ExternalTrafficPolicy != corev1.ServiceExternalTrafficPolicyCluster {
		t.Fatalf("nodePort %d, externalTrafficPolicy %q", p, np.Spec.ExternalTrafficPolicy)
	}
	_, err = services.Create(ctx, coreService("np2", func(s *corev1.Service) {
		s.Spec.Type = corev1.ServiceTypeNodePort
		s.Spec.Ports[0].NodePort = np.Spec.Ports[0].NodePort
	}), metav1.CreateOptions{})
	coreInvalid(t, err, "spec.ports[0].nodePort", metav1.CauseTypeFieldValueInvalid, "provided port is already allocated")
	_, err = services.Create(ctx, coreService("np3", func(s *corev1.Service) {
		s.Spec.Type = corev1.ServiceTypeNodePort
		s.Spec.Ports[0].NodePort = 1000
	}), metav1.CreateOptions{})
	coreInvalid(t, err, "spec.ports[0].nodePort", metav1.CauseTypeFieldValueInvalid, "The range of valid ports is 30000-32767")

	// Changing the type back to ClusterIP releases the node port.
	np.Spec.Type = corev1.ServiceTypeClusterIP
	np.Spec.ExternalTrafficPolicy = ""
	np, err = services.Update(ctx, np, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	port := 0
	np2, err := services.Create(ctx, coreService("np4", func(s *corev1.Service) { s.Spec.Type = corev1.ServiceTypeNodePort }), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	port = int(np2.Spec.Ports[0].NodePort)
	if err := services.Delete(ctx, "np4", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	np5, err := services.Create(ctx, coreService("np5", func(s *corev1.Service) {
		s.Spec.Type = corev1.ServiceTypeNodePort
		s.Spec.Ports[0].NodePort = int32(port)
	}), metav1.CreateOptions{})
	if err != nil || int(np5.Spec.Ports[0].NodePort) != port {
		t.Fatalf("released node port %d not reusable: %v", port, err)
	}

	// Re-submitting a manifest without the allocated values keeps them (patchAllocatedValues).
	resubmit := coreService("web")
	resubmit.ResourceVersion = web.ResourceVersion
	updated, err := services.Update(ctx, resubmit, metav1.UpdateOptions{})
	if err != nil || updated.Spec.ClusterIP != web.Spec.ClusterIP {
		t.Fatalf("resubmitted service: %v %v", updated, err)
	}
	// clusterIP is immutable.
	updated.Spec.ClusterIP, updated.Spec.ClusterIPs = "10.96.7.7", []string{"10.96.7.7"}
	_, err = services.Update(ctx, updated, metav1.UpdateOptions{})
	coreInvalid(t, err, "spec.clusterIPs[0]", metav1.CauseTypeFieldValueInvalid, "may not change once set")
}

func TestCoreServiceConcurrentAllocation(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	services := testServer.Client(t).CoreV1().Services(ns)
	const n = 200
	ips := make([]string, n)
	ports := make([]int32, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc, err := services.Create(ctx, coreService(fmt.Sprintf("svc-%d", i), func(s *corev1.Service) {
				if i%4 == 0 {
					s.Spec.Type = corev1.ServiceTypeNodePort
				}
			}), metav1.CreateOptions{})
			if err != nil {
				errs[i] = err
				return
			}
			ips[i], ports[i] = svc.Spec.ClusterIP, svc.Spec.Ports[0].NodePort
		}()
	}
	wg.Wait()
	seenIPs, seenPorts := map[string]int{}, map[int32]int{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		if j, dup := seenIPs[ips[i]]; dup {
			t.Fatalf("services %d and %d both got %s", i, j, ips[i])
		}
		seenIPs[ips[i]] = i
		if ports[i] != 0 {
			if j, dup := seenPorts[ports[i]]; dup {
				t.Fatalf("services %d and %d both got node port %d", i, j, ports[i])
			}
			seenPorts[ports[i]] = i
		}
	}
	if len(seenIPs) != n || len(seenPorts) != n/4 {
		t.Fatalf("%d distinct IPs, %d distinct node ports", len(seenIPs), len(seenPorts))
	}
}

func TestCoreServiceAPI(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	services := client.CoreV1().Services(ns)

	lb, err := services.Create(ctx, coreService("lb", func(s *corev1.Service) {
		s.Spec.Type = corev1.ServiceTypeLoadBalancer
		s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "1.2.3.4"}}
	}), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lb.Status.LoadBalancer.Ingress) != 0 || lb.Spec.AllocateLoadBalancerNodePorts == nil || !*lb.Spec.AllocateLoadBalancerNodePorts {
		t.Fatalf("LB create kept status or missed defaults: %+v", lb)
	}
	// /status writes status only.
	lb.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "1.2.3.4"}}
	lb.Spec.Ports[0].Port = 8080
	lb, err = services.UpdateStatus(ctx, lb, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if lb.Spec.Ports[0].Port != 80 || len(lb.Status.LoadBalancer.Ingress) != 1 || lb.Status.LoadBalancer.Ingress[0].IPMode == nil {
		t.Fatalf("status update: %+v", lb)
	}
	cols, cells := coreTableColumns(t, client, ns, "services", "lb")
	if strings.Join(cols, ",") != "Name,Type,Cluster-IP,External-IP,Port(s),Age,Selector" {
		t.Errorf("columns %v", cols)
	}
	if cells[1] != "LoadBalancer" || cells[3] != "1.2.3.4" || !strings.HasPrefix(cells[4].(string), "80:3") || cells[6] != "app=lb" {
		t.Errorf("cells %v", cells)
	}

	// Field selectors.
	list, err := services.List(ctx, metav1.ListOptions{FieldSelector: "spec.type=LoadBalancer"})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("spec.type selector: %v", err)
	}
	list, err = services.List(ctx, metav1.ListOptions{FieldSelector: "spec.clusterIP=" + lb.Spec.ClusterIP})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("spec.clusterIP selector: %v", err)
	}

	// 409 on a stale update.
	stale := lb.DeepCopy()
	lb.Labels = map[string]string{"a": "b"}
	if _, err := services.Update(ctx, lb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	stale.Labels = map[string]string{"c": "d"}
	if _, err := services.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("stale update: %v", err)
	}

	// 422s with upstream's field paths.
	cases := []struct {
		name  string
		svc   *corev1.Service
		field string
		typ   metav1.CauseType
	}{
		{"no ports", coreService("a", func(s *corev1.Service) { s.Spec.Ports = nil }), "spec.ports", metav1.CauseTypeFieldValueRequired},
		{"bad type", coreService("b", func(s *corev1.Service) { s.Spec.Type = "Bogus" }), "spec.type", metav1.CauseTypeFieldValueNotSupported},
		{"nodePort on ClusterIP", coreService("c", func(s *corev1.Service) { s.Spec.Ports[0].NodePort = 30001 }), "spec.ports[0].nodePort", metav1.CauseTypeForbidden},
		{"bad port", coreService("d", func(s *corev1.Service) { s.Spec.Ports[0].Port = 70000 }), "spec.ports[0].port", metav1.CauseTypeFieldValueInvalid},
		{"unnamed ports", coreService("e", func(s *corev1.Service) { s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "x", Port: 81}) }), "spec.ports[0].name", metav1.CauseTypeFieldValueRequired},
		{"external name missing", &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "f"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName}}, "spec.externalName", metav1.CauseTypeFieldValueRequired},
		{"bad clusterIP", coreService("g", func(s *corev1.Service) { s.Spec.ClusterIP = "10.96.0.300" }), "spec.clusterIPs[0]", metav1.CauseTypeFieldValueInvalid},
		{"ipv6 family", coreService("h", func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol} }), "spec.ipFamilies[0]", metav1.CauseTypeFieldValueInvalid},
		{"dual stack required", coreService("i", func(s *corev1.Service) { s.Spec.IPFamilyPolicy = ptr.To(corev1.IPFamilyPolicyRequireDualStack) }), "spec.ipFamilyPolicy", metav1.CauseTypeFieldValueInvalid},
		{"uppercase name", coreService("Upper"), "metadata.name", metav1.CauseTypeFieldValueInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := services.Create(ctx, tc.svc, metav1.CreateOptions{})
			coreInvalid(t, err, tc.field, tc.typ, "")
		})
	}

	// Services can be created with PUT.
	put := coreService("put")
	put.Namespace = ns
	result := &corev1.Service{}
	err = client.CoreV1().RESTClient().Put().Namespace(ns).Resource("services").Name("put").Body(put).Do(ctx).Into(result)
	if err != nil || result.Spec.ClusterIP == "" {
		t.Fatalf("create by PUT: %v %v", result, err)
	}
}

func TestCoreSecretsAndServiceAccounts(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	secrets := client.CoreV1().Secrets(ns)

	s, err := secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "plain"},
		Data: map[string][]byte{"a": []byte("1")}, StringData: map[string]string{"b": "2", "a": "3"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != corev1.SecretTypeOpaque || string(s.Data["a"]) != "3" || string(s.Data["b"]) != "2" || s.StringData != nil {
		t.Fatalf("secret: type %q data %v stringData %v", s.Type, s.Data, s.StringData)
	}
	_, err = secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "tls"}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{"tls.key": []byte("k")}}, metav1.CreateOptions{})
	coreInvalid(t, err, "data[tls.crt]", metav1.CauseTypeFieldValueRequired, "")
	_, err = secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "docker"}, Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{".dockerconfigjson": []byte("{")}}, metav1.CreateOptions{})
	coreInvalid(t, err, "data[.dockerconfigjson]", metav1.CauseTypeFieldValueInvalid, "")
	if _, err := secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "auth"}, Type: corev1.SecretTypeBasicAuth,
		StringData: map[string]string{"username": "u"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	list, err := secrets.List(ctx, metav1.ListOptions{FieldSelector: "type=" + string(corev1.SecretTypeBasicAuth)})
	if err != nil || len(list.Items) != 1 || list.Items[0].Name != "auth" {
		t.Fatalf("type selector: %v %v", list, err)
	}
	// The type is immutable.
	s.Type = corev1.SecretTypeBasicAuth
	_, err = secrets.Update(ctx, s, metav1.UpdateOptions{})
	coreInvalid(t, err, "type", metav1.CauseTypeFieldValueInvalid, "field is immutable")
	cols, cells := coreTableColumns(t, client, ns, "secrets", "plain")
	if strings.Join(cols, ",") != "Name,Type,Data,Age" || cells[1] != "Opaque" || fmt.Sprint(cells[2]) != "2" {
		t.Errorf("table %v %v", cols, cells)
	}

	sas := client.CoreV1().ServiceAccounts(ns)
	sa, err := sas.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"},
		Secrets: []corev1.ObjectReference{{Name: "plain", Namespace: "elsewhere", Kind: "Secret"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sa.Secrets[0] != (corev1.ObjectReference{Name: "plain"}) {
		t.Errorf("secret references not cleaned: %+v", sa.Secrets)
	}
	cols, _ = coreTableColumns(t, client, ns, "serviceaccounts", "robot")
	if strings.Join(cols, ",") != "Name,Age" {
		t.Errorf("sa columns %v", cols)
	}
}

func TestCoreNodes(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t)
	nodes := client.CoreV1().Nodes()
	name := "core-node-" + strings.ToLower(string(types.UID(fmt.Sprint(time.Now().UnixNano()))))
	node, err := nodes.Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"node-role.kubernetes.io/control-plane": ""}},
		Spec:       corev1.NodeSpec{PodCIDR: "10.244.0.0/24"},
		Status: corev1.NodeStatus{
			Capacity:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
			Addresses:  []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "192.0.2.10"}},
			NodeInfo:   corev1.NodeSystemInfo{KubeletVersion: "v1.37.2", OSImage: "Linux", KernelVersion: "6.1", Architecture: "amd64", ContainerRuntimeVersion: "containerd://2.0"},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nodes.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	// Status is kept on create (kubelets register with it); allocatable defaults to capacity.
	if len(node.Status.Conditions) != 1 || node.Status.Allocatable.Cpu().String() != "4" {
		t.Fatalf("node status: %+v", node.Status)
	}
	if len(node.Spec.PodCIDRs) != 1 || node.Spec.PodCIDRs[0] != "10.244.0.0/24" {
		t.Errorf("podCIDRs %v", node.Spec.PodCIDRs)
	}
	cols, cells := coreTableColumns(t, client, "", "nodes", name)
	if strings.Join(cols, ",") != "Name,Status,Roles,Age,Version,Internal-IP,External-IP,OS-Image,Kernel-Version,Container-Runtime" {
		t.Errorf("columns %v", cols)
	}
	if cells[1] != "Ready" || cells[2] != "control-plane" || cells[4] != "v1.37.2" || cells[5] != "192.0.2.10" || cells[8] != "6.1 (amd64)" {
		t.Errorf("cells %v", cells)
	}

	// The main resource ignores status; /status ignores spec.
	node.Spec.Unschedulable = true
	node.Status.Conditions = nil
	node, err = nodes.Update(ctx, node, metav1.UpdateOptions{})
	if err != nil || !node.Spec.Unschedulable || len(node.Status.Conditions) != 1 {
		t.Fatalf("update: %v %v", node, err)
	}
	node.Spec.Unschedulable = false
	node.Status.Conditions[0].Status = corev1.ConditionFalse
	node, err = nodes.UpdateStatus(ctx, node, metav1.UpdateOptions{})
	if err != nil || !node.Spec.Unschedulable || node.Status.Conditions[0].Status != corev1.ConditionFalse {
		t.Fatalf("status update: %v %v", node, err)
	}
	list, err := nodes.List(ctx, metav1.ListOptions{FieldSelector: "spec.unschedulable=true,metadata.name=" + name})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("spec.unschedulable selector: %v %v", list, err)
	}
	// podCIDRs are fixed once set.
	node.Spec.PodCIDR, node.Spec.PodCIDRs = "10.244.1.0/24", nil
	_, err = nodes.Update(ctx, node, metav1.UpdateOptions{})
	coreInvalid(t, err, "spec.podCIDRs", metav1.CauseTypeForbidden, "")
	_, err = nodes.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name + "-bad"},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "k", Effect: "Sometimes"}}}}, metav1.CreateOptions{})
	coreInvalid(t, err, "metadata.taints[0].effect", metav1.CauseTypeFieldValueNotSupported, "")
}

func TestCoreEventsAndEndpoints(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	events := client.CoreV1().Events(ns)
	for i, reason := range []string{"Pulled", "Failed"} {
		_, err := events.Create(ctx, &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: fmt.Sprintf("ev-%d", i)},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: fmt.Sprintf("pod-%d", i)},
			Reason:         reason, Message: "something", Type: corev1.EventTypeNormal,
			Source: corev1.EventSource{Component: "kubelet"},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, selector := range []string{"involvedObject.name=pod-1", "reason=Failed", "involvedObject.kind=Pod,reason=Failed", "source=kubelet,type=Normal,reason=Failed"} {
		list, err := events.List(ctx, metav1.ListOptions{FieldSelector: selector})
		if err != nil || len(list.Items) != 1 || list.Items[0].Name != "ev-1" {
			t.Errorf("selector %s: %v %v", selector, list, err)
		}
	}
	_, err := events.Create(ctx, &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "mismatch"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "other"}}, metav1.CreateOptions{})
	coreInvalid(t, err, "involvedObject.namespace", metav1.CauseTypeFieldValueInvalid, "does not match event.namespace")
	cols, cells := coreTableColumns(t, client, ns, "events", "ev-0")
	if strings.Join(cols, ",") != "Last Seen,Type,Reason,Object,Subobject,Source,Message,First Seen,Count,Name" || cells[3] != "pod/pod-0" || cells[9] != "ev-0" {
		t.Errorf("event table %v %v", cols, cells)
	}

	eps := client.CoreV1().Endpoints(ns) //nolint:staticcheck // testing the v1 Endpoints API
	ep, err := eps.Create(ctx, &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "10.1.2.3"}}, Ports: []corev1.EndpointPort{{Port: 8080}}}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ep.Subsets[0].Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("endpoint port protocol not defaulted")
	}
	cols, cells = coreTableColumns(t, client, ns, "endpoints", "web")
	if strings.Join(cols, ",") != "Name,Endpoints,Age" || cells[1] != "10.1.2.3:8080" {
		t.Errorf("endpoints table %v %v", cols, cells)
	}
	_, err = eps.Create(ctx, &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Name: "loop"},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "127.0.0.1"}}}}}, metav1.CreateOptions{})
	coreInvalid(t, err, "subsets[0].addresses[0].ip", metav1.CauseTypeFieldValueInvalid, "loopback")
}

func TestCoreLimitRangesAndQuotas(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	lr, err := client.CoreV1().LimitRanges(ns).Create(ctx, &corev1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: "limits"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type: corev1.LimitTypeContainer, Max: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")},
			Min: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
		}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	item := lr.Spec.Limits[0]
	if item.Default.Cpu().String() != "2" || item.DefaultRequest.Cpu().String() != "2" || item.DefaultRequest.Memory().String() != "64Mi" {
		t.Errorf("limit range defaults: %+v", item)
	}
	_, err = client.CoreV1().LimitRanges(ns).Create(ctx, &corev1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: "bad"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypePod,
			Min: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")},
			Max: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
		}}},
	}, metav1.CreateOptions{})
	coreInvalid(t, err, "spec.limits[0].min[cpu]", metav1.CauseTypeFieldValueInvalid, "min value 2 is greater than max value 1")

	quotas := client.CoreV1().ResourceQuotas(ns)
	q, err := quotas.Create(ctx, &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "quota"},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("10")}},
		Status:     corev1.ResourceQuotaStatus{Used: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("3")}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Status.Used) != 0 {
		t.Errorf("status kept on create: %+v", q.Status)
	}
	q.Status = corev1.ResourceQuotaStatus{Hard: q.Spec.Hard, Used: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("3")}}
	q.Spec.Hard = corev1.ResourceList{corev1.ResourcePods: resource.MustParse("20")}
	q, err = quotas.UpdateStatus(ctx, q, metav1.UpdateOptions{})
	if err != nil || q.Spec.Hard.Pods().String() != "10" || q.Status.Used.Pods().String() != "3" {
		t.Fatalf("status update: %v %v", q, err)
	}
	cols, cells := coreTableColumns(t, client, ns, "resourcequotas", "quota")
	if strings.Join(cols, ",") != "Name,Request,Limit,Age" || cells[1] != "pods: 3/10" {
		t.Errorf("quota table %v %v", cols, cells)
	}
	_, err = quotas.Create(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "bad"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"foo": resource.MustParse("1")}}}, metav1.CreateOptions{})
	coreInvalid(t, err, "spec.hard[foo]", metav1.CauseTypeFieldValueInvalid, "must be a standard resource")
}

func TestCorePersistentVolumes(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	pvs := client.CoreV1().PersistentVolumes()
	name := ns + "-pv"
	pv, err := pvs.Create(ctx, &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data"}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pvs.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	if pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimRetain || pv.Status.Phase != corev1.VolumePending ||
		pv.Spec.VolumeMode == nil || *pv.Spec.VolumeMode != corev1.PersistentVolumeFilesystem || pv.Status.LastPhaseTransitionTime == nil {
		t.Errorf("pv defaults: %+v", pv)
	}
	pv.Status.Phase = corev1.VolumeAvailable
	if pv, err = pvs.UpdateStatus(ctx, pv, metav1.UpdateOptions{}); err != nil || pv.Status.Phase != corev1.VolumeAvailable {
		t.Fatalf("pv status: %v %v", pv, err)
	}
	pv.Spec.HostPath.Path = "/other"
	_, err = pvs.Update(ctx, pv, metav1.UpdateOptions{})
	coreInvalid(t, err, "spec.persistentvolumesource", metav1.CauseTypeForbidden, "immutable")
	_, err = pvs.Create(ctx, &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: name + "-x"},
		Spec: corev1.PersistentVolumeSpec{Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}}}, metav1.CreateOptions{})
	coreInvalid(t, err, "spec", metav1.CauseTypeFieldValueRequired, "must specify a volume type")
	cols, cells := coreTableColumns(t, client, "", "persistentvolumes", name)
	if strings.Join(cols, ",") != "Name,Capacity,Access Modes,Reclaim Policy,Status,Claim,StorageClass,VolumeAttributesClass,Reason,Age,VolumeMode" ||
		cells[1] != "1Gi" || cells[2] != "RWO" || cells[4] != "Available" {
		t.Errorf("pv table %v %v", cols, cells)
	}

	pvcs := client.CoreV1().PersistentVolumeClaims(ns)
	pvc, err := pvcs.Create(ctx, &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pvc.Status.Phase != corev1.ClaimPending || pvc.Spec.VolumeMode == nil {
		t.Errorf("pvc defaults: %+v", pvc)
	}
	// An unbound claim keeps its size; once bound, growing the request is allowed and other
	// spec changes are not.
	pvc.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("2Gi")
	_, err = pvcs.Update(ctx, pvc, metav1.UpdateOptions{})
	coreInvalid(t, err, "spec", metav1.CauseTypeForbidden, "spec is immutable after creation")
	pvc.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("1Gi")
	pvc.Status.Phase = corev1.ClaimBound
	if pvc, err = pvcs.UpdateStatus(ctx, pvc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pvc.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("2Gi")
	if pvc, err = pvcs.Update(ctx, pvc, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("growing the claim: %v", err)
	}
	pvc.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
	_, err = pvcs.Update(ctx, pvc, metav1.UpdateOptions{})
	coreInvalid(t, err, "spec", metav1.CauseTypeForbidden, "spec is immutable after creation")
	_, err = pvcs.Create(ctx, &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "nosize"},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}}}, metav1.CreateOptions{})
	coreInvalid(t, err, "spec.resources[storage]", metav1.CauseTypeFieldValueRequired, "")
}

// Two apiservers on one etcd allocate without duplicates, and allocations survive a restart.
func TestCoreAllocationAcrossServersAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	useEtcd, stopEtcd, err := framework.ExternalEtcd(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer stopEtcd()
	first, err := framework.Start(ctx, dir, useEtcd)
	if err != nil {
		t.Fatal(err)
	}
	second, err := framework.Start(ctx, dir, useEtcd)
	if err != nil {
		first.Stop()
		t.Fatal(err)
	}
	clients := []kubernetes.Interface{kubernetes.NewForConfigOrDie(first.ClientConfig), kubernetes.NewForConfigOrDie(second.ClientConfig)}
	ns, err := clients[0].CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "core-ha-"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	ips, ports, errs := make([]string, n), make([]int32, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc, err := clients[i%2].CoreV1().Services(ns.Name).Create(ctx, coreService(fmt.Sprintf("s-%d", i), func(s *corev1.Service) {
				s.Spec.Type = corev1.ServiceTypeNodePort
			}), metav1.CreateOptions{})
			if err != nil {
				errs[i] = err
				return
			}
			ips[i], ports[i] = svc.Spec.ClusterIP, svc.Spec.Ports[0].NodePort
		}()
	}
	wg.Wait()
	first.Stop()
	second.Stop()
	seenIPs, seenPorts := map[string]bool{}, map[int32]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		if seenIPs[ips[i]] || seenPorts[ports[i]] {
			t.Fatalf("duplicate allocation %s/%d", ips[i], ports[i])
		}
		seenIPs[ips[i]], seenPorts[ports[i]] = true, true
	}

	// A restarted server knows what is taken.
	third, err := framework.Start(ctx, dir, useEtcd)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Stop()
	services := kubernetes.NewForConfigOrDie(third.ClientConfig).CoreV1().Services(ns.Name)
	_, err = services.Create(ctx, coreService("taken-ip", func(s *corev1.Service) { s.Spec.ClusterIP = ips[0] }), metav1.CreateOptions{})
	coreInvalid(t, err, "spec.clusterIPs", metav1.CauseTypeFieldValueInvalid, "provided IP is already allocated")
	_, err = services.Create(ctx, coreService("taken-port", func(s *corev1.Service) {
		s.Spec.Type = corev1.ServiceTypeNodePort
		s.Spec.Ports[0].NodePort = ports[1]
	}), metav1.CreateOptions{})
	coreInvalid(t, err, "spec.ports[0].nodePort", metav1.CauseTypeFieldValueInvalid, "provided port is already allocated")
	if err := services.Delete(ctx, "s-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := services.Create(ctx, coreService("reuse", func(s *corev1.Service) { s.Spec.ClusterIP = ips[0] }), metav1.CreateOptions{}); err != nil {
		t.Fatalf("released IP after restart: %v", err)
	}
}

func TestCoreDiscovery(t *testing.T) {
	list, err := testServer.Client(t).Discovery().ServerResourcesForGroupVersion("v1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]metav1.APIResource{}
	for _, r := range list.APIResources {
		got[r.Name] = r
	}
	want := []struct {
		name       string
		namespaced bool
		short      string
		verbs      string
	}{
		{"namespaces", false, "ns", "create,delete,get,list,patch,update,watch"},
		{"namespaces/finalize", false, "", "update"},
		{"namespaces/status", false, "", "get,patch,update"},
		{"services", true, "svc", "create,delete,deletecollection,get,list,patch,update,watch"},
		{"services/status", true, "", "get,patch,update"},
		{"endpoints", true, "ep", "create,delete,deletecollection,get,list,patch,update,watch"},
		{"secrets", true, "", "create,delete,deletecollection,get,list,patch,update,watch"},
		{"serviceaccounts", true, "sa", ""},
		{"nodes", false, "no", "create,delete,deletecollection,get,list,patch,update,watch"},
		{"nodes/status", false, "", "get,patch,update"},
		{"events", true, "ev", ""},
		{"limitranges", true, "limits", ""},
		{"resourcequotas", true, "quota", ""},
		{"resourcequotas/status", true, "", "get,patch,update"},
		{"persistentvolumes", false, "pv", ""},
		{"persistentvolumes/status", false, "", "get,patch,update"},
		{"persistentvolumeclaims", true, "pvc", ""},
		{"persistentvolumeclaims/status", true, "", "get,patch,update"},
	}
	for _, w := range want {
		r, ok := got[w.name]
		if !ok {
			t.Errorf("%s not served", w.name)
			continue
		}
		if r.Namespaced != w.namespaced || strings.Join(r.ShortNames, ",") != w.short {
			t.Errorf("%s: namespaced %v short names %v", w.name, r.Namespaced, r.ShortNames)
		}
		verbs := append([]string(nil), r.Verbs...)
		sort.Strings(verbs)
		if w.verbs != "" && strings.Join(verbs, ",") != w.verbs {
			t.Errorf("%s: verbs %v, want %s", w.name, verbs, w.verbs)
		}
	}
	if svc := got["services"]; strings.Join(svc.Categories, ",") != "all" {
		t.Errorf("services categories %v", svc.Categories)
	}
}
