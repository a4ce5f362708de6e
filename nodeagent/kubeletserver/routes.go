package kubeletserver

import (
	"encoding/json"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/klog/v2"
)

// routes installs the kubelet's endpoints.
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	})
	m.Handle("GET /metrics", legacyregistry.Handler())
	m.HandleFunc("GET /pods", s.servePods)
	m.HandleFunc("GET /pods/", s.servePods)
	m.HandleFunc("GET /stats/summary", s.serveStatsSummary)
	m.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", s.serveContainerLogs)
	for _, method := range []string{"GET", "POST"} {
		m.HandleFunc(method+" /exec/{namespace}/{pod}/{container}", s.serveExec)
		m.HandleFunc(method+" /exec/{namespace}/{pod}/{uid}/{container}", s.serveExec)
		m.HandleFunc(method+" /attach/{namespace}/{pod}/{container}", s.serveAttach)
		m.HandleFunc(method+" /attach/{namespace}/{pod}/{uid}/{container}", s.serveAttach)
		m.HandleFunc(method+" /portForward/{namespace}/{pod}", s.servePortForward)
		m.HandleFunc(method+" /portForward/{namespace}/{pod}/{uid}", s.servePortForward)
	}
}

// servePods lists the node's pods as a v1 PodList, when the PodSource can list them.
func (s *Server) servePods(w http.ResponseWriter, req *http.Request) {
	list := &corev1.PodList{TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"}}
	if lister, ok := s.cfg.Pods.(PodLister); ok {
		for _, p := range lister.GetPods() {
			pod := p.DeepCopy()
			pod.TypeMeta = metav1.TypeMeta{}
			list.Items = append(list.Items, *pod)
		}
	}
	writeJSON(w, req, list)
}

func writeJSON(w http.ResponseWriter, req *http.Request, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		klog.FromContext(req.Context()).V(4).Info("Writing response failed", "path", req.URL.Path, "err", err)
	}
}

// writeError answers code with msg as plain text, without the newline http.Error adds, as the
// kubelet's restful responses do; the apiserver passes the text on as the error's message.
func writeError(w http.ResponseWriter, msg string, code int) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg))
}
