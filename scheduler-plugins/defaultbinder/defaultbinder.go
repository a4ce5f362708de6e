package defaultbinder

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "DefaultBinder"

// Plugin binds pods with the handle's client.
type Plugin struct {
	handle fwk.Handle
}

var _ fwk.BindPlugin = &Plugin{}

// New returns the plugin; it takes no args.
func New(_ context.Context, _ runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
	return &Plugin{handle: h}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// Bind creates the pod's Binding to nodeName, through the handle's API cacher when it has one,
// else directly, retrying internal, unavailable and connection-refused errors.
func (b *Plugin) Bind(ctx context.Context, _ fwk.CycleState, p *corev1.Pod, nodeName string) *fwk.Status {
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name, UID: p.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: nodeName},
	}
	if c := b.handle.APICacher(); c != nil {
		done, err := c.BindPod(binding)
		if err != nil {
			return fwk.AsStatus(err)
		}
		return fwk.AsStatus(c.WaitOnFinish(ctx, done))
	}
	klog.FromContext(ctx).V(3).Info("Attempting to bind pod to node", "pod", klog.KObj(p), "node", klog.KRef("", nodeName))
	err := retry.OnError(retry.DefaultBackoff, retriable, func() error {
		return b.handle.ClientSet().CoreV1().Pods(binding.Namespace).Bind(ctx, binding, metav1.CreateOptions{})
	})
	return fwk.AsStatus(err)
}

func retriable(err error) bool {
	return apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err) || utilnet.IsConnectionRefused(err)
}
