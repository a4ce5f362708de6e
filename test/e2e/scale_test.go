package e2e

import (
	"encoding/json"
	"fmt"
	"path"
	"testing"
)

func statefulSet(name string, replicas int) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: %[1]s
spec:
  replicas: %[2]d
  serviceName: %[1]s
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
    spec:
      containers:
      - name: main
        image: nginx:1.27
`, name, replicas)
}

// TestScale: kubectl scale through the scale subresource, with --current-replicas as a precondition.
func TestScale(t *testing.T) {
	tests := []struct {
		name, manifest, resource, path string
	}{
		{"deployment", deployment("web", "nginx:1.27", 1), "deployment.apps/web", "/apis/apps/v1/namespaces/%s/deployments/web/scale"},
		{"statefulset", statefulSet("db", 1), "statefulset.apps/db", "/apis/apps/v1/namespaces/%s/statefulsets/db/scale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.runNS(tt.manifest, "create", "-f", "-")
			if got := e.runNS("", "scale", tt.resource, "--replicas=3").Stdout; got != tt.resource+" scaled\n" {
				t.Errorf("scale printed %q", got)
			}
			if got := e.jsonpath("{.spec.replicas}", tt.resource); got != "3" {
				t.Errorf("spec.replicas = %s, want 3", got)
			}
			r := e.failNS("", "scale", tt.resource, "--current-replicas=2", "--replicas=5")
			mustContain(t, "scale with a wrong --current-replicas", r.Stderr, "Expected replicas to be 2, was 3")
			e.runNS("", "scale", tt.resource, "--current-replicas=3", "--replicas=0")

			// The scale subresource itself, as the HPA controller sees it.
			code, body, err := e.server.Raw(e.ctx, "GET", fmt.Sprintf(tt.path, e.ns), nil)
			if err != nil || code != 200 {
				t.Fatalf("GET scale: %d %v %s", code, err, body)
			}
			var scale struct {
				APIVersion, Kind string
				Spec             struct{ Replicas int }
				Status           struct{ Selector string }
			}
			if err := json.Unmarshal(body, &scale); err != nil {
				t.Fatal(err)
			}
			if scale.APIVersion != "autoscaling/v1" || scale.Kind != "Scale" || scale.Spec.Replicas != 0 {
				t.Errorf("scale = %+v, want autoscaling/v1 Scale with spec.replicas 0", scale)
			}
			if want := "app=" + path.Base(tt.resource); scale.Status.Selector != want {
				t.Errorf("scale status.selector = %q, want %q", scale.Status.Selector, want)
			}
		})
	}
}
