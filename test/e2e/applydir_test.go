package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// TestApplyDirectory: `kubectl apply -f DIR` of a realistic application (testdata/app: one of
// each common kind) creates everything, a second apply changes nothing, and every object reads
// back with all the fields the manifests set, unchanged; only server-set fields are added.
func TestApplyDirectory(t *testing.T) {
	e := setup(t)
	dir := filepath.Join("testdata", "app")
	objects := readManifests(t, dir)
	t.Cleanup(func() {
		// The cluster-scoped ones outlive the namespace.
		e.k.Run(context.Background(), "", "delete", "priorityclass/e2e-app-high", "storageclass/e2e-app-local", "--ignore-not-found")
	})

	r := e.k.Run(e.ctx, "", "-n", e.ns, "apply", "-f", dir)
	created := map[string]bool{}
	for _, l := range lines(r.Stdout) {
		if name, ok := strings.CutSuffix(l, " created"); ok {
			created[name] = true
		}
	}
	for _, obj := range objects {
		t.Run(obj.id(), func(t *testing.T) {
			e := e.in(t)
			if !created[obj.printed()] {
				t.Fatalf("apply did not print %q created:\n%s", obj.printed(), r)
			}
			got := e.runNS("", "get", obj.ref(), "-o", "yaml").Stdout
			var back map[string]any
			if err := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(got), 4096).Decode(&back); err != nil {
				t.Fatalf("decoding get -o yaml: %v\n%s", err, got)
			}
			if diffs := notSubset("", obj.fields, back); len(diffs) > 0 {
				t.Errorf("fields the manifest set came back different:\n  %s\n--- get -o yaml:\n%s", strings.Join(diffs, "\n  "), got)
			}
		})
	}
	if !r.OK() {
		t.Fatalf("apply -f %s failed: %s", dir, r)
	}

	// Upstream's kubectl still says "configured" for some kinds here (a PDB's selector is
	// patchStrategy=replace, a StatefulSet's volumeClaimTemplates are atomic, a false
	// globalDefault is omitted on the way back), but the server must not change any object.
	t.Run("second apply changes nothing", func(t *testing.T) {
		e := e.in(t)
		before := resourceVersions(e, dir)
		r := e.runNS("", "apply", "-f", dir)
		for _, l := range lines(r.Stdout) {
			if !strings.HasSuffix(l, " unchanged") && !strings.HasSuffix(l, " configured") {
				t.Errorf("second apply: %q, want unchanged or configured", l)
			}
		}
		if n := len(lines(r.Stdout)); n != len(objects) {
			t.Errorf("second apply printed %d lines for %d objects:\n%s", n, len(objects), r.Stdout)
		}
		after := resourceVersions(e, dir)
		if !maps.Equal(before, after) || len(before) != len(objects) {
			t.Errorf("resourceVersions changed by applying the same manifests again:\nbefore %v\nafter  %v", before, after)
		}
	})

	t.Run("diff is empty", func(t *testing.T) {
		e := e.in(t)
		r := e.k.Run(e.ctx, "", "-n", e.ns, "diff", "-f", dir)
		if r.Err != nil || r.ExitCode != 0 || r.Stdout != "" {
			t.Errorf("kubectl diff after apply: want exit 0 and no output, got %s", r)
		}
	})
}

type manifest struct {
	file   string
	fields map[string]any
}

func (m manifest) str(path ...string) string {
	var v any = m.fields
	for _, p := range path {
		mm, _ := v.(map[string]any)
		v = mm[p]
	}
	s, _ := v.(string)
	return s
}

func (m manifest) group() string {
	if g, _, ok := strings.Cut(m.str("apiVersion"), "/"); ok {
		return g
	}
	return ""
}

// id names the object in test output: Kind/name.
func (m manifest) id() string { return m.str("kind") + "/" + m.str("metadata", "name") }

// ref is how kubectl get names it: kind.group/name.
func (m manifest) ref() string {
	kind := strings.ToLower(m.str("kind"))
	if g := m.group(); g != "" {
		kind += "." + g
	}
	return kind + "/" + m.str("metadata", "name")
}

// printed is how kubectl apply names it: kind.group/name, no group for the core group.
func (m manifest) printed() string { return m.ref() }

// resourceVersions maps kind/name of every object of dir to its resourceVersion.
func resourceVersions(e *env, dir string) map[string]string {
	e.t.Helper()
	out := e.runNS("", "get", "-f", dir, "-o", `jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}`).Stdout
	rvs := map[string]string{}
	for _, l := range lines(out) {
		k, v, _ := strings.Cut(l, "=")
		rvs[k] = v
	}
	return rvs
}

func readManifests(t *testing.T, dir string) []manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	sort.Strings(files)
	var out []manifest
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var obj map[string]any
			if err := d.Decode(&obj); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if obj != nil {
				out = append(out, manifest{file: f, fields: obj})
			}
		}
	}
	return out
}

// notSubset lists where want is not contained in got: every map key of want must be in got with
// a contained value; lists must have the same length and contained elements; scalars be equal.
func notSubset(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %#v", path, got)}
		}
		var diffs []string
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok && isZero(w[k]) {
				continue // omitempty: a zero value the manifest spells out is not sent back
			}
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing, want %v", path, k, w[k]))
				continue
			}
			diffs = append(diffs, notSubset(path+"."+k, w[k], gv)...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %v, got %v", path, w, got)}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, notSubset(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return diffs
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: want %#v, got %#v", path, want, got)}
		}
		return nil
	}
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}
