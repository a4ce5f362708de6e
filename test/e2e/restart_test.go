package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/skiff-sh/skiff/test/e2e/framework"
)

// TestRestart: after a crash (SIGKILL) and a restart on the same data dir every object is there
// unchanged, resourceVersions go on increasing, and a watch from a resourceVersion taken before
// the crash either resumes or is told 410 Gone.
func TestRestart(t *testing.T) {
	if skiffBinary == "" {
		t.Skip("SKIFF_E2E_BINARY is not set")
	}
	// Its own server: killing the shared one would break the other tests.
	s, err := framework.NewServer(skiffBinary, filepath.Join(workDir, "restart"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	e := bare(t, s)
	e.ns = e.namespace()

	const n = 5
	for i := range n {
		e.runNS("", "create", "configmap", fmt.Sprintf("cm-%d", i), fmt.Sprintf("--from-literal=i=%d", i))
	}
	e.runNS("", "label", "configmap", "cm-0", "phase=before")
	before := configMapState(e)
	var list struct {
		Metadata struct{ ResourceVersion string }
	}
	raw := e.run("", "get", "--raw", "/api/v1/namespaces/"+e.ns+"/configmaps")
	if err := json.Unmarshal([]byte(raw.Stdout), &list); err != nil {
		t.Fatalf("decoding the list: %v\n%s", err, raw)
	}
	listRV := list.Metadata.ResourceVersion
	if len(before) < n || listRV == "" {
		t.Fatalf("before the crash: %d configmaps, list resourceVersion %q", len(before), listRV)
	}

	if err := s.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatalf("restart on the same data dir: %v", err)
	}

	t.Run("objects survive unchanged", func(t *testing.T) {
		e := e.in(t)
		e.run("", "get", "namespace", e.ns)
		after := configMapState(e)
		for name, want := range before {
			if got, ok := after[name]; !ok || got != want {
				t.Errorf("configmap %s: %q before the crash, %q after", name, want, got)
			}
		}
	})

	t.Run("resourceVersions increase", func(t *testing.T) {
		e := e.in(t)
		old := rvNumber(t, listRV)
		e.runNS("", "create", "configmap", "after-restart")
		created := rvNumber(t, e.jsonpath("{.metadata.resourceVersion}", "configmap", "after-restart"))
		e.runNS("", "label", "configmap", "cm-0", "phase=after", "--overwrite")
		modified := rvNumber(t, e.jsonpath("{.metadata.resourceVersion}", "configmap", "cm-0"))
		if created <= old || modified <= created {
			t.Errorf("resourceVersions: list before the crash %d, created after %d, modified after %d: want increasing", old, created, modified)
		}
	})

	t.Run("watch from before the crash", func(t *testing.T) {
		path := fmt.Sprintf("/api/v1/namespaces/%s/configmaps?watch=1&resourceVersion=%s&timeoutSeconds=3", e.ns, listRV)
		code, body, err := s.Raw(t.Context(), "GET", path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if code == 410 {
			return // Gone: the client relists, as upstream allows.
		}
		if code != 200 {
			t.Fatalf("watch: status %d: %s", code, body)
		}
		seen := map[string]bool{}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		for dec.More() {
			var ev struct {
				Type   string
				Object struct {
					Code     int
					Metadata struct{ Name string }
				}
			}
			if err := dec.Decode(&ev); err != nil {
				t.Fatalf("decoding watch events: %v\n%s", err, body)
			}
			if ev.Type == "ERROR" {
				if ev.Object.Code != 410 {
					t.Fatalf("watch error event with code %d, want 410 Gone:\n%s", ev.Object.Code, body)
				}
				return
			}
			seen[ev.Type+" "+ev.Object.Metadata.Name] = true
		}
		// Resumed: exactly the changes made after the crash.
		for _, want := range []string{"ADDED after-restart", "MODIFIED cm-0"} {
			if !seen[want] {
				t.Errorf("resumed watch lacks %q; got %v", want, seen)
			}
		}
		for ev := range seen {
			if ev != "ADDED after-restart" && ev != "MODIFIED cm-0" {
				t.Errorf("resumed watch replayed %q, which happened before its resourceVersion", ev)
			}
		}
	})
}

// configMapState maps each configmap of the namespace to "resourceVersion data labels".
func configMapState(e *env) map[string]string {
	e.t.Helper()
	out := e.jsonpath(`{range .items[*]}{.metadata.name}={.metadata.resourceVersion} {.data} {.metadata.labels}{"\n"}{end}`, "configmaps")
	state := map[string]string{}
	for _, l := range lines(out) {
		k, v, _ := strings.Cut(l, "=")
		state[k] = v
	}
	return state
}

func rvNumber(t *testing.T, rv string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(rv, 10, 64)
	if err != nil {
		t.Fatalf("resourceVersion %q: %v", rv, err)
	}
	return n
}
