package pod

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/warning"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of Pods.
var Strategy = strategy{registry.NewStrategy(true, true, "v1")}

var _ rest.RESTGracefulDeleteStrategy = Strategy

// PrepareForCreate starts the pod Pending with its QoS class, as upstream does, and merges
// matchLabelKeys into the affinity and topology spread selectors.
func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Strategy.PrepareForCreate(ctx, obj)
	pod := obj.(*corev1.Pod)
	pod.Status = corev1.PodStatus{Phase: corev1.PodPending}
	DropDisabledFields(&pod.Spec, nil)
	applySchedulingGatedCondition(pod)
	mutatePodAffinity(pod)
	mutateTopologySpreadConstraints(pod)
	applyAppArmorVersionSkew(ctx, pod)
	DefaultPodLevelResources(&pod.Spec)
	pod.Status.QOSClass = ComputeQOS(pod)
}

// PrepareForUpdate keeps the status and pod-level resources a client dropped.
func (s strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
	if pod.Spec.Resources == nil && oldPod.Spec.Resources != nil {
		pod.Spec.Resources = oldPod.Spec.Resources.DeepCopy()
	}
	DropDisabledFields(&pod.Spec, &oldPod.Spec)
	s.Strategy.PrepareForUpdate(ctx, obj, old)
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*corev1.Pod))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*corev1.Pod), old.(*corev1.Pod))
}

// WarningsOnCreate warns about pod names that are not DNS labels (they become hostnames) and
// about the pod spec as upstream does. Updates get no warnings, as upstream.
func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	pod := obj.(*corev1.Pod)
	var warnings []string
	if msgs := validation.IsDNS1123Label(pod.Name); len(msgs) != 0 {
		warnings = append(warnings, fmt.Sprintf("metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: %v", msgs))
	}
	return append(warnings, corevalidation.WarningsForPod(pod)...)
}

// applyAppArmorVersionSkew copies the deprecated per-container AppArmor annotations into the
// containers' appArmorProfile fields (unless set, or equal to the pod's profile) and warns
// about them, as upstream does on create.
func applyAppArmorVersionSkew(ctx context.Context, pod *corev1.Pod) {
	if pod.Spec.OS != nil && pod.Spec.OS.Name == corev1.Windows {
		return
	}
	var podProfile *corev1.AppArmorProfile
	if pod.Spec.SecurityContext != nil {
		podProfile = pod.Spec.SecurityContext.AppArmorProfile
	}
	visitContainers(&pod.Spec, func(c *corev1.Container) {
		key := corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + c.Name
		annotation, ok := pod.Annotations[key]
		if !ok || (c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil) {
			return
		}
		profile := corevalidation.AppArmorFieldForAnnotation(annotation)
		if profile != nil && len(corevalidation.ValidateAppArmorProfileField(profile, &field.Path{})) > 0 {
			profile = nil
		}
		warn := profile == nil
		if profile != nil && !apiequality.Semantic.DeepEqual(profile, podProfile) {
			if c.SecurityContext == nil {
				c.SecurityContext = &corev1.SecurityContext{}
			}
			c.SecurityContext.AppArmorProfile = profile
			warn = true
		}
		if warn {
			warning.AddWarning(ctx, "", fmt.Sprintf(`%s: deprecated since v1.30; use the "appArmorProfile" field instead`, field.NewPath("metadata", "annotations").Key(key)))
		}
	})
}

// CheckGracefulDelete gives a scheduled, non-terminated pod a grace period (the request's, or
// the pod's terminationGracePeriodSeconds), so that it stays, marked for deletion, until its
// node confirms with a grace period of 0. Other pods go at once.
func (strategy) CheckGracefulDelete(_ context.Context, obj runtime.Object, options *metav1.DeleteOptions) bool {
	if options == nil {
		return false
	}
	pod := obj.(*corev1.Pod)
	period := int64(0)
	if options.GracePeriodSeconds != nil {
		period = *options.GracePeriodSeconds
	} else if pod.Spec.TerminationGracePeriodSeconds != nil {
		period = *pod.Spec.TerminationGracePeriodSeconds
	}
	if len(pod.Spec.NodeName) == 0 || pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded {
		period = 0
	}
	if period < 0 {
		period = 1
	}
	options.GracePeriodSeconds = &period
	return true
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of pods/status: it keeps the spec, deletionTimestamp and
// ownerReferences (labels and annotations may change, as upstream allows).
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
	pod.Spec = oldPod.Spec
	pod.DeletionTimestamp = nil
	pod.OwnerReferences = oldPod.OwnerReferences
	if pod.Status.QOSClass == "" {
		pod.Status.QOSClass = oldPod.Status.QOSClass
	}
	if pod.Status.ResourceClaimStatuses == nil && oldPod.Status.ResourceClaimStatuses != nil {
		pod.Status.ResourceClaimStatuses = oldPod.Status.ResourceClaimStatuses
	}
	if pod.Status.ExtendedResourceClaimStatus == nil && oldPod.Status.ExtendedResourceClaimStatus != nil {
		pod.Status.ExtendedResourceClaimStatus = oldPod.Status.ExtendedResourceClaimStatus
	}
	if pod.Status.ObservedGeneration == 0 {
		pod.Status.ObservedGeneration = oldPod.Status.ObservedGeneration
	}
	// Conditions without observedGeneration keep the old value of the same type (in order).
	gens := map[corev1.PodConditionType][]int64{}
	for _, c := range oldPod.Status.Conditions {
		gens[c.Type] = append(gens[c.Type], c.ObservedGeneration)
	}
	for i, c := range pod.Status.Conditions {
		g := int64(0)
		if list := gens[c.Type]; len(list) > 0 {
			g, gens[c.Type] = list[0], list[1:]
		}
		if c.ObservedGeneration == 0 {
			pod.Status.Conditions[i].ObservedGeneration = g
		}
	}
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*corev1.Pod), old.(*corev1.Pod))
}

// WarningsOnUpdate warns about non-canonical pod and host IPs.
func (statusStrategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	pod := obj.(*corev1.Pod)
	var warnings []string
	for i, ip := range pod.Status.PodIPs {
		warnings = append(warnings, validation.GetWarningsForIP(field.NewPath("status", "podIPs").Index(i).Child("ip"), ip.IP)...)
	}
	for i, ip := range pod.Status.HostIPs {
		warnings = append(warnings, validation.GetWarningsForIP(field.NewPath("status", "hostIPs").Index(i).Child("ip"), ip.IP)...)
	}
	return warnings
}

func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"v1": fieldpath.NewSet(
		fieldpath.MakePathOrDie("spec"),
		fieldpath.MakePathOrDie("metadata", "deletionTimestamp"),
		fieldpath.MakePathOrDie("metadata", "ownerReferences"),
	)}
}

type ephemeralContainersStrategy struct {
	strategy
}

// EphemeralContainersStrategy is the strategy of pods/ephemeralcontainers: only
// spec.ephemeralContainers is taken from the request.
var EphemeralContainersStrategy = ephemeralContainersStrategy{Strategy}

func (ephemeralContainersStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
	ephemeral := pod.Spec.EphemeralContainers
	pod.Spec = oldPod.Spec
	pod.Spec.EphemeralContainers = ephemeral
	pod.Status = oldPod.Status
	metav1.ResetObjectMetaForStatus(pod, oldPod)
	DropDisabledFields(&pod.Spec, &oldPod.Spec)
	if !apiequality.Semantic.DeepEqual(pod.Spec, oldPod.Spec) {
		pod.Generation = oldPod.Generation + 1
	}
}

func (ephemeralContainersStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateEphemeralContainersUpdate(obj.(*corev1.Pod), old.(*corev1.Pod))
}

func (ephemeralContainersStrategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

// applySchedulingGatedCondition marks a pod with scheduling gates as not scheduled.
func applySchedulingGatedCondition(pod *corev1.Pod) {
	if len(pod.Spec.SchedulingGates) == 0 {
		return
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled {
			return
		}
	}
	pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{
		Type:               corev1.PodScheduled,
		Status:             corev1.ConditionFalse,
		Reason:             corev1.PodReasonSchedulingGated,
		Message:            "Scheduling is blocked due to non-empty scheduling gates",
		LastTransitionTime: metav1.Now(),
	})
}

// applyLabelKeys adds a requirement on the pod's value of each key to selector.
func applyLabelKeys(selector *metav1.LabelSelector, keys []string, op metav1.LabelSelectorOperator, labels map[string]string) {
	for _, key := range keys {
		if value, ok := labels[key]; ok {
			selector.MatchExpressions = append(selector.MatchExpressions, metav1.LabelSelectorRequirement{Key: key, Operator: op, Values: []string{value}})
		}
	}
}

func mutatePodAffinity(pod *corev1.Pod) {
	if pod.Spec.Affinity == nil {
		return
	}
	apply := func(term *corev1.PodAffinityTerm) {
		if (len(term.MatchLabelKeys) == 0 && len(term.MismatchLabelKeys) == 0) || term.LabelSelector == nil {
			return
		}
		applyLabelKeys(term.LabelSelector, term.MatchLabelKeys, metav1.LabelSelectorOpIn, pod.Labels)
		applyLabelKeys(term.LabelSelector, term.MismatchLabelKeys, metav1.LabelSelectorOpNotIn, pod.Labels)
	}
	if a := pod.Spec.Affinity.PodAffinity; a != nil {
		for i := range a.PreferredDuringSchedulingIgnoredDuringExecution {
			apply(&a.PreferredDuringSchedulingIgnoredDuringExecution[i].PodAffinityTerm)
		}
		for i := range a.RequiredDuringSchedulingIgnoredDuringExecution {
			apply(&a.RequiredDuringSchedulingIgnoredDuringExecution[i])
		}
	}
	if a := pod.Spec.Affinity.PodAntiAffinity; a != nil {
		for i := range a.PreferredDuringSchedulingIgnoredDuringExecution {
			apply(&a.PreferredDuringSchedulingIgnoredDuringExecution[i].PodAffinityTerm)
		}
		for i := range a.RequiredDuringSchedulingIgnoredDuringExecution {
			apply(&a.RequiredDuringSchedulingIgnoredDuringExecution[i])
		}
	}
}

func mutateTopologySpreadConstraints(pod *corev1.Pod) {
	for i := range pod.Spec.TopologySpreadConstraints {
		c := &pod.Spec.TopologySpreadConstraints[i]
		if len(c.MatchLabelKeys) > 0 && c.LabelSelector != nil {
			applyLabelKeys(c.LabelSelector, c.MatchLabelKeys, metav1.LabelSelectorOpIn, pod.Labels)
		}
	}
}
