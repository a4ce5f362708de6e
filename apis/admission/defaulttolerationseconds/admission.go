package defaulttolerationseconds

import (
	"context"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apiserver/pkg/admission"
)

// PluginName is upstream's name of the plugin.
const PluginName = "DefaultTolerationSeconds"

// DefaultSeconds is kube-apiserver's default of --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds.
const DefaultSeconds int64 = 300

// Register registers the plugin.
func Register(plugins *admission.Plugins) {
	plugins.Register(PluginName, func(io.Reader) (admission.Interface, error) { return New(), nil })
}

// Plugin adds the default NoExecute tolerations to pods.
type Plugin struct {
	*admission.Handler
	// NotReadySeconds and UnreachableSeconds are the tolerationSeconds of the added tolerations.
	NotReadySeconds, UnreachableSeconds int64
}

var _ admission.MutationInterface = &Plugin{}

// New returns the plugin with the default 300 seconds.
func New() *Plugin {
	return &Plugin{
		Handler:         admission.NewHandler(admission.Create, admission.Update),
		NotReadySeconds: DefaultSeconds, UnreachableSeconds: DefaultSeconds,
	}
}

// Admit adds the not-ready and unreachable tolerations a pod lacks.
func (p *Plugin) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != corev1.Resource("pods") || a.GetSubresource() != "" {
		return nil
	}
	pod, ok := a.GetObject().(*corev1.Pod)
	if !ok {
		return apierrors.NewBadRequest(fmt.Sprintf("expected *api.Pod but got %T", a.GetObject()))
	}
	notReady, unreachable := false, false
	for _, t := range pod.Spec.Tolerations {
		if t.Effect != corev1.TaintEffectNoExecute && t.Effect != "" {
			continue
		}
		notReady = notReady || t.Key == corev1.TaintNodeNotReady || t.Key == ""
		unreachable = unreachable || t.Key == corev1.TaintNodeUnreachable || t.Key == ""
	}
	if !notReady {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, toleration(corev1.TaintNodeNotReady, p.NotReadySeconds))
	}
	if !unreachable {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, toleration(corev1.TaintNodeUnreachable, p.UnreachableSeconds))
	}
	return nil
}

func toleration(key string, seconds int64) corev1.Toleration {
	return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds}
}
