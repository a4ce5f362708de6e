package pod

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/skiff-sh/skiff/apis/core/node"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// kubeletLocator finds the kubelet URLs of a pod's logs and streams, as upstream's
// LogLocation, ExecLocation, AttachLocation and PortForwardLocation do.
type kubeletLocator struct {
	pods  rest.Getter
	nodes node.ConnectionInfoGetter
}

func (l kubeletLocator) pod(ctx context.Context, name string) (*corev1.Pod, error) {
	obj, err := l.pods.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return obj.(*corev1.Pod), nil
}

// logLocation is nil (an empty log) when the pod has no node yet.
func (l kubeletLocator) logLocation(ctx context.Context, name string, opts *corev1.PodLogOptions) (*url.URL, *node.ConnectionInfo, error) {
	pod, err := l.pod(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	container, err := validateContainer(opts.Container, pod)
	if err != nil {
		return nil, nil, err
	}
	if pod.Spec.NodeName == "" {
		return nil, nil, nil
	}
	info, err := l.nodes.GetConnectionInfo(ctx, pod.Spec.NodeName)
	if err != nil {
		return nil, nil, err
	}
	params := url.Values{}
	if opts.Follow {
		params.Add("follow", "true")
	}
	if opts.Previous {
		params.Add("previous", "true")
	}
	if opts.Timestamps {
		params.Add("timestamps", "true")
	}
	if opts.SinceSeconds != nil {
		params.Add("sinceSeconds", strconv.FormatInt(*opts.SinceSeconds, 10))
	}
	if opts.SinceTime != nil {
		params.Add("sinceTime", opts.SinceTime.Format(time.RFC3339))
	}
	if opts.TailLines != nil {
		params.Add("tailLines", strconv.FormatInt(*opts.TailLines, 10))
	}
	if opts.LimitBytes != nil {
		params.Add("limitBytes", strconv.FormatInt(*opts.LimitBytes, 10))
	}
	return kubeletURL(info, fmt.Sprintf("/containerLogs/%s/%s/%s", pod.Namespace, pod.Name, container), params), info, nil
}

// streamLocation is the kubelet's /exec or /attach URL of a container of the pod.
func (l kubeletLocator) streamLocation(ctx context.Context, name, container, path string, params url.Values) (*url.URL, *node.ConnectionInfo, error) {
	pod, err := l.pod(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if container, err = validateContainer(container, pod); err != nil {
		return nil, nil, err
	}
	return l.nodeLocation(ctx, pod, fmt.Sprintf("/%s/%s/%s/%s", path, pod.Namespace, pod.Name, container), params)
}

// portForwardLocation is the kubelet's /portForward URL of the pod.
func (l kubeletLocator) portForwardLocation(ctx context.Context, name string, params url.Values) (*url.URL, *node.ConnectionInfo, error) {
	pod, err := l.pod(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	return l.nodeLocation(ctx, pod, fmt.Sprintf("/portForward/%s/%s", pod.Namespace, pod.Name), params)
}

func (l kubeletLocator) nodeLocation(ctx context.Context, pod *corev1.Pod, path string, params url.Values) (*url.URL, *node.ConnectionInfo, error) {
	if pod.Spec.NodeName == "" {
		return nil, nil, apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name))
	}
	info, err := l.nodes.GetConnectionInfo(ctx, pod.Spec.NodeName)
	if err != nil {
		return nil, nil, err
	}
	return kubeletURL(info, path, params), info, nil
}

func kubeletURL(info *node.ConnectionInfo, path string, params url.Values) *url.URL {
	return &url.URL{Scheme: info.Scheme, Host: net.JoinHostPort(info.Hostname, info.Port), Path: path, RawQuery: params.Encode()}
}

// streamParams are the kubelet query of exec and attach options.
func streamParams(stdin, stdout, stderr, tty bool, command []string) url.Values {
	params := url.Values{}
	for _, p := range []struct {
		on   bool
		name string
	}{{stdin, corev1.ExecStdinParam}, {stdout, corev1.ExecStdoutParam}, {stderr, corev1.ExecStderrParam}, {tty, corev1.ExecTTYParam}} {
		if p.on {
			params.Add(p.name, "1")
		}
	}
	for _, c := range command {
		params.Add(corev1.ExecCommandParam, c)
	}
	return params
}

// portParams is port-forward's "port" parameter.
func portParams(ports []int32) url.Values {
	params := url.Values{}
	if len(ports) > 0 {
		list := make([]string, len(ports))
		for i, p := range ports {
			list[i] = strconv.Itoa(int(p))
		}
		params.Add(corev1.PortHeader, strings.Join(list, ","))
	}
	return params
}

// validateContainer defaults an empty container name to the pod's only container and checks a
// given one, with upstream's messages. (kubectl itself applies the
// kubectl.kubernetes.io/default-container annotation before asking; the server does not.)
func validateContainer(container string, pod *corev1.Pod) (string, error) {
	names := containerNames(pod)
	if container == "" {
		switch len(pod.Spec.Containers) {
		case 1:
			return pod.Spec.Containers[0].Name, nil
		case 0:
			return "", apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s", pod.Name))
		default:
			return "", apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s, choose one of: %s", pod.Name, names))
		}
	}
	for _, n := range names {
		if n == container {
			return container, nil
		}
	}
	return "", apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", container, pod.Name))
}

// containerNames lists init, regular and ephemeral containers in upstream's visiting order.
func containerNames(pod *corev1.Pod) []string {
	var names []string
	for _, c := range pod.Spec.InitContainers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		names = append(names, c.Name)
	}
	return names
}

// newKubeletLocator reads pods from the pods store and nodes from a store of their own without
// a watch cache (one read per request; the address must be current). It also registers the
// option types' query decoding.
func newKubeletLocator(optsGetter generic.RESTOptionsGetter, pods rest.Getter) (kubeletLocator, error) {
	err := node.RegisterQueryConversions(scheme.Scheme, &corev1.PodLogOptions{}, &corev1.PodExecOptions{},
		&corev1.PodAttachOptions{}, &corev1.PodPortForwardOptions{})
	if err != nil {
		return kubeletLocator{}, err
	}
	resources, err := node.NewStorage(uncachedOptions{optsGetter})
	if err != nil {
		return kubeletLocator{}, fmt.Errorf("nodes storage for kubelet connections: %w", err)
	}
	nodes, ok := resources["nodes"].(*registry.Store)
	if !ok {
		return kubeletLocator{}, fmt.Errorf("nodes storage is %T", resources["nodes"])
	}
	return kubeletLocator{pods: pods, nodes: node.ConnectionInfoGetter{Nodes: nodes}}, nil
}
