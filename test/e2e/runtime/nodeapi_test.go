package runtime

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// nodeName is the one node's name, as it registered.
func (e *env) nodeName() string {
	e.t.Helper()
	var name string
	e.waitFor("the node", podTimeout, func() (bool, error) {
		name = strings.TrimSpace(e.kubectl("get", "nodes", "-o", "jsonpath={.items[0].metadata.name}").Stdout)
		return name != "", nil
	})
	return name
}

// TestNodeStatus checks what the node reports about itself: pressure conditions, capacity and
// allocatable, node info and the images it holds, as a kubelet does.
func TestNodeStatus(t *testing.T) {
	e := setup(t)
	node := e.nodeName()
	field := func(jsonpath string) string {
		return strings.TrimSpace(e.kubectl("get", "node", node, "-o", "jsonpath="+jsonpath).Stdout)
	}
	for _, c := range []string{"MemoryPressure", "DiskPressure", "PIDPressure"} {
		if got := field(`{.status.conditions[?(@.type=="` + c + `")].status}`); got != "False" {
			t.Errorf("condition %s = %q, want False", c, got)
		}
	}
	for _, r := range []string{"cpu", "memory", "pods", "ephemeral-storage"} {
		if field("{.status.capacity."+r+"}") == "" || field("{.status.allocatable."+r+"}") == "" {
			t.Errorf("capacity or allocatable lacks %s", r)
		}
	}
	if rt := field("{.status.nodeInfo.containerRuntimeVersion}"); !strings.HasPrefix(rt, "containerd://") {
		t.Errorf("containerRuntimeVersion %q", rt)
	}
	for k, want := range map[string]string{"kubernetes.io/os": "linux", "kubernetes.io/hostname": ""} {
		got := field("{.metadata.labels." + strings.ReplaceAll(k, ".", `\.`) + "}")
		if got == "" || (want != "" && got != want) {
			t.Errorf("label %s = %q", k, got)
		}
	}
	e.waitFor("the test image in the node's images", podTimeout, func() (bool, error) {
		return strings.Contains(field("{.status.images[*].names}"), busyboxImage), nil
	})
}

// TestKubeletAPIThroughNodesProxy reads the kubelet's /healthz, /pods and /stats/summary through
// the apiserver's nodes/proxy, as kubectl get --raw and metrics collectors do.
func TestKubeletAPIThroughNodesProxy(t *testing.T) {
	e := setup(t)
	e.apply(busyboxPod("stats", "Never", "sleep 3600"))
	e.waitPhase("stats", "Running")
	base := "/api/v1/nodes/" + e.nodeName() + "/proxy"
	raw := func(path string) string {
		t.Helper()
		r := e.k.Run(e.ctx, "", "get", "--raw", base+path)
		if !r.OK() {
			t.Fatalf("%s", r)
		}
		return r.Stdout
	}
	if got := raw("/healthz"); got != "ok" {
		t.Errorf("/healthz = %q", got)
	}
	var pods struct {
		Kind  string `json:"kind"`
		Items []struct {
			Metadata struct{ Name, Namespace string } `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(raw("/pods")), &pods); err != nil || pods.Kind != "PodList" {
		t.Fatalf("/pods: %v, kind %q", err, pods.Kind)
	}
	found := false
	for _, p := range pods.Items {
		found = found || (p.Metadata.Namespace == e.ns && p.Metadata.Name == "stats")
	}
	if !found {
		t.Errorf("/pods does not list %s/stats", e.ns)
	}
	// The summary has the node and the pod with its container (stats may take a moment).
	e.waitFor("the pod in /stats/summary", 30*time.Second, func() (bool, error) {
		var summary struct {
			Node struct {
				NodeName string `json:"nodeName"`
				Memory   *struct {
					WorkingSetBytes *uint64 `json:"workingSetBytes"`
				} `json:"memory"`
			} `json:"node"`
			Pods []struct {
				PodRef struct {
					Name, Namespace string
				} `json:"podRef"`
				Containers []struct{ Name string } `json:"containers"`
			} `json:"pods"`
		}
		if err := json.Unmarshal([]byte(raw("/stats/summary")), &summary); err != nil {
			return false, err
		}
		if summary.Node.NodeName == "" || summary.Node.Memory == nil || summary.Node.Memory.WorkingSetBytes == nil {
			return false, nil
		}
		for _, p := range summary.Pods {
			if p.PodRef.Namespace == e.ns && p.PodRef.Name == "stats" && len(p.Containers) == 1 && p.Containers[0].Name == "main" {
				return true, nil
			}
		}
		return false, nil
	})
}

// TestAttach attaches to a running container's stdin and output, as `kubectl attach -i` does.
func TestAttach(t *testing.T) {
	e := setup(t)
	e.servesSubresource("attach")
	e.apply(`apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ` + busyboxImage + `
    imagePullPolicy: Never
    stdin: true
    stdinOnce: true
    command: ["sh", "-c", "read line; echo got-$line"]
`)
	e.waitPhase("reader", "Running")
	r := e.k.Run(e.ctx, "hello\n", "-n", e.ns, "attach", "-i", "reader", "-c", "main")
	if !strings.Contains(r.Stdout, "got-hello") {
		t.Errorf("attach: %s", r)
	}
	e.waitPhase("reader", "Succeeded")
	if logs := e.must("logs", "reader"); !strings.Contains(logs, "got-hello") {
		t.Errorf("logs after attach: %q", logs)
	}
}
