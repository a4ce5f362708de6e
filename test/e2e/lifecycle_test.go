package e2e

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNamespaceDeletionEmptiesIt: deleting a namespace deletes everything in it, custom
// resources too, and then the namespace itself.
func TestNamespaceDeletionEmptiesIt(t *testing.T) {
	e := setup(t)
	crd := filepath.Join("testdata", "widget-crd.yaml")
	e.run("", "apply", "-f", crd)
	t.Cleanup(func() { e.k.Run(context.Background(), "", "delete", "-f", crd, "--wait=false") })
	e.run("", "wait", "--for=condition=Established", "crd/widgets.e2e.skiff.sh", "--timeout=30s")
	e.runNS("", "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2")
	e.runNS("", "create", "configmap", "settings", "--from-literal=a=b")
	e.runNS("", "create", "secret", "generic", "token", "--from-literal=t=s")
	e.runNS("", "create", "service", "clusterip", "web", "--tcp=80:80")
	e.eventually(10*time.Second, func() error {
		if r := e.k.Run(e.ctx, widget("w1", "blue"), "-n", e.ns, "create", "-f", "-"); !r.OK() {
			return errors.New(r.String())
		}
		return nil
	})
	e.runNS("", "rollout", "status", "deployment/web", "--timeout=90s")
	e.run("", "delete", "namespace", e.ns, "--timeout=90s")
	r := e.k.Run(e.ctx, "", "get", "namespace", e.ns)
	if r.OK() || !strings.Contains(r.Stderr, "NotFound") {
		t.Errorf("namespace still there after delete: %s", r)
	}
}

// TestForegroundDeletion: with propagationPolicy Foreground the owner stays (with the
// foregroundDeletion finalizer) until its dependents are gone; orphan keeps the dependents.
func TestForegroundDeletion(t *testing.T) {
	e := setup(t)
	e.runNS("", "create", "deployment", "fg", "--image=nginx:1.27", "--replicas=2")
	e.runNS("", "create", "deployment", "orphan", "--image=nginx:1.27", "--replicas=2")
	e.runNS("", "rollout", "status", "deployment/fg", "--timeout=90s")
	e.runNS("", "rollout", "status", "deployment/orphan", "--timeout=90s")

	e.runNS("", "delete", "deployment", "fg", "--cascade=foreground", "--timeout=90s")
	e.eventually(rolloutTimeout, func() error {
		if out := e.runNS("", "get", "rs,pods", "-l", "app=fg", "--no-headers", "--ignore-not-found").Stdout; out != "" {
			return fmt.Errorf("dependents left: %s", out)
		}
		return nil
	})

	e.runNS("", "delete", "deployment", "orphan", "--cascade=orphan")
	e.eventually(30*time.Second, func() error {
		refs := e.jsonpath("{.items[*].metadata.ownerReferences}", "rs", "-l", "app=orphan")
		if refs != "" {
			return fmt.Errorf("orphaned replica set still has owner references: %s", refs)
		}
		return nil
	})
	if pods := lines(e.runNS("", "get", "pods", "-l", "app=orphan", "--no-headers").Stdout); len(pods) != 2 {
		t.Errorf("orphaned pods: %v", pods)
	}
}

// TestImpossibleNodeSelectorStaysPending: the scheduler reports why, as upstream words it.
func TestImpossibleNodeSelectorStaysPending(t *testing.T) {
	e := setup(t)
	e.runNS(`apiVersion: v1
kind: Pod
metadata:
  name: nowhere
spec:
  nodeSelector:
    disk: unobtainium
  containers:
  - name: main
    image: busybox
`, "apply", "-f", "-")
	e.eventually(30*time.Second, func() error {
		events := e.runNS("", "get", "events", "--field-selector", "involvedObject.name=nowhere,reason=FailedScheduling", "-o", "custom-columns=MSG:.message", "--no-headers").Stdout
		if !strings.Contains(events, "0/") || !strings.Contains(events, "nodes are available") ||
			!strings.Contains(events, "node(s) didn't match Pod's node affinity/selector") {
			return fmt.Errorf("FailedScheduling events: %q", events)
		}
		return nil
	})
	if got := e.jsonpath(`{.status.phase} {.status.conditions[?(@.type=="PodScheduled")].reason}`, "pod/nowhere"); got != "Pending Unschedulable" {
		t.Errorf("phase and PodScheduled reason = %q", got)
	}
	mustContain(t, "describe pod", e.runNS("", "describe", "pod", "nowhere").Stdout, "FailedScheduling", "default-scheduler")
}

// TestCordonAndDrainWithPDB: drain evicts through the eviction API, which honours the
// PodDisruptionBudget, and the evicted pods come back on other nodes.
func TestCordonAndDrainWithPDB(t *testing.T) {
	e := setup(t)
	e.runNS("", "create", "deployment", "svc", "--image=nginx:1.27", "--replicas=3")
	e.runNS("", "rollout", "status", "deployment/svc", "--timeout=90s")
	e.runNS("", "create", "poddisruptionbudget", "svc", "--selector=app=svc", "--min-available=3")
	e.eventually(30*time.Second, func() error {
		if got := e.jsonpath("{.status.currentHealthy}/{.status.disruptionsAllowed}", "pdb/svc"); got != "3/0" {
			return fmt.Errorf("pdb healthy/allowed = %s", got)
		}
		return nil
	})
	node := strings.TrimSpace(strings.Split(e.jsonpath(`{range .items[*]}{.spec.nodeName}{"\n"}{end}`, "pods", "-l", "app=svc"), "\n")[0])
	e.restore("uncordon", node)

	// The budget allows no disruption: drain gives up, and says why.
	r := e.fail("", "drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--pod-selector=app=svc", "--timeout=5s")
	mustContain(t, "blocked drain", r.Output(), "Cannot evict pod as it would violate the pod's disruption budget")
	if got := e.jsonpath("{.spec.unschedulable}", "node/"+node); got != "true" {
		t.Errorf("drained node unschedulable = %q", got)
	}

	e.runNS("", "patch", "pdb/svc", "--type=merge", "-p", `{"spec":{"minAvailable":2}}`)
	e.eventually(30*time.Second, func() error {
		if got := e.jsonpath("{.status.disruptionsAllowed}", "pdb/svc"); got != "1" {
			return fmt.Errorf("disruptionsAllowed = %s", got)
		}
		return nil
	})
	e.run("", "drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--pod-selector=app=svc", "--timeout=90s")
	e.runNS("", "rollout", "status", "deployment/svc", "--timeout=90s")
	e.eventually(rolloutTimeout, func() error {
		placed := e.jsonpath(`{range .items[*]}{.spec.nodeName}{"\n"}{end}`, "pods", "-l", "app=svc")
		if strings.Contains(placed, node+"\n") || len(lines(placed)) != 3 {
			return fmt.Errorf("pods on %q after draining %s", placed, node)
		}
		return nil
	})
}

// TestNodeHeartbeatLoss: a simulated node whose heartbeats stop goes Unknown, gets the
// unreachable taint, and its pods are evicted and recreated elsewhere.
//
// Not parallel: while the node is unreachable, pods of other tests placed on it would hang.
func TestNodeHeartbeatLoss(t *testing.T) {
	e := setup(t)
	// Tolerate unreachable for 2s instead of the default 300s, as a test can't wait minutes.
	e.runNS(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: hb
spec:
  replicas: 3
  selector:
    matchLabels:
      app: hb
  template:
    metadata:
      labels:
        app: hb
    spec:
      tolerations:
      - key: node.kubernetes.io/unreachable
        operator: Exists
        effect: NoExecute
        tolerationSeconds: 2
      containers:
      - name: main
        image: nginx:1.27
`, "apply", "-f", "-")
	e.runNS("", "rollout", "status", "deployment/hb", "--timeout=90s")
	node := strings.TrimSpace(strings.Split(e.jsonpath(`{range .items[*]}{.spec.nodeName}{"\n"}{end}`, "pods", "-l", "app=hb"), "\n")[0])
	e.run("", "annotate", "node", node, "simulated.skiff.sh/heartbeat=paused")
	// Cleanups run last-in first-out: resume the heartbeat, then wait for the node to be
	// Ready and untainted again so that later tests see three usable nodes.
	t.Cleanup(func() {
		e := e.in(t)
		e.ctx = context.Background()
		e.eventually(90*time.Second, func() error {
			ready := e.jsonpath(`{.status.conditions[?(@.type=="Ready")].status}`, "node/"+node)
			taints := e.jsonpath(`{.spec.taints[*].key}`, "node/"+node)
			if ready != "True" || strings.Contains(taints, "node.kubernetes.io/unreachable") {
				return fmt.Errorf("node %s after resuming heartbeats: Ready=%s taints=%s", node, ready, taints)
			}
			return nil
		})
	})
	e.restore("annotate", "node", node, "simulated.skiff.sh/heartbeat-")

	e.eventually(90*time.Second, func() error {
		ready := e.jsonpath(`{.status.conditions[?(@.type=="Ready")].status}`, "node/"+node)
		taints := e.jsonpath(`{.spec.taints[*].key}`, "node/"+node)
		if ready != "Unknown" || !strings.Contains(taints, "node.kubernetes.io/unreachable") {
			return fmt.Errorf("node %s Ready=%s taints=%s", node, ready, taints)
		}
		return nil
	})
	e.eventually(90*time.Second, func() error {
		out := e.jsonpath(`{range .items[*]}{.spec.nodeName} {.metadata.deletionTimestamp} {.status.phase}{"\n"}{end}`, "pods", "-l", "app=hb")
		live := 0
		for _, l := range lines(out) {
			f := strings.Fields(l)
			if len(f) == 2 && f[0] != node && f[1] == "Running" {
				live++
			}
		}
		if live != 3 {
			return fmt.Errorf("want 3 live pods off %s:\n%s", node, out)
		}
		return nil
	})
}
