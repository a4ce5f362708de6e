package e2e

import (
	"testing"
)

// TestGetNamespaces: the four system namespaces exist and are Active; a created one shows up too.
func TestGetNamespaces(t *testing.T) {
	e := setup(t)
	rows := table(e.run("", "get", "namespaces").Stdout)
	status := map[string]string{}
	for _, row := range rows {
		status[row["NAME"]] = row["STATUS"]
	}
	for _, name := range []string{"default", "kube-system", "kube-public", "kube-node-lease", e.ns} {
		t.Run(name, func(t *testing.T) {
			if got := status[name]; got != "Active" {
				t.Errorf("namespace %s: status %q, want Active (all: %v)", name, got, status)
			}
		})
	}
	// Short name and -o name work as upstream.
	out := e.run("", "get", "ns", e.ns, "-o", "name").Stdout
	if want := "namespace/" + e.ns + "\n"; out != want {
		t.Errorf("get ns -o name = %q, want %q", out, want)
	}
}
