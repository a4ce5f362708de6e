package envvars

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/fieldpath"
)

// Config is what a Resolver needs from the node agent.
type Config struct {
	// Client reads ConfigMaps, Secrets and Services.
	Client kubernetes.Interface
	// NodeAllocatable is the node's allocatable resources: the default of unset limits for
	// resourceFieldRef. May be nil (no defaults).
	NodeAllocatable func() corev1.ResourceList
	// HostIPs are the node's addresses, primary first (status.hostIP(s)). When nil or empty
	// the pod's status.hostIPs are used.
	HostIPs func() []string
	// VolumeDir finds the host directory of a pod's volume for fileKeyRef variables
	// (volumes.Manager.VolumeDir). nil: fileKeyRef fails.
	VolumeDir func(podUID types.UID, volume string) (string, bool)
}

// Resolver computes containers' environments. It reads ConfigMaps, Secrets and Services
// with direct API calls when a container starts: that happens once per container start, a
// read is always current (no sync to wait for, no stale value after an update), and the node
// holds no cache of every Secret. Upstream's kubelet watches each referenced object instead.
type Resolver struct {
	cfg Config
}

// NewResolver returns a Resolver for cfg.
func NewResolver(cfg Config) *Resolver { return &Resolver{cfg: cfg} }

// Env is container c's environment: service variables not overridden by the container
// (sorted), then envFrom and env variables in the order they were first set, with the
// last value set. podIP and podIPs are the sandbox's addresses.
func (r *Resolver) Env(ctx context.Context, pod *corev1.Pod, c *corev1.Container, podIP string, podIPs []string) ([]*runtimeapi.KeyValue, error) {
	links := pod.Spec.EnableServiceLinks == nil || *pod.Spec.EnableServiceLinks
	services, err := r.services(ctx, pod.Namespace, links)
	if err != nil {
		return nil, err
	}
	if len(podIPs) == 0 && podIP != "" {
		podIPs = []string{podIP}
	}
	in := input{
		pod: pod, container: c,
		serviceEnv: ServiceEnv(services, pod.Namespace, links),
		addresses:  fieldpath.Addresses{PodIPs: podIPs, HostIPs: r.hostIPs(pod)},
		volumeDir:  r.cfg.VolumeDir,
	}
	if r.cfg.NodeAllocatable != nil {
		in.allocatable = r.cfg.NodeAllocatable()
	}
	vars, err := build(ctx, in, apiObjects{client: r.cfg.Client})
	if err != nil {
		return nil, err
	}
	out := make([]*runtimeapi.KeyValue, len(vars))
	for i, v := range vars {
		out[i] = &runtimeapi.KeyValue{Key: v.Name, Value: []byte(v.Value)}
	}
	return out, nil
}

func (r *Resolver) hostIPs(pod *corev1.Pod) []string {
	if r.cfg.HostIPs != nil {
		if ips := r.cfg.HostIPs(); len(ips) > 0 {
			return ips
		}
	}
	var ips []string
	for _, ip := range pod.Status.HostIPs {
		ips = append(ips, ip.IP)
	}
	if len(ips) == 0 && pod.Status.HostIP != "" {
		ips = []string{pod.Status.HostIP}
	}
	return ips
}

// services are the Services whose variables a pod in ns may see: the namespace's (with
// links) and default/kubernetes.
func (r *Resolver) services(ctx context.Context, ns string, links bool) ([]*corev1.Service, error) {
	var out []*corev1.Service
	if links {
		list, err := r.cfg.Client.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			klog.FromContext(ctx).Error(err, "Listing services for env vars", "namespace", ns)
			return nil, fmt.Errorf("failed to list services when setting up env vars")
		}
		for i := range list.Items {
			out = append(out, &list.Items[i])
		}
	}
	if !links || ns != metav1.NamespaceDefault {
		kube, err := r.cfg.Client.CoreV1().Services(metav1.NamespaceDefault).Get(ctx, "kubernetes", metav1.GetOptions{})
		switch {
		case err == nil:
			out = append(out, kube)
		case !apierrors.IsNotFound(err):
			klog.FromContext(ctx).Error(err, "Getting the kubernetes service for env vars")
			return nil, fmt.Errorf("failed to list services when setting up env vars")
		}
	}
	return out, nil
}

// apiObjects reads ConfigMaps and Secrets from the API; a missing one is reported as
// the kubelet's object managers word it (configmap "x" not found).
type apiObjects struct{ client kubernetes.Interface }

func (a apiObjects) configMap(ctx context.Context, ns, name string) (*corev1.ConfigMap, error) {
	cm, err := a.client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, apierrors.NewNotFound(corev1.Resource("configmap"), name)
	}
	return cm, err
}

func (a apiObjects) secret(ctx context.Context, ns, name string) (*corev1.Secret, error) {
	s, err := a.client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, apierrors.NewNotFound(corev1.Resource("secret"), name)
	}
	return s, err
}

// ToMap turns an environment from Env into the map Expand and the volume manager's Mounts
// take (the last value of a name wins).
func ToMap(env []*runtimeapi.KeyValue) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		m[kv.Key] = string(kv.Value)
	}
	return m
}
