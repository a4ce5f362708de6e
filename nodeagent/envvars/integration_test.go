package envvars_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/envvars"
)

func TestEnvAgainstAPIServer(t *testing.T) {
	ctx := t.Context()
	client := srv.Client(t)
	ns := srv.Namespace(t)
	// The API server creates default/kubernetes after it starts.
	var kube *corev1.Service
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		s, err := client.CoreV1().Services("default").Get(ctx, "kubernetes", metav1.GetOptions{})
		kube = s
		return err == nil, nil
	}); err != nil {
		t.Fatalf("default/kubernetes service never appeared: %v", err)
	}
	mustCreate := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := client.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "cfg"}, Data: map[string]string{"MODE": "prod", "LEVEL": "3"},
	}, metav1.CreateOptions{})
	mustCreate(err)
	_, err = client.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "sec"}, Data: map[string][]byte{"TOKEN": []byte("t0k")},
	}, metav1.CreateOptions{})
	mustCreate(err)
	web, err := client.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web-api"},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 8080}}},
	}, metav1.CreateOptions{})
	mustCreate(err)

	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: ns, UID: "uid-1"},
		Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{
			Name:    "c",
			EnvFrom: []corev1.EnvFromSource{{Prefix: "CFG_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
			Env: []corev1.EnvVar{
				{Name: "URL", Value: "http://$(WEB_API_SERVICE_HOST):$(WEB_API_SERVICE_PORT_HTTP)/$(CFG_MODE)"},
				{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "sec"}, Key: "TOKEN"}}},
				{Name: "HOST_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.hostIP"}}},
				{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
				{Name: "CPU", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.cpu"}}},
			},
		}}},
	}
	r := envvars.NewResolver(envvars.Config{
		Client:          client,
		NodeAllocatable: func() corev1.ResourceList { return corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3")} },
		HostIPs:         func() []string { return []string{"192.0.2.10"} },
	})
	kvs, err := r.Env(ctx, pod, &pod.Spec.Containers[0], "10.88.0.9", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := envvars.ToMap(kvs)
	if len(got) != len(kvs) {
		t.Errorf("duplicate names in %v", kvs)
	}
	want := map[string]string{
		"CFG_MODE":                      "prod",
		"CFG_LEVEL":                     "3",
		"URL":                           "http://" + web.Spec.ClusterIP + ":8080/prod",
		"TOKEN":                         "t0k",
		"HOST_IP":                       "192.0.2.10",
		"POD_IP":                        "10.88.0.9",
		"CPU":                           "3",
		"KUBERNETES_SERVICE_HOST":       kube.Spec.ClusterIP,
		"WEB_API_PORT_8080_TCP_ADDR":    web.Spec.ClusterIP,
		"WEB_API_SERVICE_PORT":          "8080",
		"KUBERNETES_PORT_443_TCP_PROTO": "tcp",
		"KUBERNETES_SERVICE_PORT":       "443",
		"WEB_API_PORT":                  "tcp://" + web.Spec.ClusterIP + ":8080",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}

	// Without service links only the kubernetes service shows.
	pod.Spec.EnableServiceLinks = ptr.To(false)
	kvs, err = r.Env(ctx, pod, &pod.Spec.Containers[0], "10.88.0.9", nil)
	if err != nil {
		t.Fatal(err)
	}
	got = envvars.ToMap(kvs)
	if _, ok := got["WEB_API_SERVICE_HOST"]; ok {
		t.Error("service links present with enableServiceLinks=false")
	}
	if got["KUBERNETES_SERVICE_HOST"] != kube.Spec.ClusterIP {
		t.Errorf("KUBERNETES_SERVICE_HOST = %q without links", got["KUBERNETES_SERVICE_HOST"])
	}
	if got["URL"] != "http://$(WEB_API_SERVICE_HOST):$(WEB_API_SERVICE_PORT_HTTP)/prod" {
		t.Errorf("URL = %q", got["URL"])
	}

	// A missing, required ConfigMap fails with the kubelet's words.
	pod.Spec.Containers[0].EnvFrom[0].ConfigMapRef.Name = "gone"
	if _, err := r.Env(ctx, pod, &pod.Spec.Containers[0], "", nil); err == nil || err.Error() != `configmap "gone" not found` {
		t.Errorf("error = %v", err)
	}
}

// envResolver is the kubelet's EnvResolver contract (nodeagent/kubelet/deps.go).
type envResolver interface {
	Env(ctx context.Context, pod *corev1.Pod, c *corev1.Container, podIP string, podIPs []string) ([]*runtimeapi.KeyValue, error)
}

var _ envResolver = (*envvars.Resolver)(nil)
