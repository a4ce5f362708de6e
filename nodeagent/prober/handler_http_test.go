package prober

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// testServer serves the paths the HTTP tests probe and records the last request's headers.
func testServer(t *testing.T) (*httptest.Server, int, *lastHeader) {
	t.Helper()
	last := &lastHeader{}
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		h.Set("Host", r.Host)
		last.set(h)
		_, _ = w.Write([]byte("fine " + r.URL.RawQuery))
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(strings.Repeat("x", 3*maxOutput))) })
	mux.HandleFunc("/local-redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/remote-redirect", func(w http.ResponseWriter, r *http.Request) {
		// Another host name for the same server: not followed, so never dialed.
		_, port, _ := net.SplitHostPort(r.Host)
		http.Redirect(w, r, "http://localhost:"+port+"/ok", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	return srv, port, last
}

func TestHTTPProbe(t *testing.T) {
	_, port, last := testServer(t)
	closed := closedPort(t)
	c := &corev1.Container{Name: "web", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: int32(port)}}}
	pod := testPod(c)
	tests := []struct {
		name       string
		action     corev1.HTTPGetAction
		timeout    int32
		want       result
		wantOutput string
		wantErr    string
		wantHeader map[string]string
	}{
		{name: "200 by port number", action: corev1.HTTPGetAction{Path: "/ok?a=b", Port: intstr.FromInt32(int32(port))},
			want: success, wantOutput: "fine a=b",
			wantHeader: map[string]string{"User-Agent": "kube-probe/1.37", "Accept": "*/*", "Host": "127.0.0.1:" + strconv.Itoa(port)}},
		{name: "200 by port name with headers", action: corev1.HTTPGetAction{Path: "/ok", Port: intstr.FromString("http"),
			HTTPHeaders: []corev1.HTTPHeader{{Name: "X-Custom", Value: "1"}, {Name: "User-Agent", Value: "mine"}, {Name: "Host", Value: "example.com"}, {Name: "Accept", Value: ""}}},
			want: success, wantOutput: "fine ",
			wantHeader: map[string]string{"User-Agent": "mine", "X-Custom": "1", "Host": "example.com", "Accept": ""}},
		{name: "500", action: corev1.HTTPGetAction{Path: "/fail", Port: intstr.FromInt32(int32(port))},
			want: failure, wantOutput: "HTTP probe failed with statuscode: 500"},
		{name: "body read limited", action: corev1.HTTPGetAction{Path: "/big", Port: intstr.FromInt32(int32(port))},
			want: success, wantOutput: strings.Repeat("x", maxOutput)},
		{name: "redirect to same host followed", action: corev1.HTTPGetAction{Path: "/local-redirect", Port: intstr.FromInt32(int32(port))},
			want: success, wantOutput: "fine "},
		{name: "redirect to another host not followed", action: corev1.HTTPGetAction{Path: "/remote-redirect", Port: intstr.FromInt32(int32(port))},
			want: warning, wantOutput: "Probe terminated redirects, Response body: "},
		{name: "timeout", action: corev1.HTTPGetAction{Path: "/slow", Port: intstr.FromInt32(int32(port))},
			want: failure, wantOutput: "Client.Timeout exceeded"},
		{name: "connection refused", action: corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(int32(closed))},
			want: failure, wantOutput: "connection refused"},
		{name: "explicit host", action: corev1.HTTPGetAction{Host: "127.0.0.1", Path: "/ok", Port: intstr.FromInt32(int32(port))},
			want: success, wantOutput: "fine "},
		{name: "unknown port name", action: corev1.HTTPGetAction{Path: "/", Port: intstr.FromString("nope")},
			want: unknown, wantErr: `port "nope" not found`},
		{name: "port out of range", action: corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(70000)},
			want: unknown, wantErr: "invalid port number: 70000"},
	}
	p := &prober{transport: newHTTPTransport()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			last.set(nil)
			action := tt.action
			spec := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &action}, TimeoutSeconds: 1}
			got, output, err := p.run(context.Background(), spec, pod, "127.0.0.1", c, "")
			if got != tt.want || !strings.Contains(output, tt.wantOutput) || (tt.wantOutput == "" && output != "") {
				t.Errorf("got %s %q, want %s %q", got, output, tt.want, tt.wantOutput)
			}
			if tt.wantOutput != "" && tt.want == success && output != tt.wantOutput {
				t.Errorf("output %q, want %q", output, tt.wantOutput)
			}
			if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			for k, v := range tt.wantHeader {
				if got := last.get().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestTCPProbe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	open := l.Addr().(*net.TCPAddr).Port
	c := &corev1.Container{Name: "db", Ports: []corev1.ContainerPort{{Name: "db", ContainerPort: int32(open)}}}
	tests := []struct {
		name       string
		action     corev1.TCPSocketAction
		want       result
		wantOutput string
	}{
		{name: "open by number", action: corev1.TCPSocketAction{Port: intstr.FromInt32(int32(open))}, want: success},
		{name: "open by name, explicit host", action: corev1.TCPSocketAction{Host: "127.0.0.1", Port: intstr.FromString("db")}, want: success},
		{name: "closed", action: corev1.TCPSocketAction{Port: intstr.FromInt32(int32(closedPort(t)))}, want: failure, wantOutput: "connection refused"},
		{name: "unknown name", action: corev1.TCPSocketAction{Port: intstr.FromString("x")}, want: unknown},
	}
	p := &prober{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action := tt.action
			spec := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &action}, TimeoutSeconds: 1}
			got, output, _ := p.run(context.Background(), spec, testPod(c), "127.0.0.1", c, "")
			if got != tt.want || !strings.Contains(output, tt.wantOutput) {
				t.Errorf("got %s %q, want %s %q", got, output, tt.want, tt.wantOutput)
			}
		})
	}
}

// lastHeader is the headers of the last request a test server got.
type lastHeader struct {
	mu sync.Mutex
	h  http.Header
}

func (l *lastHeader) set(h http.Header) { l.mu.Lock(); defer l.mu.Unlock(); l.h = h }
func (l *lastHeader) get() http.Header  { l.mu.Lock(); defer l.mu.Unlock(); return l.h }

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func testPod(containers ...*corev1.Container) *corev1.Pod {
	pod := &corev1.Pod{}
	pod.Name, pod.Namespace, pod.UID = "p", "ns", "uid-1"
	for _, c := range containers {
		pod.Spec.Containers = append(pod.Spec.Containers, *c)
	}
	return pod
}
