package e2e

import (
	"regexp"
	"testing"
	"time"
)

// TestGetWatch: `kubectl get -w` prints the current objects, then a line per change.
func TestGetWatch(t *testing.T) {
	const within = 15 * time.Second
	type step struct {
		do   []string // a kubectl command in the namespace
		line string   // regexp of the line the watch then prints
	}
	tests := []struct {
		name    string
		args    []string
		initial string
		steps   []step
	}{
		{
			name: "table", args: []string{"get", "configmaps", "-w"},
			initial: `^first\s+1\s+\S+$`,
			steps: []step{
				{[]string{"create", "configmap", "second", "--from-literal=a=1", "--from-literal=b=2"}, `^second\s+2\s+\S+$`},
				{[]string{"patch", "configmap", "first", "--type=merge", "-p", `{"data":{"x":"1","y":"2","z":"3"}}`}, `^first\s+4\s+\S+$`},
			},
		},
		{
			name: "watch events", args: []string{"get", "configmaps", "-w", "--output-watch-events"},
			initial: `^ADDED\s+first\s+1\s+\S+$`,
			steps: []step{
				{[]string{"create", "configmap", "second"}, `^ADDED\s+second\s+0\s+\S+$`},
				{[]string{"label", "configmap", "second", "a=b"}, `^MODIFIED\s+second\s+0\s+\S+$`},
				{[]string{"delete", "configmap", "second"}, `^DELETED\s+second\s+0\s+\S+$`},
			},
		},
		{
			name: "watch-only by name", args: []string{"get", "configmap", "first", "--watch-only", "-o", "name"},
			steps: []step{
				{[]string{"create", "configmap", "other"}, ``},
				{[]string{"label", "configmap", "first", "seen=yes"}, `^configmap/first$`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.runNS("", "create", "configmap", "first", "--from-literal=k=v")
			w, err := e.k.Start(e.ctx, append([]string{"-n", e.ns}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			next := 0
			if tt.initial != "" {
				i, err := w.WaitForLine(regexp.MustCompile(tt.initial), 0, within)
				if err != nil {
					t.Fatal(err)
				}
				next = i + 1
			}
			for _, s := range tt.steps {
				e.runNS("", s.do...)
				if s.line == "" {
					continue
				}
				i, err := w.WaitForLine(regexp.MustCompile(s.line), next, within)
				if err != nil {
					t.Fatalf("after kubectl %v: %v", s.do, err)
				}
				next = i + 1
			}
			// -o name of a single object must not have shown the other one.
			if tt.name == "watch-only by name" {
				if _, err := w.WaitForLine(regexp.MustCompile(`other`), 0, 0); err == nil {
					t.Errorf("watch of configmap/first printed configmap/other:\n%s", w.Dump())
				}
			}
		})
	}
}
