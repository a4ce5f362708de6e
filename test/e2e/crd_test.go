package e2e

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func widget(name, color string) string {
	return "apiVersion: e2e.skiff.sh/v1\nkind: Widget\nmetadata:\n  name: " + name + "\nspec:\n  color: " + color + "\n"
}

// TestCustomResource: a CRD is established and its custom resources are served within seconds,
// with its schema (validation, defaults, pruning), printer columns, short name and subresources.
func TestCustomResource(t *testing.T) {
	e := setup(t)
	crd := filepath.Join("testdata", "widget-crd.yaml")
	if got := e.run("", "apply", "-f", crd).Stdout; got != "customresourcedefinition.apiextensions.k8s.io/widgets.e2e.skiff.sh created\n" {
		t.Errorf("apply CRD printed %q", got)
	}
	t.Cleanup(func() { e.k.Run(context.Background(), "", "delete", "-f", crd, "--wait=false") })
	start := time.Now()
	e.run("", "wait", "--for=condition=Established", "crd/widgets.e2e.skiff.sh", "--timeout=30s")

	// kubectl refreshes its discovery cache when a kind is unknown, so the first create may
	// only need the server to start serving the new resource.
	e.eventually(10*time.Second, func() error {
		if r := e.k.Run(e.ctx, widget("first", "blue"), "-n", e.ns, "create", "-f", "-"); !r.OK() {
			return errors.New(r.String())
		}
		return nil
	})
	t.Logf("CRD applied to first custom resource created: %v", time.Since(start).Round(time.Millisecond))

	t.Run("list with printer columns", func(t *testing.T) {
		e := e.in(t)
		rows := table(e.runNS("", "get", "widgets").Stdout)
		// The CRD's columns replace the default NAME/AGE: no AGE column unless the CRD has one.
		want := map[string]string{"NAME": "first", "COLOR": "blue", "REPLICAS": "1"}
		if len(rows) != 1 || !maps.Equal(rows[0], want) {
			t.Errorf("get widgets = %v, want [%v]", rows, want)
		}
		if out := e.runNS("", "get", "wdg", "-o", "name").Stdout; out != "widget.e2e.skiff.sh/first\n" {
			t.Errorf("get by short name = %q", out)
		}
	})

	t.Run("defaults and pruning", func(t *testing.T) {
		e := e.in(t)
		e.runNS(widget("pruned", "red")+"  unknown: dropped\n", "create", "--validate=false", "-f", "-")
		obj := e.getObject("widget", "pruned")
		spec, _ := obj["spec"].(map[string]any)
		if _, ok := spec["unknown"]; ok {
			t.Errorf("unknown field was not pruned: %v", spec)
		}
		if spec["replicas"] != float64(1) {
			t.Errorf("spec.replicas = %v, want the default 1", spec["replicas"])
		}
	})

	t.Run("validation", func(t *testing.T) {
		e := e.in(t)
		r := e.failNS(widget("bad", "purple"), "create", "-f", "-")
		mustContain(t, "create with a bad enum value", r.Stderr, `The Widget "bad" is invalid`, `spec.color: Unsupported value: "purple"`)
		r = e.failNS(widget("strict", "red")+"  size: 3\n", "create", "--validate=strict", "-f", "-")
		mustContain(t, "create with an unknown field", r.Stderr, `unknown field "spec.size"`)
		r = e.failNS("apiVersion: e2e.skiff.sh/v1\nkind: Widget\nmetadata:\n  name: nocolor\nspec: {}\n", "create", "-f", "-")
		mustContain(t, "create without a required field", r.Stderr, "spec.color: Required value")
	})

	t.Run("server-side apply", func(t *testing.T) {
		e := e.in(t)
		out := e.runNS(widget("first", "green"), "apply", "--server-side", "--force-conflicts", "-f", "-").Stdout
		if out != "widget.e2e.skiff.sh/first serverside-applied\n" {
			t.Errorf("apply --server-side printed %q", out)
		}
		if got := e.jsonpath("{.spec.color}", "widget", "first"); got != "green" {
			t.Errorf("spec.color = %q, want green", got)
		}
	})

	t.Run("patch types", func(t *testing.T) {
		e := e.in(t)
		e.runNS("", "patch", "widget", "first", "--type=merge", "-p", `{"spec":{"color":"red"}}`)
		e.runNS("", "patch", "widget", "first", "--type=json", "-p", `[{"op":"replace","path":"/spec/color","value":"blue"}]`)
		r := e.failNS("", "patch", "widget", "first", "--type=strategic", "-p", `{"spec":{"color":"green"}}`)
		mustContain(t, "strategic patch of a custom resource", r.Stderr, "application/strategic-merge-patch+json is not supported by e2e.skiff.sh/v1, Kind=Widget")
		if got := e.jsonpath("{.spec.color}", "widget", "first"); got != "blue" {
			t.Errorf("spec.color = %q, want blue", got)
		}
	})

	t.Run("scale and status subresources", func(t *testing.T) {
		e := e.in(t)
		if out := e.runNS("", "scale", "widget", "first", "--replicas=3").Stdout; out != "widget.e2e.skiff.sh/first scaled\n" {
			t.Errorf("scale printed %q", out)
		}
		if got := e.jsonpath("{.spec.replicas}", "widget", "first"); got != "3" {
			t.Errorf("spec.replicas = %q, want 3", got)
		}
		// status is only written through /status.
		e.runNS("", "patch", "widget", "first", "--type=merge", "-p", `{"status":{"replicas":7}}`)
		if got := e.jsonpath("{.status.replicas}", "widget", "first"); got != "" {
			t.Errorf("a patch of the main resource set status.replicas to %q", got)
		}
		e.runNS("", "patch", "widget", "first", "--subresource=status", "--type=merge", "-p", `{"status":{"replicas":7}}`)
		if got := e.jsonpath("{.status.replicas}", "widget", "first"); got != "7" {
			t.Errorf("status.replicas = %q, want 7", got)
		}
	})

	t.Run("explain", func(t *testing.T) {
		e := e.in(t)
		e.eventually(10*time.Second, func() error {
			r := e.k.Run(e.ctx, "", "explain", "widgets.spec.color")
			if !r.OK() || !strings.Contains(r.Stdout, "Color of the widget.") {
				return errors.New(r.String())
			}
			return nil
		})
	})

	t.Run("delete the CRD deletes its resources", func(t *testing.T) {
		e := e.in(t)
		e.run("", "delete", "-f", crd, "--timeout=60s")
		e.eventually(30*time.Second, func() error {
			r := e.k.Run(e.ctx, "", "api-resources", "--api-group=e2e.skiff.sh", "-o", "name")
			if strings.Contains(r.Stdout, "widgets") {
				return errors.New("widgets still in api-resources")
			}
			return nil
		})
		// Re-creating the CRD must not bring old objects back.
		e.run("", "apply", "-f", crd)
		e.run("", "wait", "--for=condition=Established", "crd/widgets.e2e.skiff.sh", "--timeout=30s")
		e.eventually(10*time.Second, func() error {
			r := e.k.Run(e.ctx, "", "-n", e.ns, "get", "widgets", "-o", "name")
			if !r.OK() || r.Stdout != "" {
				return errors.New(r.String())
			}
			return nil
		})
	})
}
