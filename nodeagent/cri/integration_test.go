package cri_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/util/wait"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	utilexec "k8s.io/utils/exec"

	"github.com/skiff-sh/skiff/nodeagent/containerd/containerdtest"
	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/images"
)

// timings records how long each CRI call took.
type timings struct {
	t     *testing.T
	names []string
	d     map[string]time.Duration
}

func (tm *timings) time(name string, f func() error) {
	tm.t.Helper()
	start := time.Now()
	err := f()
	tm.d[name] = time.Since(start)
	tm.names = append(tm.names, name)
	if err != nil {
		tm.t.Fatalf("%s: %v", name, err)
	}
}

// TestPodLifecycle runs a pod on a real containerd in this test's network namespace: a sandbox on
// the bridge network, a container that prints and exits, one that serves HTTP and stops on SIGTERM,
// exec into it, then removes everything and checks that nothing is left.
func TestPodLifecycle(t *testing.T) {
	containerdtest.Require(t)
	env := containerdtest.Start(t, containerdtest.Options{})
	rt := env.Runtime
	ctx := context.Background()
	tm := &timings{t: t, d: map[string]time.Duration{}}

	var version *runtimeapi.VersionResponse
	tm.time("Version", func() (err error) { version, err = rt.Version(ctx, "v1"); return err })
	if version.RuntimeName != "containerd" || version.RuntimeApiVersion != "v1" {
		t.Errorf("version %+v", version)
	}
	for _, name := range []string{images.PauseImageName, images.BusyboxImageName} {
		var st *runtimeapi.ImageStatusResponse
		tm.time("ImageStatus "+name, func() (err error) {
			st, err = rt.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: name}, false)
			return err
		})
		if st.GetImage() == nil || !slices.Contains(st.Image.RepoTags, name) {
			t.Errorf("image %s: status %+v", name, st.GetImage())
		}
	}
	if st, err := rt.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: "localhost/absent:1"}, false); err != nil || st.GetImage() != nil {
		t.Errorf("absent image: %+v, %v", st.GetImage(), err)
	}

	sandboxConfig, logDir := podConfig(t, env, "lifecycle", runtimeapi.NamespaceMode_CONTAINER)
	var podID string
	tm.time("RunPodSandbox", func() (err error) { podID, err = rt.RunPodSandbox(ctx, sandboxConfig, ""); return err })
	var podStatus *runtimeapi.PodSandboxStatusResponse
	tm.time("PodSandboxStatus", func() (err error) { podStatus, err = rt.PodSandboxStatus(ctx, podID, false); return err })
	if podStatus.Status.State != runtimeapi.PodSandboxState_SANDBOX_READY {
		t.Fatalf("sandbox state %v", podStatus.Status.State)
	}
	podIP, err := netip.ParseAddr(podStatus.Status.GetNetwork().GetIp())
	if err != nil || !netip.MustParsePrefix(env.Subnet).Contains(podIP) {
		t.Fatalf("pod IP %q (%v) not in %s", podStatus.Status.GetNetwork().GetIp(), err, env.Subnet)
	}

	var helloID, webID string
	tm.time("CreateContainer", func() (err error) {
		helloID, err = rt.CreateContainer(ctx, podID, containerConfig("hello", runtimeapi.NamespaceMode_CONTAINER, "sh", "-c", "echo hello; sleep 1"), sandboxConfig)
		return err
	})
	tm.time("StartContainer", func() error { return rt.StartContainer(ctx, helloID) })
	// web serves /etc over HTTP and exits 0 on SIGTERM (as PID 1, sh only gets signals it traps).
	tm.time("CreateContainer web", func() (err error) {
		webID, err = rt.CreateContainer(ctx, podID, containerConfig("web", runtimeapi.NamespaceMode_CONTAINER, "sh", "-c",
			`trap "exit 0" TERM; httpd -p 8080 -h /etc; while true; do sleep 0.1; done`), sandboxConfig)
		return err
	})
	tm.time("StartContainer web", func() error { return rt.StartContainer(ctx, webID) })

	var stdout, stderr []byte
	tm.time("ExecSync", func() (err error) {
		stdout, stderr, err = rt.ExecSync(ctx, webID, []string{"echo", "hi"}, 10*time.Second)
		return err
	})
	if string(stdout) != "hi\n" || len(stderr) != 0 {
		t.Errorf("exec echo hi: stdout %q stderr %q", stdout, stderr)
	}
	_, _, err = rt.ExecSync(ctx, webID, []string{"sh", "-c", "echo oops >&2; exit 3"}, 10*time.Second)
	var exitErr utilexec.CodeExitError
	if !errors.As(err, &exitErr) || exitErr.Code != 3 {
		t.Errorf("exec exiting 3: %v", err)
	}

	// The pod is reachable over the bridge from this network namespace.
	body := httpGet(t, fmt.Sprintf("http://%s/passwd", netip.AddrPortFrom(podIP, 8080)))
	if !strings.Contains(body, "root:x:0:0") {
		t.Errorf("GET /passwd from the pod: %q", body)
	}

	exec, err := rt.Exec(ctx, &runtimeapi.ExecRequest{ContainerId: webID, Cmd: []string{"sh"}, Stdin: true, Stdout: true})
	if err != nil || !strings.HasPrefix(exec.GetUrl(), "http://127.0.0.1:") {
		t.Errorf("exec URL %q, %v", exec.GetUrl(), err)
	}
	attach, err := rt.Attach(ctx, &runtimeapi.AttachRequest{ContainerId: webID, Stdout: true, Stderr: true})
	if err != nil || !strings.HasPrefix(attach.GetUrl(), "http://127.0.0.1:") {
		t.Errorf("attach URL %q, %v", attach.GetUrl(), err)
	}
	pf, err := rt.PortForward(ctx, &runtimeapi.PortForwardRequest{PodSandboxId: podID, Port: []int32{8080}})
	if err != nil || !strings.HasPrefix(pf.GetUrl(), "http://127.0.0.1:") {
		t.Errorf("port-forward URL %q, %v", pf.GetUrl(), err)
	}

	// hello exits 0 after a second, having logged "hello" in the CRI log format.
	var helloStatus *runtimeapi.ContainerStatus
	if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		st, err := rt.ContainerStatus(ctx, helloID, false)
		if err != nil {
			return false, err
		}
		helloStatus = st.Status
		return st.Status.State == runtimeapi.ContainerState_CONTAINER_EXITED, nil
	}); err != nil {
		t.Fatalf("hello did not exit: %v (status %+v)", err, helloStatus)
	}
	if helloStatus.ExitCode != 0 || helloStatus.Reason != "Completed" {
		t.Errorf("hello exited %d, reason %q", helloStatus.ExitCode, helloStatus.Reason)
	}
	log, err := os.ReadFile(filepath.Join(logDir, "hello", "0.log"))
	if err != nil || !strings.Contains(string(log), " stdout F hello\n") {
		t.Errorf("hello's log %q, %v", log, err)
	}

	var list []*runtimeapi.Container
	tm.time("ListContainers", func() (err error) {
		list, err = rt.ListContainers(ctx, &runtimeapi.ContainerFilter{PodSandboxId: podID})
		return err
	})
	if len(list) != 2 {
		t.Errorf("pod has %d containers, want 2", len(list))
	}
	tm.time("StopContainer web", func() error { return rt.StopContainer(ctx, webID, 10) })
	if st, err := rt.ContainerStatus(ctx, webID, false); err != nil || st.Status.ExitCode != 0 {
		t.Errorf("web after SIGTERM: %+v, %v", st.GetStatus(), err)
	}
	tm.time("RemoveContainer", func() error { return rt.RemoveContainer(ctx, helloID) })
	tm.time("RemoveContainer web", func() error { return rt.RemoveContainer(ctx, webID) })
	tm.time("StopPodSandbox", func() error { return rt.StopPodSandbox(ctx, podID) })
	tm.time("RemovePodSandbox", func() error { return rt.RemovePodSandbox(ctx, podID) })
	var pods []*runtimeapi.PodSandbox
	tm.time("ListPodSandbox", func() (err error) { pods, err = rt.ListPodSandbox(ctx, nil); return err })
	if len(pods) != 0 {
		t.Errorf("%d sandboxes left", len(pods))
	}

	pid := env.Process.Pid()
	if err := env.Teardown(); err != nil {
		t.Errorf("teardown had to clean up: %v", err)
	}
	if left := env.Leftovers(); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("containerd (pid %d) still exists: %v", pid, err)
	}

	for _, name := range slices.Sorted(maps.Keys(env.Timings)) {
		t.Logf("%-32s %v", name, env.Timings[name].Round(time.Millisecond))
	}
	for _, name := range tm.names {
		t.Logf("%-32s %v", name, tm.d[name].Round(time.Millisecond))
	}
}

// podConfig is a sandbox in the environment's cgroup parent with a log directory under its
// data directory, and the PID namespace mode pid (the kubelet always sets one).
func podConfig(t *testing.T, env *containerdtest.Env, name string, pid runtimeapi.NamespaceMode) (*runtimeapi.PodSandboxConfig, string) {
	t.Helper()
	uid := uuid.NewString()
	logDir := filepath.Join(env.Dir, "pods", "default_"+name+"_"+uid)
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Namespace: "default", Uid: uid},
		Hostname:     name,
		LogDirectory: logDir,
		Labels:       map[string]string{"io.kubernetes.pod.uid": uid},
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			CgroupParent: env.CgroupParent,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{Pid: pid},
			},
		},
	}, logDir
}

// containerConfig is a busybox container running command, logging to NAME/0.log, in the PID
// namespace mode of its pod.
func containerConfig(name string, pid runtimeapi.NamespaceMode, command ...string) *runtimeapi.ContainerConfig {
	return &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: name},
		Image:    &runtimeapi.ImageSpec{Image: images.BusyboxImageName},
		Command:  command,
		LogPath:  filepath.Join(name, "0.log"),
		Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Pid: pid},
		}},
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	var body string
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 20*time.Second, true, func(context.Context) (bool, error) {
		resp, err := client.Get(url)
		if err != nil {
			return false, nil
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		body = string(b)
		return err == nil && resp.StatusCode == http.StatusOK, nil
	})
	if err != nil {
		t.Fatalf("GET %s: %v (last body %q)", url, err, body)
	}
	return body
}

var _ cri.Service = (*cri.Client)(nil)
