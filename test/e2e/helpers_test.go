package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/skiff-sh/skiff/test/e2e/framework"
)

// env is one test's handle on a server: kubectl bound to it and the test's namespace.
type env struct {
	t      *testing.T
	ctx    context.Context
	server *framework.Server
	k      *framework.Kubectl
	ns     string
}

// setup skips the test when no binary is given and otherwise returns kubectl bound to the shared
// server, with a fresh namespace for the test.
func setup(t *testing.T) *env {
	t.Helper()
	e := bare(t, cluster)
	e.ns = e.namespace()
	return e
}

// bare is setup without a namespace, against the given server.
func bare(t *testing.T, s *framework.Server) *env {
	t.Helper()
	if skiffBinary == "" {
		t.Skip("SKIFF_E2E_BINARY is not set")
	}
	// A server that died in an earlier test is started again, so that one crash fails one test.
	if s.Exited() {
		t.Logf("skiff had exited (log: %s); starting it again on the same data dir", s.LogPath)
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("restarting skiff: %v", err)
		}
	}
	t.Cleanup(func() {
		if s.Exited() {
			t.Errorf("skiff exited during this test; last lines of %s:\n%s", s.LogPath, s.LogTail(30))
		}
	})
	return &env{t: t, ctx: t.Context(), server: s, k: &framework.Kubectl{
		Path:       kubectlPath,
		Kubeconfig: s.Kubeconfig(),
		CacheDir:   s.DataDir + ".kubectl-cache",
	}}
}

// in is e for a subtest: failures and the context belong to t.
func (e *env) in(t *testing.T) *env {
	c := *e
	c.t, c.ctx = t, t.Context()
	return &c
}

var nameCleaner = regexp.MustCompile(`[^a-z0-9]+`)

// namespace creates a namespace named after the test; it is deleted (without waiting) at the end.
func (e *env) namespace() string {
	e.t.Helper()
	base := strings.Trim(nameCleaner.ReplaceAllString(strings.ToLower(e.t.Name()), "-"), "-")
	if len(base) > 40 {
		base = strings.TrimRight(base[:40], "-")
	}
	name := fmt.Sprintf("%s-%04x", base, rand.IntN(1<<16))
	e.run("", "create", "namespace", name)
	e.t.Cleanup(func() {
		_ = e.k.Run(context.Background(), "", "delete", "namespace", name, "--wait=false")
	})
	return name
}

// restore registers kubectl args that undo a change to shared cluster state (a cordon, a
// taint). It runs on a fresh context: t.Context() is already cancelled when cleanups run,
// and a skipped undo leaks into every later test on the shared cluster.
func (e *env) restore(args ...string) {
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if r := e.k.Run(ctx, "", args...); !r.OK() {
			e.t.Errorf("restoring shared state failed: %s", r)
		}
	})
}

// run runs kubectl and fails the test unless it exits 0.
func (e *env) run(stdin string, args ...string) framework.Result {
	e.t.Helper()
	r := e.k.Run(e.ctx, stdin, args...)
	if !r.OK() {
		e.t.Fatalf("unexpected failure of %s", r)
	}
	return r
}

// runNS is run in the test's namespace.
func (e *env) runNS(stdin string, args ...string) framework.Result {
	e.t.Helper()
	return e.run(stdin, append([]string{"-n", e.ns}, args...)...)
}

// fail runs kubectl, fails the test if it exits 0, and returns what it printed.
func (e *env) fail(stdin string, args ...string) framework.Result {
	e.t.Helper()
	r := e.k.Run(e.ctx, stdin, args...)
	if r.Err != nil || r.ExitCode == 0 {
		e.t.Fatalf("expected a failure, got %s", r)
	}
	return r
}

// failNS is fail in the test's namespace.
func (e *env) failNS(stdin string, args ...string) framework.Result {
	e.t.Helper()
	return e.fail(stdin, append([]string{"-n", e.ns}, args...)...)
}

// jsonpath returns `kubectl get ARGS -o jsonpath=EXPR` in the test's namespace.
func (e *env) jsonpath(expr string, args ...string) string {
	e.t.Helper()
	return e.runNS("", append(append([]string{"get"}, args...), "-o", "jsonpath="+expr)...).Stdout
}

// getObject returns `kubectl get ARGS -o json` in the test's namespace, decoded.
func (e *env) getObject(args ...string) map[string]any {
	e.t.Helper()
	r := e.runNS("", append(append([]string{"get"}, args...), "-o", "json")...)
	var obj map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &obj); err != nil {
		e.t.Fatalf("decoding %s: %v", r, err)
	}
	return obj
}

// eventually polls cond until it returns nil or timeout passes, then fails with its last error.
func (e *env) eventually(timeout time.Duration, cond func() error) {
	e.t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(e.ctx, 100*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		last = cond()
		return last == nil, nil
	})
	if err != nil {
		e.t.Fatalf("not true within %v: %v", timeout, last)
	}
}

// mustContain fails unless out contains every one of want.
func mustContain(t *testing.T, what, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s: want %q in:\n%s", what, w, out)
		}
	}
}

// mustMatch fails unless out matches every one of the regular expressions.
func mustMatch(t *testing.T, what, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !regexp.MustCompile(w).MatchString(out) {
			t.Errorf("%s: want a match for %q in:\n%s", what, w, out)
		}
	}
}

// lines splits output into its non-empty lines.
func lines(out string) []string {
	var ls []string
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

// table parses kubectl's column output by the offsets of the header's column names, so that empty
// cells (a resource without short names) stay in their column.
func table(out string) []map[string]string {
	ls := lines(out)
	if len(ls) == 0 {
		return nil
	}
	header := ls[0]
	type col struct {
		name  string
		start int
	}
	var cols []col
	for _, m := range regexp.MustCompile(`\S+`).FindAllStringIndex(header, -1) {
		cols = append(cols, col{header[m[0]:m[1]], m[0]})
	}
	var rows []map[string]string
	for _, l := range ls[1:] {
		row := map[string]string{}
		for i, c := range cols {
			end := len(l)
			if i+1 < len(cols) && cols[i+1].start < end {
				end = cols[i+1].start
			}
			if c.start < len(l) {
				row[c.name] = strings.TrimSpace(l[c.start:end])
			}
		}
		rows = append(rows, row)
	}
	return rows
}
