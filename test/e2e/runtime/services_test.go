package runtime

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// serviceCIDR is the cluster's default Service range.
const serviceCIDR = "10.96.0.0/12"

// serviceTimeout bounds the wait for a Service to answer through a path once its pods run
// (the proxy's rules, the DNS records and the endpoints follow the API a moment later).
const serviceTimeout = time.Minute

// webDeployment is a Deployment of replicas busybox httpd pods labelled app=name, each serving
// its own name (its hostname) on port 8080.
func webDeployment(name string, replicas int) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s}
spec:
  replicas: %[2]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: %[3]s
        imagePullPolicy: Never
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080}]
`, name, replicas, busyboxImage)
}

// TestServiceClusterIPAndNodePort serves a page naming the pod from a Deployment of two httpd
// pods behind a ClusterIP and a NodePort Service, and fetches it from a pod through the
// ClusterIP, the Service's DNS names and nodeIP:nodePort, and from the node itself through
// the ClusterIP and nodeIP:nodePort.
func TestServiceClusterIPAndNodePort(t *testing.T) {
	e := setup(t)
	e.servesSubresource("exec")
	e.apply(webDeployment("web", 2))
	e.apply(`apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-nodeport}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`)
	e.apply(busyboxPod("client", "Never", "sleep 3600"))

	var backends []string
	e.waitFor("two available web pods", podTimeout, func() (bool, error) {
		if e.kubectl("get", "deployment", "web", "-o", "jsonpath={.status.availableReplicas}").Stdout != "2" {
			return false, nil
		}
		out := e.kubectl("get", "pods", "-l", "app=web", "--field-selector=status.phase=Running", "-o",
			`jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}`).Stdout
		backends = strings.Fields(out)
		return len(backends) == 2, nil
	})
	clusterIP := strings.TrimSpace(e.must("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}"))
	if ip, err := netip.ParseAddr(clusterIP); err != nil || !netip.MustParsePrefix(serviceCIDR).Contains(ip) {
		t.Fatalf("ClusterIP %q is not in the default service range 10.96.0.0/12", clusterIP)
	}
	nodePort := strings.TrimSpace(e.must("get", "service", "web-nodeport", "-o", "jsonpath={.spec.ports[0].nodePort}"))
	var port int
	if _, err := fmt.Sscan(nodePort, &port); err != nil || port < 30000 || port > 32767 {
		t.Fatalf("nodePort %q is not in the default range 30000-32767", nodePort)
	}
	e.waitPhase("client", "Running")

	// fromPod fetches url from the client pod (busybox wget has no timeout of its own).
	fromPod := func(url string) (string, error) {
		r := e.kubectl("exec", "client", "--", "timeout", "5", "wget", "-q", "-O", "-", url)
		if !r.OK() {
			return "", fmt.Errorf("%s", r)
		}
		return strings.TrimSpace(r.Stdout), nil
	}
	targets := []struct {
		from, url string
		get       func(string) (string, error)
	}{
		{"a pod", "http://" + clusterIP + "/", fromPod},
		{"a pod", "http://web/", fromPod},
		{"a pod", "http://web." + e.ns + "/", fromPod},
		{"a pod", "http://web." + e.ns + ".svc.cluster.local/", fromPod},
		{"a pod", "http://" + net.JoinHostPort(nodeIP, nodePort) + "/", fromPod},
		{"the node", "http://" + clusterIP + "/", hostGet},
		{"the node", "http://" + net.JoinHostPort(nodeIP, nodePort) + "/", hostGet},
	}
	for _, tg := range targets {
		// Every path reaches both pods: the Service balances over its endpoints.
		seen := map[string]bool{}
		var last error
		err := wait.PollUntilContextTimeout(e.ctx, 250*time.Millisecond, serviceTimeout, true, func(context.Context) (bool, error) {
			page, err := tg.get(tg.url)
			if last = err; err != nil {
				return false, nil
			}
			if !slices.Contains(backends, page) {
				return false, fmt.Errorf("answered %q, not one of the pods %v", page, backends)
			}
			seen[page] = true
			return len(seen) == len(backends), nil
		})
		if err != nil {
			t.Errorf("%s from %s reached %v of the pods %v: %v (last error: %v)", tg.url, tg.from, keys(seen), backends, err, last)
			continue
		}
		t.Logf("%s from %s: both pods answered", tg.url, tg.from)
	}
}

// hostGet fetches url from the test process, which runs on the node (in its network namespace).
func hostGet(url string) (string, error) {
	c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", url, resp.Status)
	}
	return strings.TrimSpace(string(body)), nil
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// eventually polls check until it returns nil or timeout passes, then fails t with its last error.
func (e *env) eventually(what string, timeout time.Duration, check func() error) {
	e.t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(e.ctx, 250*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		last = check()
		return last == nil, nil
	})
	if err != nil {
		e.t.Fatalf("waiting for %s: %v (last: %v)", what, err, last)
	}
}
