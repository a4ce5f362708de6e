package node

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of Nodes.
var Strategy = strategy{registry.NewStrategy(false, false, "v1")}

// PrepareForCreate keeps the status a kubelet registers with, and drops removed fields.
func (strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	node := obj.(*corev1.Node)
	node.Spec.ConfigSource = nil
	node.Status.Config = nil
	node.Spec.PodPreemptionPolicy = nil // InPlacePodVerticalScalingSchedulerPreemption is alpha
	normalizePodCIDRs(node)
}

// PrepareForUpdate keeps the status and drops fields not already in use.
func (strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	node, oldNode := obj.(*corev1.Node), old.(*corev1.Node)
	node.Status = oldNode.Status
	if oldNode.Spec.ConfigSource == nil {
		node.Spec.ConfigSource = nil
	}
	if oldNode.Spec.PodPreemptionPolicy == nil {
		node.Spec.PodPreemptionPolicy = nil
	}
	normalizePodCIDRs(node)
}

// normalizePodCIDRs keeps podCIDR and podCIDRs consistent as upstream's conversion does:
// podCIDR wins when both are set and disagree; podCIDR mirrors podCIDRs[0].
func normalizePodCIDRs(node *corev1.Node) {
	if node.Spec.PodCIDR != "" && (len(node.Spec.PodCIDRs) == 0 || node.Spec.PodCIDRs[0] != node.Spec.PodCIDR) {
		node.Spec.PodCIDRs = []string{node.Spec.PodCIDR}
	}
	if len(node.Spec.PodCIDRs) > 0 {
		node.Spec.PodCIDR = node.Spec.PodCIDRs[0]
	}
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*corev1.Node))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	node := obj.(*corev1.Node)
	return append(Validate(node), ValidateUpdate(node, old.(*corev1.Node))...)
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	return warnings(obj.(*corev1.Node))
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return warnings(obj.(*corev1.Node))
}

func warnings(node *corev1.Node) []string {
	var out []string
	if node.Spec.ConfigSource != nil {
		out = append(out, "spec.configSource: the feature is removed")
	}
	if len(node.Spec.DoNotUseExternalID) > 0 {
		out = append(out, "spec.externalID: this field is deprecated, and is unused by Kubernetes")
	}
	for i, value := range node.Spec.PodCIDRs {
		out = append(out, validation.GetWarningsForCIDR(field.NewPath("spec", "podCIDRs").Index(i), value)...)
	}
	return out
}

type statusStrategy struct {
	strategy
}

// StatusStrategy writes nodes/status: everything but the spec.
var StatusStrategy = statusStrategy{Strategy}

func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	node, oldNode := obj.(*corev1.Node), old.(*corev1.Node)
	node.Spec = oldNode.Spec
	if oldNode.Status.Config == nil {
		node.Status.Config = nil
	}
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*corev1.Node), old.(*corev1.Node))
}

func (statusStrategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))}
}
