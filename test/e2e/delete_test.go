package e2e

import (
	"strings"
	"testing"
)

// TestDelete: background deletion, deletion held by a finalizer and `kubectl wait --for=delete`,
// deletion by label and a server-side dry run.
func TestDelete(t *testing.T) {
	t.Run("background", func(t *testing.T) {
		e := setup(t)
		e.runNS(deployment("web", "nginx:1.27", 1), "create", "-f", "-")
		e.runNS(configMap("cm", "k", "v"), "create", "-f", "-")
		for _, r := range []struct{ resource, printed string }{
			{"deployment/web", `deployment.apps "web" deleted`},
			{"configmap/cm", `configmap "cm" deleted`},
		} {
			out := e.runNS("", "delete", r.resource, "--cascade=background").Stdout
			mustContain(t, "delete "+r.resource, out, r.printed)
			e.runNS("", "wait", "--for=delete", r.resource, "--timeout=30s")
			g := e.failNS("", "get", r.resource)
			mustContain(t, "get after delete", g.Stderr, "Error from server (NotFound)", "not found")
		}
	})

	t.Run("finalizer holds the object until removed", func(t *testing.T) {
		e := setup(t)
		e.runNS("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [e2e.skiff.sh/hold]\n", "create", "-f", "-")
		out := e.runNS("", "delete", "configmap", "held", "--wait=false").Stdout
		mustContain(t, "delete", out, `configmap "held" deleted`)
		if ts := e.jsonpath("{.metadata.deletionTimestamp}", "configmap", "held"); ts == "" {
			t.Fatal("object held by a finalizer has no deletionTimestamp")
		}
		r := e.failNS("", "wait", "--for=delete", "configmap/held", "--timeout=2s")
		mustContain(t, "wait while held", r.Stderr, "timed out waiting for the condition on configmaps/held")
		// Removing the finalizer lets the deletion finish; wait sees it go.
		e.runNS("", "patch", "configmap", "held", "--type=json", "-p", `[{"op":"remove","path":"/metadata/finalizers"}]`)
		e.runNS("", "wait", "--for=delete", "configmap/held", "--timeout=30s")
		e.failNS("", "get", "configmap", "held")
	})

	t.Run("by label", func(t *testing.T) {
		e := setup(t)
		for _, n := range []string{"a", "b", "c"} {
			e.runNS("", "create", "configmap", n)
		}
		e.runNS("", "label", "configmap", "a", "b", "doomed=yes")
		out := e.runNS("", "delete", "configmaps", "-l", "doomed=yes").Stdout
		mustContain(t, "delete -l", out, `configmap "a" deleted`, `configmap "b" deleted`)
		left := strings.Fields(e.runNS("", "get", "configmaps", "-o", "name", "--field-selector=metadata.name!=kube-root-ca.crt").Stdout)
		if strings.Join(left, " ") != "configmap/c" {
			t.Errorf("left after delete -l: %v, want configmap/c", left)
		}
	})

	t.Run("server dry run", func(t *testing.T) {
		e := setup(t)
		e.runNS("", "create", "configmap", "kept")
		out := e.runNS("", "delete", "configmap", "kept", "--dry-run=server").Stdout
		// kubectl 1.33+ also names the namespace: `deleted from NS namespace (server dry run)`.
		mustMatch(t, "delete --dry-run=server", out, `configmap "kept" deleted( from \S+ namespace)? \(server dry run\)`)
		e.runNS("", "get", "configmap", "kept")
	})
}
