package kubeletserver_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
	utilexec "k8s.io/client-go/util/exec"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/containerd/containerdtest"
	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/images"
	"github.com/skiff-sh/skiff/nodeagent/kubeletserver"
	"github.com/skiff-sh/skiff/test/integration/framework"
)

// podMap is a PodSource of fixed pods.
type podMap struct {
	mu   sync.Mutex
	pods map[string]*corev1.Pod
}

func (m *podMap) GetPodByName(namespace, name string) (*corev1.Pod, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.pods[namespace+"/"+name]
	return p, ok
}

func (m *podMap) GetPods() []*corev1.Pod {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*corev1.Pod
	for _, p := range m.pods {
		out = append(out, p)
	}
	return out
}

// TestThroughAPIServer runs a busybox container through CRI, a Pod object for it bound to a
// Node whose kubelet endpoint is this package's server, and reads its logs, execs into it and
// proxies to the node through the apiserver with client-go.
func TestThroughAPIServer(t *testing.T) {
	containerdtest.Require(t)
	env := containerdtest.Start(t, containerdtest.Options{})
	ctx := t.Context()
	srv, err := framework.Start(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	client := srv.Client(t)
	ns := srv.Namespace(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pods := &podMap{pods: map[string]*corev1.Pod{}}
	serverCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- kubeletserver.Run(serverCtx, kubeletserver.Config{
			Listener: ln, CertDir: t.TempDir(), ClientCAFile: srv.Options.PKI().CACert(), Client: client,
			NodeName: "node-1", Runtime: env.Runtime, Pods: pods,
		})
	}()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("kubelet server: %v", err)
		}
	})

	createNode(t, client, "node-1", ln.Addr().(*net.TCPAddr).Port)
	pod, err := client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{
			{Name: "main", Image: images.BusyboxImageName}, {Name: "side", Image: images.BusyboxImageName},
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// kubectl port-forward wants a running pod; no kubelet reports one here.
	pod.Status.Phase = corev1.PodRunning
	if pod, err = client.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods.mu.Lock()
	pods.pods[ns+"/web"] = pod
	pods.mu.Unlock()
	runContainer(t, env, pod, "main", `echo hello; echo oops >&2; httpd -p 8080 -h /etc; trap "exit 0" TERM; while true; do sleep 0.1; done`)

	// Stream, as kubectl reads logs: errors come back as the server's Status.
	logs := func(opts *corev1.PodLogOptions) (string, error) {
		stream, err := client.CoreV1().Pods(ns).GetLogs("web", opts).Stream(ctx)
		if err != nil {
			return "", err
		}
		defer stream.Close()
		body, err := io.ReadAll(stream)
		return string(body), err
	}
	var got string
	if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		got, err = logs(&corev1.PodLogOptions{Container: "main"})
		return strings.Contains(got, "hello\n") && strings.Contains(got, "oops\n"), nil
	}); err != nil {
		t.Fatalf("logs %q, %v", got, err)
	}

	t.Run("logs", func(t *testing.T) {
		tail := int64(1)
		if got, err := logs(&corev1.PodLogOptions{Container: "main", TailLines: &tail}); err != nil || strings.Count(got, "\n") != 1 {
			t.Errorf("tailLines=1: %q, %v", got, err)
		}
		got, err := logs(&corev1.PodLogOptions{Container: "main", Timestamps: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			ts, _, _ := strings.Cut(line, " ")
			if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
				t.Errorf("line %q has no timestamp: %v", line, err)
			}
		}
		limit := int64(3)
		if got, err := logs(&corev1.PodLogOptions{Container: "main", LimitBytes: &limit}); err != nil || len(got) != 3 {
			t.Errorf("limitBytes=3: %q, %v", got, err)
		}
	})

	t.Run("log errors", func(t *testing.T) {
		negative := int64(-1)
		tests := []struct {
			opts *corev1.PodLogOptions
			code int32
			msg  string
		}{
			{opts: &corev1.PodLogOptions{}, code: 400, msg: "a container name must be specified for pod web, choose one of: [main side]"},
			{opts: &corev1.PodLogOptions{Container: "bad"}, code: 400, msg: "container bad is not valid for pod web"},
			{opts: &corev1.PodLogOptions{Container: "side"}, code: 400, msg: `container "side" in pod "web" is waiting to start - no logs yet`},
			{opts: &corev1.PodLogOptions{Container: "main", Previous: true}, code: 400, msg: `previous terminated container "main" in pod "web" not found`},
			{opts: &corev1.PodLogOptions{Container: "main", TailLines: &negative}, code: 422, msg: "tailLines: Invalid value: -1: must be greater than or equal to 0"},
		}
		for _, tt := range tests {
			_, err := logs(tt.opts)
			var status apierrors.APIStatus
			if !errors.As(err, &status) || status.Status().Code != tt.code || !strings.HasSuffix(status.Status().Message, tt.msg) {
				var code int32
				var msg string
				if status != nil {
					code, msg = status.Status().Code, status.Status().Message
				}
				t.Errorf("%+v: got %v (%d %q), want %d %q", tt.opts, err, code, msg, tt.code, tt.msg)
			}
		}
	})

	exec := func(t *testing.T, ws bool, stdin string, command ...string) (string, string, error) {
		t.Helper()
		req := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name("web").SubResource("exec").
			VersionedParams(&corev1.PodExecOptions{Container: "main", Command: command, Stdin: stdin != "", Stdout: true, Stderr: true}, scheme.ParameterCodec)
		var executor remotecommand.Executor
		var err error
		if ws {
			executor, err = remotecommand.NewWebSocketExecutor(srv.ClientConfig, "GET", req.URL().String())
		} else {
			executor, err = remotecommand.NewSPDYExecutor(srv.ClientConfig, "POST", req.URL())
		}
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		opts := remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr}
		if stdin != "" {
			opts.Stdin = strings.NewReader(stdin)
		}
		err = executor.StreamWithContext(ctx, opts)
		return stdout.String(), stderr.String(), err
	}
	for _, ws := range []bool{false, true} {
		name := map[bool]string{false: "exec spdy", true: "exec websocket"}[ws]
		t.Run(name, func(t *testing.T) {
			stdout, stderr, err := exec(t, ws, "", "sh", "-c", "echo out; echo err >&2; exit 3")
			var exitErr utilexec.CodeExitError
			if !errors.As(err, &exitErr) || exitErr.Code != 3 {
				t.Errorf("exit: %v", err)
			}
			if stdout != "out\n" || stderr != "err\n" {
				t.Errorf("stdout %q stderr %q", stdout, stderr)
			}
			if stdout, _, err := exec(t, ws, "from stdin", "cat"); err != nil || stdout != "from stdin" {
				t.Errorf("cat: %q, %v", stdout, err)
			}
		})
	}

	t.Run("follow", func(t *testing.T) {
		fctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stream, err := client.CoreV1().Pods(ns).GetLogs("web", &corev1.PodLogOptions{Container: "main", Follow: true}).Stream(fctx)
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Close()
		out := &syncBuffer{}
		copied := make(chan struct{})
		go func() {
			defer close(copied)
			_, _ = io.Copy(out, stream)
		}()
		poll(t, func() bool { return strings.Contains(out.String(), "hello\n") }, out)
		// Writing to the container's own stdout appends to its log.
		if _, _, err := exec(t, false, "", "sh", "-c", "echo more >/proc/1/fd/1"); err != nil {
			t.Fatal(err)
		}
		poll(t, func() bool { return strings.Contains(out.String(), "more\n") }, out)
		cancel()
		<-copied
	})

	t.Run("attach", func(t *testing.T) {
		actx, cancel := context.WithCancel(ctx)
		defer cancel()
		req := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name("web").SubResource("attach").
			VersionedParams(&corev1.PodAttachOptions{Container: "main", Stdout: true, Stderr: true}, scheme.ParameterCodec)
		executor, err := remotecommand.NewWebSocketExecutor(srv.ClientConfig, "GET", req.URL().String())
		if err != nil {
			t.Fatal(err)
		}
		out := &syncBuffer{}
		attached := make(chan error, 1)
		go func() {
			attached <- executor.StreamWithContext(actx, remotecommand.StreamOptions{Stdout: out, Stderr: io.Discard})
		}()
		// The attach may not be in place when the first echo runs: repeat until one arrives.
		poll(t, func() bool {
			if _, _, err := exec(t, false, "", "sh", "-c", "echo attached >/proc/1/fd/1"); err != nil {
				t.Fatal(err)
			}
			return strings.Contains(out.String(), "attached\n")
		}, out)
		cancel()
		<-attached
	})

	for _, ws := range []bool{false, true} {
		t.Run(map[bool]string{false: "port-forward spdy", true: "port-forward websocket"}[ws], func(t *testing.T) {
			body := portForwardGet(t, srv.ClientConfig, client, ns, ws, "/passwd")
			if !strings.Contains(body, "root:x:0:0") {
				t.Errorf("GET /passwd through port-forward: %q", body)
			}
		})
	}

	t.Run("node proxy", func(t *testing.T) {
		body, err := client.CoreV1().RESTClient().Get().AbsPath("/api/v1/nodes/node-1/proxy/healthz").DoRaw(ctx)
		if err != nil || string(body) != "ok" {
			t.Errorf("healthz: %q, %v", body, err)
		}
		body, err = client.CoreV1().RESTClient().Get().AbsPath("/api/v1/nodes/node-1/proxy/stats/summary").DoRaw(ctx)
		if err != nil || !strings.Contains(string(body), `"podRef":{"name":"web","namespace":"`+ns+`"`) {
			t.Errorf("stats/summary: %s, %v", body, err)
		}
	})

	t.Run("discovery", func(t *testing.T) {
		list, err := client.Discovery().ServerResourcesForGroupVersion("v1")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range list.APIResources {
			verbs := slices.Sorted(slices.Values(r.Verbs))
			got[r.Name] = r.Kind + " " + strings.Join(verbs, ",")
		}
		want := map[string]string{ // as kube-apiserver v1.37 reports them
			"pods/log":         "Pod get",
			"pods/exec":        "PodExecOptions create,get",
			"pods/attach":      "PodAttachOptions create,get",
			"pods/portforward": "PodPortForwardOptions create,get",
			"nodes/proxy":      "NodeProxyOptions create,delete,get,patch,update",
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s: %q, want %q", name, got[name], w)
			}
		}
	})

	t.Run("kubectl", func(t *testing.T) { testKubectl(t, srv.Options.KubeconfigPath(), ns) })

	t.Run("delegated auth", func(t *testing.T) {
		// The admin's client certificate: x509 authentication, allowed by SubjectAccessReview.
		cfg := rest.CopyConfig(srv.ClientConfig)
		cfg.Insecure, cfg.CAData, cfg.CAFile = true, nil, ""
		rt, err := rest.TransportFor(cfg)
		if err != nil {
			t.Fatal(err)
		}
		status, body := get(t, &http.Client{Transport: rt}, "https://"+ln.Addr().String()+"/pods", "")
		if status != http.StatusOK || !strings.Contains(body, `"name":"web"`) {
			t.Errorf("admin certificate: %d %q", status, body)
		}
		// A service account's token: TokenReview authenticates it, SubjectAccessReview denies it.
		if _, err := client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "reader"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		token, err := client.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "reader", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		status, body = get(t, insecureClient(), "https://"+ln.Addr().String()+"/pods", token.Status.Token)
		want := "Forbidden (user=system:serviceaccount:" + ns + ":reader, verb=get, resource=nodes, subresource(s)=[pods proxy])\n"
		if status != http.StatusForbidden || body != want {
			t.Errorf("service account token: %d %q, want 403 %q", status, body, want)
		}
		status, body = get(t, insecureClient(), "https://"+ln.Addr().String()+"/pods", "not-a-token")
		if status != http.StatusUnauthorized || body != "Unauthorized" {
			t.Errorf("bad token: %d %q", status, body)
		}
	})

	t.Run("unauthenticated", func(t *testing.T) {
		if status, body := get(t, insecureClient(), "https://"+ln.Addr().String()+"/pods", ""); status != http.StatusUnauthorized {
			t.Errorf("status %d %q, want 401", status, body)
		}
	})
}

func createNode(t *testing.T, client kubernetes.Interface, name string, port int) {
	t.Helper()
	ctx := t.Context()
	node, err := client.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}, {Type: corev1.NodeHostName, Address: name}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
	if _, err := client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// runContainer starts pod's sandbox and container name running sh -c script, labelled as the
// kubelet labels them.
func runContainer(t *testing.T, env *containerdtest.Env, pod *corev1.Pod, name, script string) {
	t.Helper()
	ctx := t.Context()
	uid := string(pod.UID)
	logDir := filepath.Join(env.Dir, "pods", pod.Namespace+"_"+pod.Name+"_"+uid)
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	pidNS := &runtimeapi.NamespaceOption{Pid: runtimeapi.NamespaceMode_CONTAINER}
	sandbox := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: pod.Name, Namespace: pod.Namespace, Uid: uid},
		Hostname:     pod.Name,
		LogDirectory: logDir,
		Labels:       cri.PodLabels(pod.Namespace, pod.Name, uid),
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			CgroupParent:    env.CgroupParent,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{NamespaceOptions: pidNS},
		},
	}
	podID, err := env.Runtime.RunPodSandbox(ctx, sandbox, "")
	if err != nil {
		t.Fatal(err)
	}
	labels := cri.PodLabels(pod.Namespace, pod.Name, uid)
	labels[cri.LabelContainerName] = name
	id, err := env.Runtime.CreateContainer(ctx, podID, &runtimeapi.ContainerConfig{
		Metadata:    &runtimeapi.ContainerMetadata{Name: name},
		Image:       &runtimeapi.ImageSpec{Image: images.BusyboxImageName},
		Command:     []string{"sh", "-c", script},
		LogPath:     filepath.Join(name, "0.log"),
		Labels:      labels,
		Annotations: map[string]string{cri.AnnotationContainerRestartCount: strconv.Itoa(0)},
		Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
			NamespaceOptions: pidNS,
		}},
	}, sandbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Runtime.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// portForwardGet forwards a local port to the pod's port 8080 and GETs path through it.
func portForwardGet(t *testing.T, config *rest.Config, client kubernetes.Interface, ns string, ws bool, path string) string {
	t.Helper()
	u := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name("web").SubResource("portforward").URL()
	var dialer httpstream.Dialer
	if ws {
		var err error
		if dialer, err = portforward.NewSPDYOverWebsocketDialer(u, config); err != nil {
			t.Fatal(err)
		}
	} else {
		transport, upgrader, err := spdy.RoundTripperFor(config)
		if err != nil {
			t.Fatal(err)
		}
		dialer = spdy.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", u)
	}
	stop, ready := make(chan struct{}), make(chan struct{})
	fw, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:8080"}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- fw.ForwardPorts() }()
	defer func() {
		close(stop)
		if err := <-done; err != nil {
			t.Errorf("port-forward: %v", err)
		}
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("port-forward ended: %v", err)
	}
	ports, err := fw.GetPorts()
	if err != nil || len(ports) != 1 {
		t.Fatalf("ports %v, %v", ports, err)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get("http://127.0.0.1:" + strconv.Itoa(int(ports[0].Local)) + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// syncBuffer is a buffer read by the test while a stream writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func poll(t *testing.T, cond func() bool, out *syncBuffer) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 20*time.Second, true, func(context.Context) (bool, error) {
		return cond(), nil
	})
	if err != nil {
		t.Fatalf("%v; output so far %q", err, out.String())
	}
}

// insecureClient trusts the kubelet's self-signed certificate and presents none of its own.
func insecureClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // self-signed
}

func get(t *testing.T, hc *http.Client, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}
