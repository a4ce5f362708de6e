package runtime

import (
	"strings"
	"testing"
)

// TestClusterDNS resolves a Service's name from a pod: the pod's resolv.conf, the Service proxy
// (kube-dns's ClusterIP to the node's DNS server) and the DNS server.
func TestClusterDNS(t *testing.T) {
	e := setup(t)
	if ip := strings.TrimSpace(e.k.Run(e.ctx, "", "-n", "kube-system", "get", "service", "kube-dns", "-o", "jsonpath={.spec.clusterIP}").Stdout); ip != "10.96.0.10" {
		t.Fatalf("kube-dns ClusterIP %q, want 10.96.0.10", ip)
	}
	e.apply(busyboxPod("resolver", "Never",
		"for i in $(seq 30); do nslookup kubernetes.default.svc.cluster.local && exit 0; sleep 1; done; exit 1"))
	e.waitPhase("resolver", "Succeeded")
}

// TestLoadBalancer serves HTTP from one pod through a LoadBalancer Service and fetches it from
// another pod through the address the local provider gave the Service.
func TestLoadBalancer(t *testing.T) {
	e := setup(t)
	e.apply(busyboxPod("web", "Always", "mkdir -p /www && echo skiff-lb-ok > /www/index.html && exec httpd -f -p 8080 -h /www"))
	e.apply(`apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`)
	var lb string
	e.waitFor("a load balancer address", podTimeout, func() (bool, error) {
		lb = strings.TrimSpace(e.kubectl("get", "service", "web", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").Stdout)
		return lb != "", nil
	})
	if !strings.HasPrefix(lb, "172.18.255.") {
		t.Errorf("load balancer address %s is not from the default pool", lb)
	}
	e.waitPhase("web", "Running")
	e.apply(busyboxPod("client", "Never",
		"for i in $(seq 30); do wget -q -O - http://"+lb+"/ | grep -q skiff-lb-ok && exit 0; sleep 1; done; exit 1"))
	e.waitPhase("client", "Succeeded")
}
