package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/skiff-sh/skiff/test/e2e/framework"
)

// podTimeout bounds a pod's way to Running or to its end.
const podTimeout = 2 * time.Minute

// env is one test's kubectl and namespace.
type env struct {
	t   *testing.T
	ctx context.Context
	k   *framework.Kubectl
	ns  string
}

// setup skips t when the suite cannot run and gives it a namespace, deleted when it ends.
func setup(t *testing.T) *env {
	t.Helper()
	requireNode(t)
	e := &env{t: t, ctx: context.Background(), k: &framework.Kubectl{
		Path: kubectlPath, Kubeconfig: cluster.Kubeconfig(), CacheDir: cluster.DataDir + ".kubectl-cache",
	}}
	e.ns = fmt.Sprintf("rt-%d", rand.IntN(1_000_000))
	e.must("create", "namespace", e.ns)
	// The namespace's default ServiceAccount comes from the controller manager a moment after the
	// namespace, and ServiceAccount admission refuses pods until then (upstream's e2e framework
	// waits for it too).
	e.waitFor("the default ServiceAccount", podTimeout, func() (bool, error) {
		return e.kubectl("get", "serviceaccount", "default").OK(), nil
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pods:\n%s\nevents:\n%s\nlast lines of the %s's log:%s", e.kubectl("get", "pods", "-o", "wide").Output(),
				e.kubectl("get", "events").Output(), "node", nodeLogTail())
		}
		e.kubectl("delete", "namespace", e.ns, "--wait=false")
	})
	return e
}

// kubectl runs kubectl in the test's namespace.
func (e *env) kubectl(args ...string) framework.Result {
	return e.k.Run(e.ctx, "", append([]string{"-n", e.ns}, args...)...)
}

func (e *env) must(args ...string) string {
	e.t.Helper()
	r := e.kubectl(args...)
	if !r.OK() {
		e.t.Fatalf("%s", r)
	}
	return r.Stdout
}

func (e *env) apply(manifest string) {
	e.t.Helper()
	r := e.k.Run(e.ctx, manifest, "-n", e.ns, "apply", "-f", "-")
	if !r.OK() {
		e.t.Fatalf("%s", r)
	}
}

// waitFor polls cond until it holds or timeout passes.
func (e *env) waitFor(what string, timeout time.Duration, cond func() (bool, error)) {
	e.t.Helper()
	err := wait.PollUntilContextTimeout(e.ctx, 250*time.Millisecond, timeout, true, func(context.Context) (bool, error) { return cond() })
	if err != nil {
		e.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// podField reads one JSONPath of a pod.
func (e *env) podField(name, jsonpath string) string {
	return strings.TrimSpace(e.kubectl("get", "pod", name, "-o", "jsonpath="+jsonpath).Stdout)
}

// waitPhase waits for pod name to reach phase.
func (e *env) waitPhase(name, phase string) {
	e.t.Helper()
	e.waitFor("pod "+name+" "+phase, podTimeout, func() (bool, error) {
		got := e.podField(name, "{.status.phase}")
		if phase == "Running" && (got == "Succeeded" || got == "Failed") {
			return false, fmt.Errorf("pod %s ended %s", name, got)
		}
		return got == phase, nil
	})
}

// servesSubresource skips t when the API server does not serve pods/<sub> (the kubelet API
// proxy is not part of every build yet).
func (e *env) servesSubresource(sub string) {
	e.t.Helper()
	r := e.k.Run(e.ctx, "", "get", "--raw", "/api/v1")
	var list struct {
		Resources []struct{ Name string } `json:"resources"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil {
		e.t.Fatalf("discovery of /api/v1: %v: %s", err, r)
	}
	for _, res := range list.Resources {
		if res.Name == "pods/"+sub {
			return
		}
	}
	e.t.Skipf("the API server does not serve pods/%s", sub)
}
