package runtime

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// busyboxPod is a pod of the test image running command.
func busyboxPod(name, restart, command string) string {
	return `apiVersion: v1
kind: Pod
metadata:
  name: ` + name + `
  labels: {app: ` + name + `}
spec:
  restartPolicy: ` + restart + `
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ` + busyboxImage + `
    imagePullPolicy: Never
    command: ["sh", "-c", ` + quote(command) + `]
`
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func TestNodeReady(t *testing.T) {
	e := setup(t)
	e.waitFor("a Ready node", podTimeout, func() (bool, error) {
		out := e.kubectl("get", "nodes", "-o", `jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}`).Stdout
		return strings.Contains(out, "True "+nodeIP), nil
	})
}

func TestKubectlRun(t *testing.T) {
	e := setup(t)
	e.must("run", "bb", "--image="+busyboxImage, "--image-pull-policy=Never", "--restart=Never", "--", "sleep", "3600")
	e.waitPhase("bb", "Running")
	ip, err := netip.ParseAddr(e.podField("bb", "{.status.podIP}"))
	if err != nil || !netip.MustParsePrefix(podCIDR).Contains(ip) {
		t.Errorf("pod IP %v (%v) is not in the node's pod CIDR %s", ip, err, podCIDR)
	}
	if ready := e.podField("bb", `{.status.conditions[?(@.type=="Ready")].status}`); ready != "True" {
		t.Errorf("Ready = %q", ready)
	}
	e.must("delete", "pod", "bb", "--grace-period=1", "--wait=true", "--timeout=60s")
}

func TestPodSucceeds(t *testing.T) {
	e := setup(t)
	e.apply(busyboxPod("once", "Never", "test -f /etc/hosts && exit 0"))
	e.waitPhase("once", "Succeeded")
	e.apply(busyboxPod("fails", "Never", "exit 3"))
	e.waitPhase("fails", "Failed")
	if code := e.podField("fails", "{.status.containerStatuses[0].state.terminated.exitCode}"); code != "3" {
		t.Errorf("exit code %q, want 3", code)
	}
}

func TestLogs(t *testing.T) {
	e := setup(t)
	e.servesSubresource("log")
	e.apply(busyboxPod("logger", "Never", "echo hello from skiff; sleep 3600"))
	e.waitPhase("logger", "Running")
	e.waitFor("the log line", 30*time.Second, func() (bool, error) {
		return strings.Contains(e.kubectl("logs", "logger").Stdout, "hello from skiff"), nil
	})
}

func TestExec(t *testing.T) {
	e := setup(t)
	e.servesSubresource("exec")
	e.apply(busyboxPod("shell", "Never", "sleep 3600"))
	e.waitPhase("shell", "Running")
	if out := e.must("exec", "shell", "--", "sh", "-c", "echo $((6*7))"); strings.TrimSpace(out) != "42" {
		t.Errorf("exec printed %q, want 42", out)
	}
	r := e.kubectl("exec", "shell", "--", "sh", "-c", "exit 7")
	if r.ExitCode != 7 {
		t.Errorf("exec of exit 7: %s", r)
	}
}
