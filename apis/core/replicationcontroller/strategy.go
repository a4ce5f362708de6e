package replicationcontroller

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/skiff-sh/skiff/apis/core/pod"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of ReplicationControllers.
var Strategy = strategy{registry.NewStrategy(true, true, "v1")}

var _ rest.GarbageCollectionDeleteStrategy = Strategy

// DefaultGarbageCollectionPolicy orphans the pods of a ReplicationController deleted through
// core/v1, as upstream does for that (only) version.
func (strategy) DefaultGarbageCollectionPolicy(context.Context) rest.GarbageCollectionPolicy {
	return rest.OrphanDependents
}

func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Strategy.PrepareForCreate(ctx, obj)
	if t := obj.(*corev1.ReplicationController).Spec.Template; t != nil {
		pod.DropDisabledFields(&t.Spec, nil)
	}
}

func (s strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	rc, oldRC := obj.(*corev1.ReplicationController), old.(*corev1.ReplicationController)
	if rc.Spec.Template != nil {
		var oldSpec *corev1.PodSpec
		if oldRC.Spec.Template != nil {
			oldSpec = &oldRC.Spec.Template.Spec
		}
		pod.DropDisabledFields(&rc.Spec.Template.Spec, oldSpec)
	}
	s.Strategy.PrepareForUpdate(ctx, obj, old)
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*corev1.ReplicationController))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	rc, oldRC := obj.(*corev1.ReplicationController), old.(*corev1.ReplicationController)
	errs := ValidateUpdate(rc, oldRC)
	// Controllers converted from ReplicaSets may carry selectors a map cannot hold.
	for key, value := range oldRC.Annotations {
		if !strings.HasPrefix(key, corev1.NonConvertibleAnnotationPrefix) {
			continue
		}
		parts := strings.Split(key, "/")
		if len(parts) != 2 {
			continue
		}
		if strings.Contains(parts[1], "selector") {
			if !apiequality.Semantic.DeepEqual(oldRC.Spec.Selector, rc.Spec.Selector) {
				errs = append(errs, field.Invalid(field.NewPath("spec", "selector"), rc.Spec.Selector, "cannot update non-convertible selector"))
			}
		} else {
			errs = append(errs, &field.Error{Type: field.ErrorTypeNotFound, BadValue: value, Field: parts[1], Detail: "unknown non-convertible field"})
		}
	}
	return errs
}

// WarningsOnCreate warns about names that are not DNS labels (pod names derive from them) and
// about the template's pod spec.
func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	rc := obj.(*corev1.ReplicationController)
	var warnings []string
	if msgs := validation.IsDNS1123Label(rc.Name); len(msgs) != 0 {
		warnings = append(warnings, fmt.Sprintf("metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: %v", msgs))
	}
	return append(warnings, corevalidation.WarningsForPodTemplate(field.NewPath("spec", "template"), rc.Spec.Template)...)
}

// WarningsOnUpdate returns the template warnings when the generation changed. Upstream (v1.37)
// computes them from the old template, and so does this.
func (strategy) WarningsOnUpdate(_ context.Context, obj, old runtime.Object) []string {
	rc, oldRC := obj.(*corev1.ReplicationController), old.(*corev1.ReplicationController)
	if rc.Generation == oldRC.Generation {
		return nil
	}
	return corevalidation.WarningsForPodTemplate(field.NewPath("spec", "template"), oldRC.Spec.Template)
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of replicationcontrollers/status: the spec is kept.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps the old spec; metadata may change, as upstream allows.
func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	obj.(*corev1.ReplicationController).Spec = old.(*corev1.ReplicationController).Spec
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*corev1.ReplicationController), old.(*corev1.ReplicationController))
}

func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))}
}
