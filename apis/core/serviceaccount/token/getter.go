package token

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
)

// Getter looks up the objects tokens are issued for and bound to.
type Getter interface {
	GetServiceAccount(ctx context.Context, namespace, name string) (*corev1.ServiceAccount, error)
	GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error)
	GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error)
	// GetNode reads the node; cached may answer from the apiserver's watch cache.
	GetNode(ctx context.Context, name string, cached bool) (*corev1.Node, error)
}

// ClientGetter reads through a client (the apiserver's loopback client), first from its
// listers when it has them and, on any lister error, live: an object just created is found,
// one just deleted is not, as upstream's token getter does.
type ClientGetter struct {
	Client          kubernetes.Interface
	ServiceAccounts corelisters.ServiceAccountLister
	Pods            corelisters.PodLister
	Nodes           corelisters.NodeLister
}

// NewCachedGetter returns a ClientGetter with listers of the ServiceAccounts, Pods and Nodes
// of factory (which must be started afterwards). Secrets are read live: only tokens bound to a
// Secret need them, and caching every Secret in the apiserver is not worth that.
func NewCachedGetter(client kubernetes.Interface, factory informers.SharedInformerFactory) *ClientGetter {
	core := factory.Core().V1()
	return &ClientGetter{
		Client:          client,
		ServiceAccounts: core.ServiceAccounts().Lister(),
		Pods:            core.Pods().Lister(),
		Nodes:           core.Nodes().Lister(),
	}
}

func (g *ClientGetter) GetServiceAccount(ctx context.Context, namespace, name string) (*corev1.ServiceAccount, error) {
	if g.ServiceAccounts != nil {
		if sa, err := g.ServiceAccounts.ServiceAccounts(namespace).Get(name); err == nil {
			return sa, nil
		}
	}
	return g.Client.CoreV1().ServiceAccounts(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (g *ClientGetter) GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	if g.Pods != nil {
		if pod, err := g.Pods.Pods(namespace).Get(name); err == nil {
			return pod, nil
		}
	}
	return g.Client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (g *ClientGetter) GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	return g.Client.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (g *ClientGetter) GetNode(ctx context.Context, name string, cached bool) (*corev1.Node, error) {
	if g.Nodes != nil {
		if node, err := g.Nodes.Get(name); err == nil {
			return node, nil
		}
	}
	if cached {
		// ResourceVersion 0 lets the watch cache answer; a live read is the fallback on any error.
		if node, err := g.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{ResourceVersion: "0"}); err == nil {
			return node, nil
		}
	}
	return g.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
}
