package runtime

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skiff-sh/skiff/test/e2e/framework"
)

// streamTimeout bounds the wait for one line of a long-running kubectl.
const streamTimeout = 60 * time.Second

// startKubectl runs a long-running kubectl in the test's namespace (logs -f, port-forward), stopped
// when the test ends.
func (e *env) startKubectl(args ...string) *framework.Stream {
	e.t.Helper()
	s, err := e.k.Start(e.ctx, append([]string{"-n", e.ns}, args...)...)
	if err != nil {
		e.t.Fatalf("starting kubectl %s: %v", strings.Join(args, " "), err)
	}
	e.t.Cleanup(s.Stop)
	return s
}

// waitLine waits for a line of s after the first from lines matching re and returns its index.
func (e *env) waitLine(s *framework.Stream, re *regexp.Regexp, from int) int {
	e.t.Helper()
	i, err := s.WaitForLine(re, from, streamTimeout)
	if err != nil {
		e.t.Fatal(err)
	}
	return i
}

// outputLines splits kubectl output into its lines, without the last newline.
func outputLines(s string) []string {
	if s = strings.TrimSuffix(s, "\n"); s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

var (
	counterLine = regexp.MustCompile(`^line (\d+)$`)
	// timestampShape is the kubelet's log timestamp: RFC 3339 with all nine digits of nanoseconds.
	timestampShape = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d)$`)
)

// lineNumber is N of "line N", or -1.
func lineNumber(s string) int {
	m := counterLine.FindStringSubmatch(s)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestLogsFollowAndPrevious reads a running container's log with --tail and --timestamps,
// follows it with -f while the container writes, and reads a restarted container's previous
// instance with --previous.
func TestLogsFollowAndPrevious(t *testing.T) {
	e := setup(t)
	e.servesSubresource("log")
	e.apply(busyboxPod("counter", "Never", `i=0; while true; do echo "line $i"; i=$((i+1)); sleep 1; done`))
	// Each instance counts its starts in an emptyDir (which outlives the container), prints
	// them, and the first one fails: the second one is the current instance, the first the
	// previous one.
	e.apply(`apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ` + busyboxImage + `
    imagePullPolicy: Never
    command: ["sh", "-c", "n=$(( $(cat /state/n 2>/dev/null || echo 0) + 1 )); echo $n > /state/n; echo \"start $n\"; [ $n -ge 2 ] && exec sleep 3600; echo \"failing $n\"; exit 1"]
    volumeMounts: [{name: state, mountPath: /state}]
  volumes:
  - name: state
    emptyDir: {}
`)
	e.waitPhase("counter", "Running")

	// --tail and --timestamps.
	var all []string
	e.waitFor("three log lines", 30*time.Second, func() (bool, error) {
		all = outputLines(e.kubectl("logs", "counter").Stdout)
		return len(all) >= 3, nil
	})
	for i, l := range all {
		if lineNumber(l) != i {
			t.Fatalf("log line %d is %q, want %q\n%s", i, l, fmt.Sprintf("line %d", i), strings.Join(all, "\n"))
		}
	}
	tail := outputLines(e.must("logs", "counter", "--tail=2"))
	if len(tail) != 2 || lineNumber(tail[0]) < len(all)-2 || lineNumber(tail[1]) != lineNumber(tail[0])+1 {
		t.Errorf("--tail=2 after %d lines printed %q, want the last two lines", len(all), tail)
	}
	if out := e.must("logs", "counter", "--tail=0"); out != "" {
		t.Errorf("--tail=0 printed %q", out)
	}
	before := time.Now()
	stamped := outputLines(e.must("logs", "counter", "--timestamps"))
	if len(stamped) < len(all) {
		t.Errorf("--timestamps printed %d lines, fewer than the %d before", len(stamped), len(all))
	}
	var prev time.Time
	for i, l := range stamped {
		ts, rest, _ := strings.Cut(l, " ")
		at, err := time.Parse(time.RFC3339Nano, ts)
		switch {
		case err != nil || !timestampShape.MatchString(ts):
			t.Errorf("--timestamps line %q: want an RFC 3339 time with nanoseconds (%v)", l, err)
		case lineNumber(rest) != i:
			t.Errorf("--timestamps line %d is %q, want %q after the timestamp", i, l, fmt.Sprintf("line %d", i))
		case at.Before(prev) || at.After(before.Add(time.Minute)) || at.Before(before.Add(-podTimeout-time.Minute)):
			t.Errorf("--timestamps line %q: time %v out of order or out of range (previous %v, read at %v)", l, at, prev, before)
		}
		prev = at
	}
	// --since-time (whole seconds on the wire): from the first line at or after it.
	if n := len(stamped); n >= 2 {
		ts, _, _ := strings.Cut(stamped[n-1], " ")
		last, _ := time.Parse(time.RFC3339Nano, ts)
		since := last.Truncate(time.Second)
		got := outputLines(e.must("logs", "counter", "--timestamps", "--since-time="+since.Format(time.RFC3339)))
		want := 0
		for want < n {
			ts, _, _ := strings.Cut(stamped[want], " ")
			if at, _ := time.Parse(time.RFC3339Nano, ts); !at.Before(since) {
				break
			}
			want++
		}
		if len(got) < n-want || got[0] != stamped[want] {
			t.Errorf("--since-time=%s printed %q, want from %q on", since.Format(time.RFC3339), got, stamped[want])
		}
	}

	if out := e.must("logs", "counter", "--limit-bytes=9"); out != "line 0\nli" {
		t.Errorf("--limit-bytes=9 printed %q, want %q", out, "line 0\nli")
	}

	// -f streams what the container writes while kubectl follows: a marker written (to the
	// container's stdout) only after kubectl printed a line, then the counter's next lines.
	follow := e.startKubectl("logs", "-f", "counter")
	first := e.waitLine(follow, counterLine, 0)
	marker := fmt.Sprintf("marker-%d", time.Now().UnixNano())
	e.must("exec", "counter", "--", "sh", "-c", "echo "+marker+" > /proc/1/fd/1")
	at := e.waitLine(follow, regexp.MustCompile("^"+marker+"$"), first+1)
	e.waitLine(follow, counterLine, at+1)

	// -f ends when the container does, with everything it printed.
	e.apply(busyboxPod("finite", "Never", "echo ready; for i in 1 2 3 4 5; do sleep 1; echo step $i; done"))
	e.waitPhase("finite", "Running")
	if r := e.kubectl("logs", "-f", "finite"); !r.OK() || r.Stdout != "ready\nstep 1\nstep 2\nstep 3\nstep 4\nstep 5\n" {
		t.Errorf("logs -f of a container that ends: %s", r)
	}

	// --previous: the failed first instance's output, while the current one shows its own.
	if r := e.kubectl("logs", "counter", "--previous"); r.OK() || !strings.Contains(r.Stderr, `previous terminated container "main" in pod "counter" not found`) {
		t.Errorf("--previous without a previous instance: %s", r)
	}
	e.waitFor("crasher restarted and running", podTimeout, func() (bool, error) {
		return e.podField("crasher", "{.status.containerStatuses[0].restartCount}") == "1" &&
			e.podField("crasher", "{.status.containerStatuses[0].state.running.startedAt}") != "", nil
	})
	if code := e.podField("crasher", "{.status.containerStatuses[0].lastState.terminated.exitCode}"); code != "1" {
		t.Errorf("lastState.terminated.exitCode %q, want 1", code)
	}
	e.waitFor("the current instance's log", 30*time.Second, func() (bool, error) {
		return e.kubectl("logs", "crasher").Stdout == "start 2\n", nil
	})
	for _, flag := range []string{"--previous", "-p"} {
		if out := e.must("logs", "crasher", flag); out != "start 1\nfailing 1\n" {
			t.Errorf("logs %s printed %q, want the first instance's %q", flag, out, "start 1\nfailing 1\n")
		}
	}
	if out := e.must("logs", "crasher", "--previous", "--tail=1"); out != "failing 1\n" {
		t.Errorf("logs --previous --tail=1 printed %q, want %q", out, "failing 1\n")
	}
}

// TestExecStdin passes stdin through kubectl exec -i, keeps stdout and stderr apart, and gives
// a command's exit code back.
func TestExecStdin(t *testing.T) {
	e := setup(t)
	e.servesSubresource("exec")
	e.apply(busyboxPod("shell", "Never", "sleep 3600"))
	e.waitPhase("shell", "Running")

	// 256 KiB of random bytes: more than one stream frame, and any byte value.
	payload := make([]byte, 256<<10)
	_, _ = rand.Read(payload)
	r := e.k.Run(e.ctx, string(payload), "-n", e.ns, "exec", "-i", "shell", "--", "sh", "-c", "cat | wc -c")
	if !r.OK() || strings.TrimSpace(r.Stdout) != strconv.Itoa(len(payload)) {
		t.Errorf("exec -i counted %q bytes of stdin, want %d: exit %d %v, stderr %q", strings.TrimSpace(r.Stdout), len(payload), r.ExitCode, r.Err, r.Stderr)
	}
	r = e.k.Run(e.ctx, string(payload), "-n", e.ns, "exec", "-i", "shell", "--", "cat")
	if !r.OK() || r.Stdout != string(payload) {
		t.Errorf("exec -i cat gave back %d bytes (equal: %v) of %d: exit %d %v, stderr %q", len(r.Stdout), r.Stdout == string(payload), len(payload), r.ExitCode, r.Err, r.Stderr)
	}
	// Without -i the command's stdin is empty, whatever kubectl's is.
	r = e.k.Run(e.ctx, "not for the container\n", "-n", e.ns, "exec", "shell", "--", "sh", "-c", "cat | wc -c")
	if !r.OK() || strings.TrimSpace(r.Stdout) != "0" {
		t.Errorf("exec without -i read %q bytes of stdin, want 0: %s", strings.TrimSpace(r.Stdout), r)
	}

	// stdout and stderr stay apart, and the exit code comes back.
	r = e.k.Run(e.ctx, "in\n", "-n", e.ns, "exec", "-i", "shell", "--", "sh", "-c", "read l; echo out-$l; echo err-$l >&2; exit 3")
	if r.ExitCode != 3 || r.Stdout != "out-in\n" || !strings.HasPrefix(r.Stderr, "err-in\n") || strings.Contains(r.Stdout, "err-") {
		t.Errorf("exec of a command writing to both streams and exiting 3: %s", r)
	}
	// A command killed by a signal exits 128+signal; one that cannot start fails.
	r = e.kubectl("exec", "shell", "--", "sh", "-c", "kill -9 $$")
	if r.ExitCode != 137 {
		t.Errorf("exec of a command killed by SIGKILL: %s", r)
	}
	r = e.kubectl("exec", "shell", "--", "no-such-command")
	if r.OK() || !strings.Contains(r.Stderr, "no-such-command") {
		t.Errorf("exec of a command that does not exist: %s", r)
	}
	r = e.kubectl("exec", "shell", "-c", "nope", "--", "true")
	if r.OK() || !strings.Contains(r.Stderr, `container nope is not valid for pod shell`) {
		t.Errorf("exec in a container the pod does not have: %s", r)
	}
	r = e.kubectl("exec", "shell", "--", "sh", "-c", "echo only-err >&2")
	if !r.OK() || r.Stdout != "" || r.Stderr != "only-err\n" {
		t.Errorf("exec of a command writing only to stderr: %s", r)
	}
}

// TestPortForward forwards a local port to an httpd in a pod and fetches its page.
func TestPortForward(t *testing.T) {
	e := setup(t)
	e.servesSubresource("portforward")
	e.apply(busyboxPod("web", "Never", "mkdir -p /www && echo hello-port-forward > /www/index.html && exec httpd -f -p 8080 -h /www"))
	e.waitPhase("web", "Running")

	pf := e.startKubectl("port-forward", "pod/web", "0:8080")
	re := regexp.MustCompile(`(?m)^Forwarding from 127\.0\.0\.1:(\d+) -> 8080$`)
	e.waitLine(pf, re, 0)
	port := re.FindStringSubmatch(pf.Dump())[1]
	url := "http://127.0.0.1:" + port + "/"
	client := &http.Client{Timeout: 10 * time.Second}
	get := func() (string, error) {
		resp, err := client.Get(url)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %s", resp.Status)
		}
		return string(body), err
	}
	// httpd may listen a moment after the pod is Running.
	var lastErr error
	e.waitFor("the page through the forwarded port", 30*time.Second, func() (bool, error) {
		body, err := get()
		lastErr = err
		return err == nil && body == "hello-port-forward\n", nil
	})
	// Each connection is a stream of its own: a few more, one after the other.
	for n := range 3 {
		if body, err := get(); err != nil || body != "hello-port-forward\n" {
			t.Errorf("GET %d through the forwarded port: %q, %v (first error while waiting: %v)", n, body, err, lastErr)
		}
	}
	// Once kubectl stops, nothing listens on the port.
	pf.Stop()
	if _, err := get(); err == nil {
		t.Errorf("GET %s succeeded after port-forward stopped", url)
	}
}

// TestCopy copies a file and a directory into a pod with kubectl cp and back out.
func TestCopy(t *testing.T) {
	e := setup(t)
	e.servesSubresource("exec")
	e.apply(busyboxPod("box", "Never", "sleep 3600"))
	e.waitPhase("box", "Running")

	dir := t.TempDir()
	content := make([]byte, 100<<10)
	_, _ = rand.Read(content)
	src := filepath.Join(dir, "blob")
	if err := os.WriteFile(src, content, 0o644); err != nil {
		t.Fatal(err)
	}
	e.must("cp", src, "box:/tmp/blob")
	if out := strings.TrimSpace(e.must("exec", "box", "--", "sh", "-c", "wc -c < /tmp/blob")); out != strconv.Itoa(len(content)) {
		t.Errorf("the copied file in the pod has %s bytes, want %d", out, len(content))
	}
	back := filepath.Join(dir, "blob.back")
	e.must("cp", "box:/tmp/blob", back)
	if got, err := os.ReadFile(back); err != nil || !bytes.Equal(got, content) {
		t.Errorf("the file copied back differs (%d bytes of %d, %v)", len(got), len(content), err)
	}

	// A directory, with a subdirectory, both ways.
	tree := filepath.Join(dir, "tree")
	files := map[string]string{"a.txt": "alpha\n", "sub/b.txt": "beta\n"}
	for name, data := range files {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.must("cp", tree, "box:/tmp/tree")
	if out := e.must("exec", "box", "--", "cat", "/tmp/tree/a.txt", "/tmp/tree/sub/b.txt"); out != "alpha\nbeta\n" {
		t.Errorf("the copied directory's files in the pod: %q", out)
	}
	treeBack := filepath.Join(dir, "tree.back")
	e.must("cp", "box:/tmp/tree", treeBack)
	for name, data := range files {
		if got, err := os.ReadFile(filepath.Join(treeBack, name)); err != nil || string(got) != data {
			t.Errorf("%s copied back: %q, %v; want %q", name, got, err, data)
		}
	}
}

// TestPreStopAndGracePeriod deletes pods with a preStop hook and containers that exit on SIGTERM
// or ignore it, each timed by kubectl delete --wait:
//   - graceful: the hook takes a few seconds and runs to its end before the container gets
//     SIGTERM (their order shows in the container's log); the deletion waits for the hook, not for
//     the 60s grace period;
//   - slowhook: the hook would take longer than the 3s grace period: the container gets SIGTERM
//     when the grace period ends, before the hook is done;
//   - stubborn: the container ignores SIGTERM and is killed when the grace period given to
//     kubectl delete --grace-period (not its own 60s) ends.
func TestPreStopAndGracePeriod(t *testing.T) {
	e := setup(t)
	const hookSeconds, slowGrace, stubbornGrace = 4, 3, 6
	// The hooks write to the container's stdout (PID 1's), so their lines join its log.
	hookPod := func(name string, grace, hookSleep int) string {
		return `apiVersion: v1
kind: Pod
metadata:
  name: ` + name + `
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: ` + strconv.Itoa(grace) + `
  containers:
  - name: main
    image: ` + busyboxImage + `
    imagePullPolicy: Never
    command: ["sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo ready; sleep 3600 & wait"]
    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "echo prestop start > /proc/1/fd/1; sleep ` + strconv.Itoa(hookSleep) + `; echo prestop end > /proc/1/fd/1"]
`
	}
	e.apply(hookPod("graceful", 60, hookSeconds))
	e.apply(hookPod("slowhook", slowGrace, 120))
	e.apply(`apiVersion: v1
kind: Pod
metadata:
  name: stubborn
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 60
  containers:
  - name: main
    image: ` + busyboxImage + `
    imagePullPolicy: Never
    command: ["sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done"]
`)
	readyLine := regexp.MustCompile(`^ready$`)
	follow := map[string]*framework.Stream{}
	ready := map[string]int{}
	for _, name := range []string{"graceful", "slowhook", "stubborn"} {
		e.waitPhase(name, "Running")
		follow[name] = e.startKubectl("logs", "-f", name)
		ready[name] = e.waitLine(follow[name], readyLine, 0)
	}

	// The deletions at once, each timed by kubectl delete --wait.
	deletes := map[string][]string{
		"graceful": {"delete", "pod", "graceful"},
		"slowhook": {"delete", "pod", "slowhook"},
		"stubborn": {"delete", "pod", "stubborn", "--grace-period=" + strconv.Itoa(stubbornGrace)},
	}
	took := map[string]time.Duration{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, args := range deletes {
		wg.Go(func() {
			begin := time.Now()
			r := e.kubectl(append(args, "--wait=true", "--timeout=55s")...)
			mu.Lock()
			defer mu.Unlock()
			took[name] = time.Since(begin)
			if !r.OK() {
				t.Errorf("deleting %s: %s", name, r)
			}
		})
	}
	wg.Wait()
	t.Logf("deletion took %v (preStop hook %ds, grace period 60s), %v (preStop hook 120s, grace period %ds), %v (ignores SIGTERM, grace period %ds)",
		took["graceful"], hookSeconds, took["slowhook"], slowGrace, took["stubborn"], stubbornGrace)
	if d := took["graceful"]; d < hookSeconds*time.Second || d > 40*time.Second {
		t.Errorf("deleting the pod with a %ds preStop hook that exits on SIGTERM took %v: want at least the hook's time, well under its 60s grace period", hookSeconds, d)
	}
	if d := took["slowhook"]; d < slowGrace*time.Second || d > (slowGrace+30)*time.Second {
		t.Errorf("deleting the pod whose preStop hook outlasts its %ds grace period took %v: want about the grace period", slowGrace, d)
	}
	if d := took["stubborn"]; d < (stubbornGrace-1)*time.Second || d > (stubbornGrace+30)*time.Second {
		t.Errorf("deleting the pod that ignores SIGTERM with --grace-period=%d took %v: want about that grace period", stubbornGrace, d)
	}

	// The hook ran to its end before the container got SIGTERM.
	s := follow["graceful"]
	start := e.waitLine(s, regexp.MustCompile(`^prestop start$`), ready["graceful"]+1)
	end := e.waitLine(s, regexp.MustCompile(`^prestop end$`), start+1)
	e.waitLine(s, regexp.MustCompile(`^got TERM$`), end+1)
	// The slow hook had started, and had not finished, when the grace period sent SIGTERM.
	s = follow["slowhook"]
	start = e.waitLine(s, regexp.MustCompile(`^prestop start$`), ready["slowhook"]+1)
	term := e.waitLine(s, regexp.MustCompile(`^got TERM$`), start+1)
	if out, _, _ := strings.Cut(s.Dump(), "--- stderr:"); strings.Contains(out, "prestop end") {
		t.Errorf("the preStop hook that outlasts the grace period finished (SIGTERM at log line %d):\n%s", term, s.Dump())
	}
}
