package kubeletserver_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// kubectlBinary is the repository's bin/kubectl (make kubectl), the release skiff follows.
func kubectlBinary(t *testing.T) string {
	t.Helper()
	path, err := filepath.Abs("../../bin/kubectl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Skip("no bin/kubectl (make kubectl)")
	}
	return path
}

// testKubectl drives logs, exec, cp and port-forward with stock kubectl (websockets by default).
func testKubectl(t *testing.T, kubeconfig, ns string) {
	bin := kubectlBinary(t)
	run := func(stdin string, args ...string) (string, string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--kubeconfig", kubeconfig, "-n", ns}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr, cmd.Stdin = &stdout, &stderr, strings.NewReader(stdin)
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}

	if out, stderr, err := run("", "logs", "web", "-c", "main"); err != nil || !strings.Contains(out, "hello\n") {
		t.Errorf("kubectl logs: %q %q %v", out, stderr, err)
	}
	if _, stderr, err := run("", "logs", "web", "-c", "nope"); err == nil || !strings.Contains(stderr, "container nope is not valid for pod web") {
		t.Errorf("kubectl logs -c nope: %q %v", stderr, err)
	}
	out, stderr, err := run("", "exec", "web", "-c", "main", "--", "sh", "-c", "echo hi; echo err >&2; exit 4")
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 4 || out != "hi\n" || stderr != "err\ncommand terminated with exit code 4\n" {
		t.Errorf("kubectl exec: %q %q %v", out, stderr, err)
	}
	if out, stderr, err := run("piped", "exec", "-i", "web", "-c", "main", "--", "cat"); err != nil || out != "piped" {
		t.Errorf("kubectl exec -i: %q %q %v", out, stderr, err)
	}

	local := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(local, []byte("copied in\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := run("", "cp", "-c", "main", local, "web:/tmp/file"); err != nil {
		t.Errorf("kubectl cp to the pod: %q %v", stderr, err)
	}
	if out, stderr, err := run("", "exec", "web", "-c", "main", "--", "cat", "/tmp/file"); err != nil || out != "copied in\n" {
		t.Errorf("file copied in: %q %q %v", out, stderr, err)
	}
	back := filepath.Join(t.TempDir(), "passwd")
	if _, stderr, err := run("", "cp", "-c", "main", "web:/etc/passwd", back); err != nil {
		t.Errorf("kubectl cp from the pod: %q %v", stderr, err)
	}
	if b, err := os.ReadFile(back); err != nil || !strings.Contains(string(b), "root:x:0:0") {
		t.Errorf("file copied out: %q %v", b, err)
	}

	t.Run("port-forward", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cmd := exec.CommandContext(ctx, bin, "--kubeconfig", kubeconfig, "-n", ns, "port-forward", "--address", "127.0.0.1", "pod/web", ":8080")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			cancel()
			_ = cmd.Wait()
		}()
		// "Forwarding from 127.0.0.1:NNNN -> 8080"
		lines := bufio.NewScanner(stdout)
		if !lines.Scan() {
			t.Fatalf("kubectl port-forward printed nothing: %q", stderr.String())
		}
		m := regexp.MustCompile(`Forwarding from (127\.0\.0\.1:\d+) -> 8080`).FindStringSubmatch(lines.Text())
		if m == nil {
			t.Fatalf("kubectl port-forward: %q", lines.Text())
		}
		go func() { _, _ = io.Copy(io.Discard, stdout) }()
		hc := &http.Client{Timeout: 10 * time.Second}
		resp, err := hc.Get("http://" + m[1] + "/passwd")
		if err != nil {
			t.Fatalf("GET through kubectl port-forward: %v (%q)", err, stderr.String())
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), "root:x:0:0") {
			t.Errorf("GET /passwd: %q", body)
		}
	})
}
