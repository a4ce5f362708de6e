package validation

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// PodValidationOptions selects the optional rules upstream applies depending on context.
// The zero value gives the rules of a v1.37 apiserver with default feature gates for a new
// object; the Allow* fields relax rules so that objects stored under older rules stay updatable.
type PodValidationOptions struct {
	// ResourceIsPod is true when validating a Pod itself rather than a template.
	ResourceIsPod bool
	// AllowInvalidLabelValueInSelector accepts invalid label values in pod affinity selectors.
	AllowInvalidLabelValueInSelector bool
	// AllowInvalidLabelValueInRequiredNodeAffinity accepts invalid label values in required node affinity.
	AllowInvalidLabelValueInRequiredNodeAffinity bool
	// AllowInvalidTopologySpreadConstraintLabelSelector skips topologySpreadConstraints[*].labelSelector validation.
	AllowInvalidTopologySpreadConstraintLabelSelector bool
	// AllowIndivisibleHugePagesValues accepts hugepage quantities that are not multiples of the page size.
	AllowIndivisibleHugePagesValues bool
	// AllowNonLocalProjectedTokenPath accepts projected service account token paths that are not local.
	AllowNonLocalProjectedTokenPath bool
	// AllowNamespacedSysctlsForHostNetAndHostIPC accepts net/ipc sysctls with hostNetwork/hostIPC.
	AllowNamespacedSysctlsForHostNetAndHostIPC bool
	// AllowInvalidPodDeletionCost accepts a malformed controller.kubernetes.io/pod-deletion-cost annotation.
	AllowInvalidPodDeletionCost bool
	// AllowTaintTolerationComparisonOperators accepts the Lt and Gt toleration operators (alpha gate).
	AllowTaintTolerationComparisonOperators bool
	// AllowExistingRestartContainerForNonSidecarInitContainer accepts RestartContainer resize policies
	// on regular init containers that already had them.
	AllowExistingRestartContainerForNonSidecarInitContainer bool
	// AllowSysAdminWhenPrivilegeEscalationFalse accepts CAP_SYS_ADMIN with allowPrivilegeEscalation=false.
	AllowSysAdminWhenPrivilegeEscalationFalse bool
	// AllowEmptyImageVolumeReference accepts image volumes without a reference.
	AllowEmptyImageVolumeReference bool
	// AllowUserNamespacesWithVolumeDevices accepts volumeDevices with hostUsers=false.
	AllowUserNamespacesWithVolumeDevices bool
}

// OptionsForPodSpecs returns the options for validating spec (a new object, or an update of
// one whose previous spec was oldSpec), relaxing rules oldSpec already broke, as upstream does.
func OptionsForPodSpecs(spec, oldSpec *corev1.PodSpec, oldMeta *metav1.ObjectMeta) PodValidationOptions {
	var opts PodValidationOptions
	if oldSpec == nil {
		return opts
	}
	opts.AllowInvalidLabelValueInSelector = hasInvalidLabelValueInAffinitySelector(oldSpec)
	opts.AllowInvalidLabelValueInRequiredNodeAffinity = hasInvalidLabelValueInRequiredNodeAffinity(oldSpec)
	for _, c := range oldSpec.TopologySpreadConstraints {
		if len(metav1validation.ValidateLabelSelector(c.LabelSelector, metav1validation.LabelSelectorValidationOptions{}, nil)) > 0 {
			opts.AllowInvalidTopologySpreadConstraintLabelSelector = true
		}
	}
	opts.AllowIndivisibleHugePagesValues = usesIndivisibleHugePages(oldSpec)
	for _, v := range oldSpec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ServiceAccountToken != nil && len(validateLocalNonReservedPath(s.ServiceAccountToken.Path, nil)) > 0 {
				opts.AllowNonLocalProjectedTokenPath = true
			}
		}
	}
	if sc := oldSpec.SecurityContext; sc != nil {
		for _, s := range sc.Sysctls {
			if validateHostSysctl(s.Name, oldSpec, nil) != nil {
				opts.AllowNamespacedSysctlsForHostNetAndHostIPC = true
			}
		}
	}
	visitContainers(oldSpec, nil, func(c *corev1.Container, _ *field.Path) {
		for _, t := range oldSpec.Tolerations {
			if t.Operator == corev1.TolerationOpLt || t.Operator == corev1.TolerationOpGt {
				opts.AllowTaintTolerationComparisonOperators = true
			}
		}
		if c.SecurityContext != nil && c.SecurityContext.AllowPrivilegeEscalation != nil && !*c.SecurityContext.AllowPrivilegeEscalation && c.SecurityContext.Capabilities != nil {
			for _, cap := range c.SecurityContext.Capabilities.Add {
				if cap == "CAP_SYS_ADMIN" {
					opts.AllowSysAdminWhenPrivilegeEscalationFalse = true
				}
			}
		}
		if len(c.VolumeDevices) > 0 && oldSpec.HostUsers != nil && !*oldSpec.HostUsers {
			opts.AllowUserNamespacesWithVolumeDevices = true
		}
	})
	for _, c := range oldSpec.InitContainers {
		if c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways {
			for _, p := range c.ResizePolicy {
				if p.RestartPolicy == corev1.RestartContainer {
					opts.AllowExistingRestartContainerForNonSidecarInitContainer = true
				}
			}
		}
	}
	for _, v := range oldSpec.Volumes {
		if v.Image != nil && v.Image.Reference == "" {
			opts.AllowEmptyImageVolumeReference = true
		}
	}
	if oldMeta != nil {
		_, err := deletionCost(oldMeta.Annotations)
		opts.AllowInvalidPodDeletionCost = err != nil
	}
	return opts
}

func hasInvalidLabelValueInAffinitySelector(spec *corev1.PodSpec) bool {
	a := spec.Affinity
	if a == nil {
		return false
	}
	var terms []corev1.PodAffinityTerm
	if a.PodAffinity != nil {
		terms = append(terms, a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	if a.PodAntiAffinity != nil {
		terms = append(terms, a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	for _, t := range terms {
		if metav1validation.LabelSelectorHasInvalidLabelValue(t.LabelSelector) || metav1validation.LabelSelectorHasInvalidLabelValue(t.NamespaceSelector) {
			return true
		}
	}
	return false
}

func hasInvalidLabelValueInRequiredNodeAffinity(spec *corev1.PodSpec) bool {
	if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil || spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return false
	}
	for _, term := range spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, e := range term.MatchExpressions {
			for _, v := range e.Values {
				if len(validation.IsValidLabelValue(v)) > 0 {
					return true
				}
			}
		}
	}
	return false
}

func usesIndivisibleHugePages(spec *corev1.PodSpec) bool {
	found := false
	visitContainers(spec, nil, func(c *corev1.Container, _ *field.Path) {
		for _, list := range []corev1.ResourceList{c.Resources.Requests, c.Resources.Limits} {
			for name, q := range list {
				if isHugePageResourceName(name) && !isHugePageValueDivisible(name, q) {
					found = true
				}
			}
		}
	})
	return found
}

// visitContainers calls visit for every init, regular and ephemeral container with its path.
func visitContainers(spec *corev1.PodSpec, specPath *field.Path, visit func(c *corev1.Container, path *field.Path)) {
	for i := range spec.InitContainers {
		visit(&spec.InitContainers[i], specPath.Child("initContainers").Index(i))
	}
	for i := range spec.Containers {
		visit(&spec.Containers[i], specPath.Child("containers").Index(i))
	}
	for i := range spec.EphemeralContainers {
		visit((*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon), specPath.Child("ephemeralContainers").Index(i))
	}
}

// ValidatePodName is upstream's name rule for pods (a DNS subdomain).
var ValidatePodName = apimachineryvalidation.NameIsDNSSubdomain

// ValidatePodCreate validates a pod in the context of its creation.
func ValidatePodCreate(pod *corev1.Pod, opts PodValidationOptions) field.ErrorList {
	allErrs := validatePodMetadataAndSpec(pod, opts)
	specPath := field.NewPath("spec")
	if len(pod.Spec.EphemeralContainers) > 0 {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("ephemeralContainers"), "cannot be set on create"))
	}
	if pod.Spec.NodeName != "" && len(pod.Spec.SchedulingGates) != 0 {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
	}
	allErrs = append(allErrs, validateSeccompAnnotationsAndFields(pod.ObjectMeta, &pod.Spec, specPath)...)
	allErrs = append(allErrs, validateAppArmorAnnotationsAndFieldsMatch(pod.ObjectMeta, &pod.Spec, specPath)...)
	return allErrs
}

func validatePodMetadataAndSpec(pod *corev1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	specPath := field.NewPath("spec")
	allErrs := apimachineryvalidation.ValidateObjectMeta(&pod.ObjectMeta, true, ValidatePodName, metaPath)
	allErrs = append(allErrs, ValidatePodSpecificAnnotations(pod.Annotations, &pod.Spec, metaPath.Child("annotations"), opts)...)
	allErrs = append(allErrs, validatePodSpec(&pod.Spec, &pod.ObjectMeta, specPath, opts)...)

	if pod.Spec.ServiceAccountName == "" {
		for vi, volume := range pod.Spec.Volumes {
			if volume.Projected == nil {
				continue
			}
			for si, source := range volume.Projected.Sources {
				if source.ServiceAccountToken != nil {
					allErrs = append(allErrs, field.Forbidden(specPath.Child("volumes").Index(vi).Child("projected", "sources").Index(si).Child("serviceAccountToken"), "must not be specified when serviceAccountName is not set"))
				}
			}
		}
	}
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(*pod.Spec.TerminationGracePeriodSeconds, specPath.Child("terminationGracePeriodSeconds"))...)
	}
	for i := range pod.Spec.Containers {
		allErrs = append(allErrs, validateContainerOnlyForPod(&pod.Spec.Containers[i], specPath.Child("containers").Index(i))...)
	}
	for i := range pod.Spec.InitContainers {
		allErrs = append(allErrs, validateContainerOnlyForPod(&pod.Spec.InitContainers[i], specPath.Child("initContainers").Index(i))...)
	}
	return allErrs
}

func validateContainerOnlyForPod(ctr *corev1.Container, path *field.Path) field.ErrorList {
	if len(ctr.Image) != len(strings.TrimSpace(ctr.Image)) {
		return field.ErrorList{field.Invalid(path.Child("image"), ctr.Image, "must not have leading or trailing whitespace")}
	}
	return nil
}

// ValidatePodSpecificAnnotations checks the annotations that carry pod settings: mirror pods,
// tolerations, deletion cost, seccomp and AppArmor.
func ValidatePodSpecificAnnotations(annotations map[string]string, spec *corev1.PodSpec, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	var allErrs field.ErrorList
	if value, isMirror := annotations[corev1.MirrorPodAnnotationKey]; isMirror && len(spec.NodeName) == 0 {
		allErrs = append(allErrs, field.Invalid(fldPath.Key(corev1.MirrorPodAnnotationKey), value, "must set spec.nodeName if mirror pod annotation is set"))
	}
	if annotations[corev1.TolerationsAnnotationKey] != "" {
		var tolerations []corev1.Toleration
		if err := jsonUnmarshal(annotations[corev1.TolerationsAnnotationKey], &tolerations); err != nil {
			allErrs = append(allErrs, field.Invalid(fldPath, corev1.TolerationsAnnotationKey, err.Error()))
		} else if len(tolerations) > 0 {
			allErrs = append(allErrs, ValidateTolerations(tolerations, fldPath.Child(corev1.TolerationsAnnotationKey), opts)...)
		}
	}
	if !opts.AllowInvalidPodDeletionCost {
		if _, err := deletionCost(annotations); err != nil {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(corev1.PodDeletionCost), annotations[corev1.PodDeletionCost], "must be a 32bit integer"))
		}
	}
	if p, ok := annotations[corev1.SeccompPodAnnotationKey]; ok {
		allErrs = append(allErrs, validateSeccompProfileAnnotation(p, fldPath.Child(corev1.SeccompPodAnnotationKey))...)
	}
	for k, p := range annotations {
		if strings.HasPrefix(k, corev1.SeccompContainerAnnotationKeyPrefix) {
			allErrs = append(allErrs, validateSeccompProfileAnnotation(p, fldPath.Child(k))...)
		}
	}
	for k, p := range annotations {
		if !strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) {
			continue
		}
		name := strings.TrimPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix)
		found := false
		visitContainers(spec, nil, func(c *corev1.Container, _ *field.Path) { found = found || c.Name == name })
		if !found {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(k), name, "container not found"))
		}
		if p != "" && p != corev1.DeprecatedAppArmorBetaProfileRuntimeDefault && p != corev1.DeprecatedAppArmorBetaProfileNameUnconfined &&
			!strings.HasPrefix(p, corev1.DeprecatedAppArmorBetaProfileNamePrefix) {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(k), p, fmt.Sprintf("invalid AppArmor profile name: %q", p)))
		}
	}
	return allErrs
}

// deletionCost parses the pod-deletion-cost annotation as upstream does: no "+" and no
// leading zeros.
func deletionCost(annotations map[string]string) (int32, error) {
	value, ok := annotations[corev1.PodDeletionCost]
	if !ok {
		return 0, nil
	}
	if len(value) == 0 || !(value[0] == '-' || value == "0" || (value[0] >= '1' && value[0] <= '9')) {
		return 0, fmt.Errorf("invalid value %q", value)
	}
	i, err := strconv.ParseInt(value, 10, 32)
	return int32(i), err
}

func validateSeccompProfileAnnotation(p string, fldPath *field.Path) field.ErrorList {
	switch {
	case p == corev1.SeccompProfileRuntimeDefault, p == corev1.DeprecatedSeccompProfileDockerDefault, p == corev1.SeccompProfileNameUnconfined:
		return nil
	case strings.HasPrefix(p, corev1.SeccompLocalhostProfileNamePrefix):
		return validateLocalDescendingPath(strings.TrimPrefix(p, corev1.SeccompLocalhostProfileNamePrefix), fldPath)
	}
	return field.ErrorList{field.Invalid(fldPath, p, "must be a valid seccomp profile")}
}

// ValidatePodTemplateSpec validates a pod template embedded in a workload (Deployment, Job ...).
func ValidatePodTemplateSpec(spec *corev1.PodTemplateSpec, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	allErrs := metav1validation.ValidateLabels(spec.Labels, fldPath.Child("labels"))
	allErrs = append(allErrs, apimachineryvalidation.ValidateAnnotations(spec.Annotations, fldPath.Child("annotations"))...)
	allErrs = append(allErrs, ValidatePodSpecificAnnotations(spec.Annotations, &spec.Spec, fldPath.Child("annotations"), opts)...)
	allErrs = append(allErrs, validatePodSpec(&spec.Spec, nil, fldPath.Child("spec"), opts)...)
	allErrs = append(allErrs, validateSeccompAnnotationsAndFields(spec.ObjectMeta, &spec.Spec, fldPath.Child("spec"))...)
	allErrs = append(allErrs, validateAppArmorAnnotationsAndFieldsMatch(spec.ObjectMeta, &spec.Spec, fldPath.Child("spec"))...)
	if len(spec.Spec.EphemeralContainers) > 0 {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
	}
	return allErrs
}

// ValidatePodSpec validates a pod spec.
func ValidatePodSpec(spec *corev1.PodSpec, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	return validatePodSpec(spec, nil, fldPath, opts)
}

// validatePodSpec validates spec; podMeta is the pod's metadata when spec is a pod's (it names
// the PVCs of ephemeral volumes).
func validatePodSpec(spec *corev1.PodSpec, podMeta *metav1.ObjectMeta, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	var allErrs field.ErrorList
	if spec.TerminationGracePeriodSeconds == nil {
		allErrs = append(allErrs, field.Required(fldPath.Child("terminationGracePeriodSeconds"), ""))
	}
	gracePeriod := spec.TerminationGracePeriodSeconds
	hostUsers := spec.HostUsers == nil || *spec.HostUsers

	vols, vErrs := ValidateVolumes(spec.Volumes, podMeta, fldPath.Child("volumes"), opts)
	allErrs = append(allErrs, vErrs...)
	podClaimNames := sets.New[string]()
	for _, c := range spec.ResourceClaims {
		if c.Name != "" {
			podClaimNames.Insert(c.Name)
		}
	}
	allErrs = append(allErrs, validatePodResourceClaims(podMeta, spec.ResourceClaims, fldPath.Child("resourceClaims"))...)
	ctx := &containerContext{volumes: vols, podClaimNames: podClaimNames, opts: opts, podRestartPolicy: spec.RestartPolicy, hostUsers: hostUsers, gracePeriod: gracePeriod, os: spec.OS}
	allErrs = append(allErrs, validateContainers(spec.Containers, ctx, fldPath.Child("containers"))...)
	allErrs = append(allErrs, validateInitContainers(spec.InitContainers, spec.Containers, ctx, fldPath.Child("initContainers"))...)
	allErrs = append(allErrs, validateEphemeralContainers(spec.EphemeralContainers, spec.Containers, spec.InitContainers, ctx, fldPath.Child("ephemeralContainers"))...)
	allErrs = append(allErrs, validatePodResources(spec, podClaimNames, fldPath, opts)...)
	allErrs = append(allErrs, validatePodHostNetworkDeps(spec, fldPath, opts)...)
	allErrs = append(allErrs, validateEnum(spec.RestartPolicy, fldPath.Child("restartPolicy"), corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever)...)
	allErrs = append(allErrs, validateEnum(spec.DNSPolicy, fldPath.Child("dnsPolicy"), corev1.DNSClusterFirstWithHostNet, corev1.DNSClusterFirst, corev1.DNSDefault, corev1.DNSNone)...)
	allErrs = append(allErrs, metav1validation.ValidateLabels(spec.NodeSelector, fldPath.Child("nodeSelector"))...)
	allErrs = append(allErrs, validatePodSecurityContext(spec.SecurityContext, spec, fldPath.Child("securityContext"), opts)...)
	if spec.ShareProcessNamespace != nil && spec.HostPID && *spec.ShareProcessNamespace {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("shareProcessNamespace"), *spec.ShareProcessNamespace, "ShareProcessNamespace and HostPID cannot both be enabled"))
	}
	for i, s := range spec.ImagePullSecrets {
		if !reflect.DeepEqual(corev1.LocalObjectReference{Name: s.Name}, s) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("imagePullSecrets").Index(i), s, "only name may be set"))
		}
	}
	allErrs = append(allErrs, validateAffinity(spec.Affinity, opts, fldPath.Child("affinity"))...)
	allErrs = append(allErrs, validatePodDNSConfig(spec.DNSConfig, spec.DNSPolicy, fldPath.Child("dnsConfig"))...)
	for i, g := range spec.ReadinessGates {
		allErrs = append(allErrs, validateQualifiedName(string(g.ConditionType), fldPath.Child("readinessGates").Index(i).Child("conditionType"))...)
	}
	seenGates := sets.New[string]()
	for i, g := range spec.SchedulingGates {
		allErrs = append(allErrs, validateQualifiedName(g.Name, fldPath.Child("schedulingGates").Index(i))...)
		if seenGates.Has(g.Name) {
			allErrs = append(allErrs, field.Duplicate(fldPath.Child("schedulingGates").Index(i), g.Name))
		}
		seenGates.Insert(g.Name)
	}
	allErrs = append(allErrs, validateTopologySpreadConstraints(spec.TopologySpreadConstraints, fldPath.Child("topologySpreadConstraints"), opts)...)
	allErrs = append(allErrs, validateWindowsHostProcessPod(spec, fldPath)...)
	allErrs = append(allErrs, validateHostUsers(spec, fldPath, opts)...)
	allErrs = append(allErrs, validatePodHostnameOverride(spec, fldPath)...)
	if len(spec.ServiceAccountName) > 0 {
		for _, msg := range apimachineryvalidation.ValidateServiceAccountName(spec.ServiceAccountName, false) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("serviceAccountName"), spec.ServiceAccountName, msg))
		}
	}
	if spec.DeprecatedServiceAccount != spec.ServiceAccountName { //nolint:staticcheck // upstream keeps the alias in sync
		allErrs = append(allErrs, field.Invalid(fldPath.Child("deprecatedServiceAccount"), spec.DeprecatedServiceAccount, fmt.Sprintf("must be the same as serviceAccountName: %q", spec.ServiceAccountName))) //nolint:staticcheck
	}
	if len(spec.NodeName) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(spec.NodeName, false) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("nodeName"), spec.NodeName, msg))
		}
	}
	if spec.ActiveDeadlineSeconds != nil {
		if v := *spec.ActiveDeadlineSeconds; v < 1 || v > math.MaxInt32 {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("activeDeadlineSeconds"), v, validation.InclusiveRangeError(1, math.MaxInt32)))
		}
	}
	if len(spec.Hostname) > 0 {
		allErrs = append(allErrs, validateDNS1123Label(spec.Hostname, fldPath.Child("hostname"))...)
	}
	if len(spec.Subdomain) > 0 {
		allErrs = append(allErrs, validateDNS1123Label(spec.Subdomain, fldPath.Child("subdomain"))...)
	}
	if len(spec.Tolerations) > 0 {
		allErrs = append(allErrs, ValidateTolerations(spec.Tolerations, fldPath.Child("tolerations"), opts)...)
	}
	for i, ha := range spec.HostAliases {
		allErrs = append(allErrs, validation.IsValidIPForLegacyField(fldPath.Child("hostAliases").Index(i).Child("ip"), ha.IP, true, nil)...)
		for j, hostname := range ha.Hostnames {
			allErrs = append(allErrs, validateDNS1123Subdomain(hostname, fldPath.Child("hostAliases").Index(i).Child("hostnames").Index(j))...)
		}
	}
	if len(spec.PriorityClassName) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(spec.PriorityClassName, false) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("priorityClassName"), spec.PriorityClassName, msg))
		}
	}
	if spec.RuntimeClassName != nil {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*spec.RuntimeClassName, false) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("runtimeClassName"), *spec.RuntimeClassName, msg))
		}
	}
	if spec.PreemptionPolicy != nil {
		switch p := *spec.PreemptionPolicy; p {
		case corev1.PreemptLowerPriority, corev1.PreemptNever:
		case "":
			allErrs = append(allErrs, field.Required(fldPath.Child("preemptionPolicy"), ""))
		default:
			allErrs = append(allErrs, field.NotSupported(fldPath.Child("preemptionPolicy"), spec.PreemptionPolicy, []corev1.PreemptionPolicy{corev1.PreemptLowerPriority, corev1.PreemptNever}))
		}
	}
	if spec.Overhead != nil {
		allErrs = append(allErrs, ValidateContainerResourceRequirements(&corev1.ResourceRequirements{Limits: spec.Overhead}, nil, fldPath.Child("overhead"), opts)...)
	}
	if spec.OS != nil {
		osPath := fldPath.Child("os")
		switch {
		case len(spec.OS.Name) == 0:
			allErrs = append(allErrs, field.Required(osPath.Child("name"), ""))
		case spec.OS.Name != corev1.Linux && spec.OS.Name != corev1.Windows:
			allErrs = append(allErrs, field.NotSupported(osPath, spec.OS.Name, []corev1.OSName{corev1.Linux, corev1.Windows}))
		case spec.OS.Name == corev1.Linux:
			allErrs = append(allErrs, validateLinux(spec, fldPath)...)
		default:
			allErrs = append(allErrs, validateWindows(spec, fldPath)...)
		}
	}
	if spec.SchedulingGroup != nil {
		p := fldPath.Child("schedulingGroup", "podGroupName")
		if spec.SchedulingGroup.PodGroupName == nil {
			allErrs = append(allErrs, field.Invalid(p, spec.SchedulingGroup.PodGroupName, "must specify one of: `podGroupName`"))
		} else {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*spec.SchedulingGroup.PodGroupName, false) {
				allErrs = append(allErrs, field.Invalid(p, *spec.SchedulingGroup.PodGroupName, msg))
			}
		}
	}
	allErrs = append(allErrs, validateFileKeyRefVolumes(spec, fldPath)...)
	return allErrs
}

// validateEnum requires value to be one of valid; the empty value is Required.
func validateEnum[T ~string](value T, fldPath *field.Path, valid ...T) field.ErrorList {
	if value == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	for _, v := range valid {
		if v == value {
			return nil
		}
	}
	return field.ErrorList{field.NotSupported(fldPath, value, valid)}
}

func validatePodResourceClaims(podMeta *metav1.ObjectMeta, claims []corev1.PodResourceClaim, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	seen := sets.New[string]()
	for i, claim := range claims {
		if podMeta != nil {
			if _, ok := podMeta.Annotations[corev1.MirrorPodAnnotationKey]; ok {
				return field.ErrorList{field.Forbidden(field.NewPath(""), "static pods do not support resource claims")}
			}
		}
		p := fldPath.Index(i)
		switch {
		case claim.Name == "":
			allErrs = append(allErrs, field.Required(p.Child("name"), ""))
		case seen.Has(claim.Name):
			allErrs = append(allErrs, field.Duplicate(p.Child("name"), claim.Name))
		default:
			allErrs = append(allErrs, validateDNS1123Label(claim.Name, p.Child("name"))...)
			seen.Insert(claim.Name)
		}
		if claim.ResourceClaimName != nil && claim.ResourceClaimTemplateName != nil {
			allErrs = append(allErrs, field.Invalid(p, InternalJSON(claim), "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified"))
		}
		if claim.ResourceClaimName == nil && claim.ResourceClaimTemplateName == nil {
			allErrs = append(allErrs, field.Invalid(p, InternalJSON(claim), "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`"))
		}
		if claim.ResourceClaimName != nil {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*claim.ResourceClaimName, false) {
				allErrs = append(allErrs, field.Invalid(p.Child("resourceClaimName"), *claim.ResourceClaimName, msg))
			}
		}
		if claim.ResourceClaimTemplateName != nil {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*claim.ResourceClaimTemplateName, false) {
				allErrs = append(allErrs, field.Invalid(p.Child("resourceClaimTemplateName"), *claim.ResourceClaimTemplateName, msg))
			}
		}
	}
	return allErrs
}

func validatePodHostNetworkDeps(spec *corev1.PodSpec, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	var allErrs field.ErrorList
	if !spec.HostNetwork {
		return nil
	}
	for i, c := range spec.Containers {
		for j, port := range c.Ports {
			if hp, cp := port.HostPort, port.ContainerPort; (opts.ResourceIsPod || hp != 0) && hp != cp {
				allErrs = append(allErrs, field.Invalid(fldPath.Child("containers").Index(i).Child("ports").Index(j).Child("hostPort"), port.HostPort, "must match `containerPort` when `hostNetwork` is true"))
			}
		}
	}
	return allErrs
}

const (
	maxDNSNameservers     = 3
	maxDNSSearchPaths     = 32
	maxDNSSearchListChars = 2048
)

func validatePodDNSConfig(dnsConfig *corev1.PodDNSConfig, dnsPolicy corev1.DNSPolicy, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if dnsPolicy == corev1.DNSNone {
		if dnsConfig == nil {
			return field.ErrorList{field.Required(fldPath, fmt.Sprintf("must provide `dnsConfig` when `dnsPolicy` is %s", corev1.DNSNone))}
		}
		if len(dnsConfig.Nameservers) == 0 {
			return field.ErrorList{field.Required(fldPath.Child("nameservers"), fmt.Sprintf("must provide at least one DNS nameserver when `dnsPolicy` is %s", corev1.DNSNone))}
		}
	}
	if dnsConfig == nil {
		return nil
	}
	if len(dnsConfig.Nameservers) > maxDNSNameservers {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("nameservers"), dnsConfig.Nameservers, fmt.Sprintf("must not have more than %v nameservers", maxDNSNameservers)))
	}
	for i, ns := range dnsConfig.Nameservers {
		allErrs = append(allErrs, validation.IsValidIPForLegacyField(fldPath.Child("nameservers").Index(i), ns, true, nil)...)
	}
	if len(dnsConfig.Searches) > maxDNSSearchPaths {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("searches"), dnsConfig.Searches, fmt.Sprintf("must not have more than %v search paths", maxDNSSearchPaths)))
	}
	if len(strings.Join(dnsConfig.Searches, " ")) > maxDNSSearchListChars {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("searches"), dnsConfig.Searches, fmt.Sprintf("must not have more than %v characters (including spaces) in the search list", maxDNSSearchListChars)))
	}
	for i, search := range dnsConfig.Searches {
		if search != "." {
			search = strings.TrimSuffix(search, ".")
			for _, msg := range validation.IsDNS1123SubdomainWithUnderscore(search) {
				allErrs = append(allErrs, field.Invalid(fldPath.Child("searches").Index(i), search, msg))
			}
		}
	}
	for i, option := range dnsConfig.Options {
		if len(option.Name) == 0 {
			allErrs = append(allErrs, field.Required(fldPath.Child("options").Index(i), "must not be empty"))
		}
	}
	return allErrs
}

func validateHostUsers(spec *corev1.PodSpec, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	if spec.HostUsers == nil || *spec.HostUsers {
		return nil
	}
	var allErrs field.ErrorList
	if spec.HostPID {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("HostPID"), "when `hostUsers` is false"))
	}
	if spec.HostIPC {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("HostIPC"), "when `hostUsers` is false"))
	}
	if !opts.AllowUserNamespacesWithVolumeDevices {
		visitContainers(spec, fldPath, func(c *corev1.Container, p *field.Path) {
			if len(c.VolumeDevices) > 0 {
				allErrs = append(allErrs, field.Forbidden(p.Child("volumeDevices"), "when `hostUsers` is false"))
			}
		})
	}
	return allErrs
}

func validatePodHostnameOverride(spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	if spec.HostnameOverride == nil {
		return nil
	}
	var allErrs field.ErrorList
	p := fldPath.Child("hostnameOverride")
	if spec.SetHostnameAsFQDN != nil && *spec.SetHostnameAsFQDN {
		allErrs = append(allErrs, field.Forbidden(p, "may not be specified when setHostnameAsFQDN is true"))
	}
	if spec.HostNetwork {
		allErrs = append(allErrs, field.Forbidden(p, "may not be specified when hostNetwork is true"))
	}
	if len(*spec.HostnameOverride) > 64 {
		allErrs = append(allErrs, field.TooLong(p, "", 64))
	}
	return append(allErrs, validateDNS1123Subdomain(*spec.HostnameOverride, p)...)
}

func validateFileKeyRefVolumes(spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	sources := map[string]*corev1.VolumeSource{}
	for i := range spec.Volumes {
		sources[spec.Volumes[i].Name] = &spec.Volumes[i].VolumeSource
	}
	visitContainers(spec, fldPath, func(c *corev1.Container, p *field.Path) {
		for j, env := range c.Env {
			if env.ValueFrom == nil || env.ValueFrom.FileKeyRef == nil {
				continue
			}
			name := env.ValueFrom.FileKeyRef.VolumeName
			np := p.Child("env").Index(j).Child("valueFrom", "fileKeyRef", "volumeName")
			if source, ok := sources[name]; !ok {
				allErrs = append(allErrs, field.NotFound(np, name))
			} else if source.EmptyDir == nil {
				allErrs = append(allErrs, field.Invalid(np, name, "referenced volume must be of type emptyDir"))
			}
		}
	})
	return allErrs
}

var updatablePodSpecFields = []string{
	"`spec.containers[*].image`",
	"`spec.initContainers[*].image`",
	"`spec.activeDeadlineSeconds`",
	"`spec.tolerations` (only additions to existing tolerations)",
	"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
}

// ValidatePodUpdate validates an update of a pod by its users: the spec is immutable but for
// images, activeDeadlineSeconds, added tolerations, removed scheduling gates and (for gated
// pods) node selector and affinity additions.
func ValidatePodUpdate(newPod, oldPod *corev1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, metaPath)
	allErrs = append(allErrs, validatePodMetadataAndSpec(newPod, opts)...)
	allErrs = append(allErrs, validatePodSpecificAnnotationUpdates(newPod, oldPod, metaPath.Child("annotations"), opts)...)
	specPath := field.NewPath("spec")

	errs, stop := validateContainerUpdates(newPod.Spec.Containers, oldPod.Spec.Containers, specPath.Child("containers"))
	allErrs = append(allErrs, errs...)
	if stop {
		return allErrs
	}
	errs, stop = validateContainerUpdates(newPod.Spec.InitContainers, oldPod.Spec.InitContainers, specPath.Child("initContainers"))
	allErrs = append(allErrs, errs...)
	if stop {
		return allErrs
	}

	adsPath := specPath.Child("activeDeadlineSeconds")
	if newPod.Spec.ActiveDeadlineSeconds != nil {
		v := *newPod.Spec.ActiveDeadlineSeconds
		if v < 0 || v > math.MaxInt32 {
			return append(allErrs, field.Invalid(adsPath, v, validation.InclusiveRangeError(0, math.MaxInt32)))
		}
		if oldPod.Spec.ActiveDeadlineSeconds != nil && *oldPod.Spec.ActiveDeadlineSeconds < v {
			return append(allErrs, field.Invalid(adsPath, v, "must be less than or equal to previous value"))
		}
	} else if oldPod.Spec.ActiveDeadlineSeconds != nil {
		allErrs = append(allErrs, field.Invalid(adsPath, newPod.Spec.ActiveDeadlineSeconds, "must not update from a positive integer to nil value"))
	}

	allErrs = append(allErrs, validateOnlyAddedTolerations(newPod.Spec.Tolerations, oldPod.Spec.Tolerations, specPath.Child("tolerations"), opts)...)
	allErrs = append(allErrs, validateOnlyDeletedSchedulingGates(newPod.Spec.SchedulingGates, oldPod.Spec.SchedulingGates, specPath.Child("schedulingGates"))...)

	if apiequality.Semantic.DeepEqual(newPod.Spec, oldPod.Spec) {
		return allErrs
	}
	munged := *newPod.Spec.DeepCopy()
	for i := range munged.Containers {
		munged.Containers[i].Image = oldPod.Spec.Containers[i].Image
	}
	for i := range munged.InitContainers {
		munged.InitContainers[i].Image = oldPod.Spec.InitContainers[i].Image
	}
	munged.ActiveDeadlineSeconds = oldPod.Spec.ActiveDeadlineSeconds
	munged.SchedulingGates = oldPod.Spec.SchedulingGates
	munged.Tolerations = oldPod.Spec.Tolerations
	if old := oldPod.Spec.TerminationGracePeriodSeconds; old != nil && *old < 0 && munged.TerminationGracePeriodSeconds != nil && *munged.TerminationGracePeriodSeconds == 1 {
		munged.TerminationGracePeriodSeconds = old
	}
	if len(oldPod.Spec.SchedulingGates) > 0 {
		if !apiequality.Semantic.DeepEqual(munged.NodeSelector, oldPod.Spec.NodeSelector) {
			allErrs = append(allErrs, validateNodeSelectorMutation(specPath.Child("nodeSelector"), munged.NodeSelector, oldPod.Spec.NodeSelector)...)
			munged.NodeSelector = oldPod.Spec.NodeSelector
		}
		var oldNA, newNA *corev1.NodeAffinity
		if oldPod.Spec.Affinity != nil {
			oldNA = oldPod.Spec.Affinity.NodeAffinity
		}
		if munged.Affinity != nil {
			newNA = munged.Affinity.NodeAffinity
		}
		if !apiequality.Semantic.DeepEqual(oldNA, newNA) {
			allErrs = append(allErrs, validateNodeAffinityMutation(specPath.Child("affinity", "nodeAffinity"), newNA, oldNA)...)
			switch {
			case munged.Affinity == nil && oldNA == nil:
			case munged.Affinity == nil:
				munged.Affinity = &corev1.Affinity{NodeAffinity: oldNA}
			case oldPod.Spec.Affinity == nil && munged.Affinity.PodAntiAffinity == nil && munged.Affinity.PodAffinity == nil:
				munged.Affinity = nil
			default:
				munged.Affinity.NodeAffinity = oldNA
			}
		}
	}
	if !apiequality.Semantic.DeepEqual(munged, oldPod.Spec) {
		specDiff := diff.Diff(InternalJSON(oldPod.Spec), InternalJSON(munged))
		allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("pod updates may not change fields other than %s\n%v", strings.Join(updatablePodSpecFields, ","), specDiff)))
	}
	return allErrs
}

func validateContainerUpdates(newContainers, oldContainers []corev1.Container, fldPath *field.Path) (field.ErrorList, bool) {
	if len(newContainers) != len(oldContainers) {
		return field.ErrorList{field.Forbidden(fldPath, "pod updates may not add or remove containers")}, true
	}
	var allErrs field.ErrorList
	for i, c := range newContainers {
		if len(c.Image) == 0 {
			allErrs = append(allErrs, field.Required(fldPath.Index(i).Child("image"), ""))
		}
		if len(strings.TrimSpace(c.Image)) != len(c.Image) {
			allErrs = append(allErrs, field.Invalid(fldPath.Index(i).Child("image"), c.Image, "must not have leading or trailing whitespace"))
		}
	}
	return allErrs, false
}

func validateOnlyAddedTolerations(newTolerations, oldTolerations []corev1.Toleration, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	for _, old := range oldTolerations {
		found := false
		for _, t := range newTolerations {
			clone := old
			clone.TolerationSeconds = t.TolerationSeconds
			if reflect.DeepEqual(clone, t) {
				found = true
				break
			}
		}
		if !found {
			return field.ErrorList{field.Forbidden(fldPath, "existing toleration can not be modified except its tolerationSeconds")}
		}
	}
	return ValidateTolerations(newTolerations, fldPath, opts)
}

func validateOnlyDeletedSchedulingGates(newGates, oldGates []corev1.PodSchedulingGate, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	old := sets.New[string]()
	for _, g := range oldGates {
		old.Insert(g.Name)
	}
	for i, g := range newGates {
		if !old.Has(g.Name) {
			allErrs = append(allErrs, field.Forbidden(fldPath.Index(i).Child("name"), fmt.Sprintf("only deletion is allowed, but found new scheduling gate '%s'", g.Name)))
		}
	}
	return allErrs
}

func validateNodeSelectorMutation(fldPath *field.Path, newSel, oldSel map[string]string) field.ErrorList {
	for k, v1 := range oldSel {
		if v2, ok := newSel[k]; !ok || v1 != v2 {
			return field.ErrorList{field.Invalid(fldPath, newSel, "only additions to spec.nodeSelector are allowed (no mutations or deletions)")}
		}
	}
	return nil
}

func validateNodeAffinityMutation(fldPath *field.Path, newNA, oldNA *corev1.NodeAffinity) field.ErrorList {
	if oldNA == nil || oldNA.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil
	}
	oldTerms := oldNA.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	var newTerms []corev1.NodeSelectorTerm
	if newNA != nil && newNA.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		newTerms = newNA.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	}
	p := fldPath.Child("requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
	if len(oldTerms) > 0 && len(oldTerms) != len(newTerms) {
		return field.ErrorList{field.Invalid(p, InternalJSON(newTerms), "no additions/deletions to non-empty NodeSelectorTerms list are allowed")}
	}
	var allErrs field.ErrorList
	for i := range oldTerms {
		if !nodeSelectorTermHasOnlyAdditions(newTerms[i], oldTerms[i]) {
			allErrs = append(allErrs, field.Invalid(p.Index(i), InternalJSON(newTerms[i]), "only additions are allowed (no mutations or deletions)"))
		}
	}
	return allErrs
}

func nodeSelectorTermHasOnlyAdditions(newTerm, oldTerm corev1.NodeSelectorTerm) bool {
	if len(oldTerm.MatchExpressions) == 0 && len(oldTerm.MatchFields) == 0 && (len(newTerm.MatchExpressions) > 0 || len(newTerm.MatchFields) > 0) {
		return false
	}
	if l := len(oldTerm.MatchExpressions); l > 0 && (len(newTerm.MatchExpressions) < l || !apiequality.Semantic.DeepEqual(newTerm.MatchExpressions[:l], oldTerm.MatchExpressions)) {
		return false
	}
	if l := len(oldTerm.MatchFields); l > 0 && (len(newTerm.MatchFields) < l || !apiequality.Semantic.DeepEqual(newTerm.MatchFields[:l], oldTerm.MatchFields)) {
		return false
	}
	return true
}

func validatePodSpecificAnnotationUpdates(newPod, oldPod *corev1.Pod, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	var allErrs field.ErrorList
	for k, oldVal := range oldPod.Annotations {
		if newVal, ok := newPod.Annotations[k]; ok && newVal == oldVal {
			continue
		}
		if strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) {
			allErrs = append(allErrs, field.Forbidden(fldPath.Key(k), "may not remove or update AppArmor annotations"))
		}
		if k == corev1.MirrorPodAnnotationKey {
			allErrs = append(allErrs, field.Forbidden(fldPath.Key(k), "may not remove or update mirror pod annotation"))
		}
	}
	for k := range newPod.Annotations {
		if _, ok := oldPod.Annotations[k]; ok {
			continue
		}
		if strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) {
			allErrs = append(allErrs, field.Forbidden(fldPath.Key(k), "may not add AppArmor annotations"))
		}
		if k == corev1.MirrorPodAnnotationKey {
			allErrs = append(allErrs, field.Forbidden(fldPath.Key(k), "may not add mirror pod annotation"))
		}
	}
	return append(allErrs, ValidatePodSpecificAnnotations(newPod.Annotations, &newPod.Spec, fldPath, opts)...)
}

// ValidatePodStatusUpdate validates a write to pods/status.
func ValidatePodStatusUpdate(newPod, oldPod *corev1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, metaPath)
	allErrs = append(allErrs, validatePodSpecificAnnotationUpdates(newPod, oldPod, metaPath.Child("annotations"), opts)...)

	statusPath := field.NewPath("status")
	allErrs = append(allErrs, validatePodConditions(newPod.Status.Conditions, statusPath.Child("conditions"))...)
	if newPod.Spec.NodeName != oldPod.Spec.NodeName {
		allErrs = append(allErrs, field.Forbidden(statusPath.Child("nodeName"), "may not be changed directly"))
	}
	if nn := newPod.Status.NominatedNodeName; nn != oldPod.Status.NominatedNodeName && len(nn) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(nn, false) {
			allErrs = append(allErrs, field.Invalid(statusPath.Child("nominatedNodeName"), nn, msg))
		}
		if oldPod.Spec.NodeName != "" {
			allErrs = append(allErrs, field.Forbidden(statusPath.Child("nominatedNodeName"), "may not be set on pods that are already bound to a node"))
		}
	}
	if newPod.Status.ObservedGeneration < 0 {
		allErrs = append(allErrs, field.Invalid(statusPath.Child("observedGeneration"), newPod.Status.ObservedGeneration, "must be a non-negative integer"))
	}
	allErrs = append(allErrs, apimachineryvalidation.ValidateImmutableField(newPod.Status.QOSClass, oldPod.Status.QOSClass, statusPath.Child("qosClass"))...)
	allErrs = append(allErrs, validateContainerStateTransition(newPod.Status.ContainerStatuses, oldPod.Status.ContainerStatuses, statusPath.Child("containerStatuses"), &oldPod.Spec)...)
	allErrs = append(allErrs, validatePodIPs(newPod, oldPod)...)
	allErrs = append(allErrs, validateHostIPs(newPod, oldPod)...)
	return allErrs
}

func validatePodConditions(conditions []corev1.PodCondition, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	system := sets.New(corev1.PodScheduled, corev1.PodReady, corev1.PodInitialized)
	for i, c := range conditions {
		if c.ObservedGeneration < 0 {
			allErrs = append(allErrs, field.Invalid(fldPath.Index(i).Child("observedGeneration"), c.ObservedGeneration, "must be a non-negative integer"))
		}
		if system.Has(c.Type) {
			continue
		}
		allErrs = append(allErrs, validateQualifiedName(string(c.Type), fldPath.Index(i).Child("Type"))...)
	}
	return allErrs
}

// validateContainerStateTransition forbids terminated containers from leaving the terminated
// state unless their restart policy (container rules, container policy, then pod policy) would
// restart them, as upstream does with ContainerRestartRules and RestartAllContainers enabled.
func validateContainerStateTransition(newStatuses, oldStatuses []corev1.ContainerStatus, fldPath *field.Path, spec *corev1.PodSpec) field.ErrorList {
	for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			for _, r := range c.RestartPolicyRules {
				if r.Action == corev1.ContainerRestartRuleActionRestartAllContainers {
					return nil
				}
			}
		}
	}
	var allErrs field.ErrorList
	for i, old := range oldStatuses {
		if old.State.Terminated == nil {
			continue
		}
		for _, s := range newStatuses {
			if s.Name != old.Name || s.State.Terminated != nil {
				continue
			}
			allowed := false
			for _, c := range spec.Containers {
				if c.Name == old.Name {
					allowed = containerShouldRestart(&c, spec.RestartPolicy, old.State.Terminated.ExitCode)
					break
				}
			}
			if !allowed {
				allErrs = append(allErrs, field.Forbidden(fldPath.Index(i).Child("state"), "may not be transitioned to non-terminated state"))
			}
			break
		}
	}
	return allErrs
}

func containerShouldRestart(c *corev1.Container, podPolicy corev1.RestartPolicy, exitCode int32) bool {
	if c.RestartPolicy != nil {
		for _, r := range c.RestartPolicyRules {
			if r.ExitCodes == nil {
				continue
			}
			matched := false
			for _, v := range r.ExitCodes.Values {
				matched = matched || v == exitCode
			}
			if (r.ExitCodes.Operator == corev1.ContainerRestartRuleOnExitCodesOpIn && matched) ||
				(r.ExitCodes.Operator == corev1.ContainerRestartRuleOnExitCodesOpNotIn && !matched) {
				if r.Action == corev1.ContainerRestartRuleActionRestart || r.Action == corev1.ContainerRestartRuleActionRestartAllContainers {
					return true
				}
				break
			}
		}
		switch *c.RestartPolicy {
		case corev1.ContainerRestartPolicyAlways:
			return true
		case corev1.ContainerRestartPolicyOnFailure:
			return exitCode != 0
		case corev1.ContainerRestartPolicyNever:
			return false
		}
	}
	switch podPolicy {
	case corev1.RestartPolicyOnFailure:
		return exitCode != 0
	case corev1.RestartPolicyNever:
		return false
	}
	return true
}

func validatePodIPs(pod, oldPod *corev1.Pod) field.ErrorList {
	var allErrs field.ErrorList
	p := field.NewPath("status", "podIPs")
	var existing []string
	for _, ip := range oldPod.Status.PodIPs {
		existing = append(existing, ip.IP)
	}
	var ips []string
	for i, ip := range pod.Status.PodIPs {
		allErrs = append(allErrs, validation.IsValidIPForLegacyField(p.Index(i), ip.IP, true, existing)...)
		ips = append(ips, ip.IP)
	}
	if len(ips) > 1 {
		dual, err := netutils.IsDualStackIPStrings(ips)
		if err != nil {
			allErrs = append(allErrs, field.InternalError(p, fmt.Errorf("failed to check for dual stack with error:%v", err)))
		}
		if !dual || len(ips) > 2 {
			allErrs = append(allErrs, field.Invalid(p, InternalJSON(pod.Status.PodIPs), "may specify no more than one IP for each IP family"))
		}
	}
	hasIP, hasIPs := len(pod.Status.PodIP) > 0, len(pod.Status.PodIPs) > 0
	switch {
	case hasIP != hasIPs:
		allErrs = append(allErrs, field.Invalid(p, InternalJSON(pod.Status.PodIPs), "podIP and podIPs must either both be set or both be unset"))
	case hasIPs && pod.Status.PodIP != pod.Status.PodIPs[0].IP:
		allErrs = append(allErrs, field.Invalid(p.Index(0).Child("ip"), pod.Status.PodIPs[0].IP, "must be equal to `podIP`"))
	}
	return allErrs
}

func validateHostIPs(pod, oldPod *corev1.Pod) field.ErrorList {
	if len(pod.Status.HostIPs) == 0 {
		return nil
	}
	var allErrs field.ErrorList
	p := field.NewPath("status", "hostIPs")
	if pod.Status.HostIP != pod.Status.HostIPs[0].IP {
		allErrs = append(allErrs, field.Invalid(p.Index(0).Child("ip"), pod.Status.HostIPs[0].IP, "must be equal to `hostIP`"))
	}
	var existing, ips []string
	for _, ip := range oldPod.Status.HostIPs {
		existing = append(existing, ip.IP)
	}
	for i, ip := range pod.Status.HostIPs {
		allErrs = append(allErrs, validation.IsValidIPForLegacyField(p.Index(i), ip.IP, true, existing)...)
		ips = append(ips, ip.IP)
	}
	if len(ips) > 1 {
		dual, err := netutils.IsDualStackIPStrings(ips)
		if err != nil {
			allErrs = append(allErrs, field.InternalError(p, fmt.Errorf("failed to check for dual stack with error:%v", err)))
		}
		if !dual || len(ips) > 2 {
			allErrs = append(allErrs, field.Invalid(p, InternalJSON(pod.Status.HostIPs), "may specify no more than one IP for each IP family"))
		}
	}
	return allErrs
}

// ValidatePodEphemeralContainersUpdate validates a write to pods/ephemeralcontainers: ephemeral
// containers may be added but not changed or removed.
func ValidatePodEphemeralContainersUpdate(newPod, oldPod *corev1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, metaPath)
	allErrs = append(allErrs, validatePodMetadataAndSpec(newPod, opts)...)
	allErrs = append(allErrs, validatePodSpecificAnnotationUpdates(newPod, oldPod, metaPath.Child("annotations"), opts)...)
	if _, ok := oldPod.Annotations[corev1.MirrorPodAnnotationKey]; ok {
		return field.ErrorList{field.Forbidden(field.NewPath(""), "static pods do not support ephemeral containers")}
	}
	byName := map[string]*corev1.EphemeralContainer{}
	for i := range newPod.Spec.EphemeralContainers {
		byName[newPod.Spec.EphemeralContainers[i].Name] = &newPod.Spec.EphemeralContainers[i]
	}
	specPath := field.NewPath("spec", "ephemeralContainers")
	for _, old := range oldPod.Spec.EphemeralContainers {
		if c, ok := byName[old.Name]; !ok {
			allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("existing ephemeral containers %q may not be removed\n", old.Name)))
		} else if !apiequality.Semantic.DeepEqual(old, *c) {
			allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("existing ephemeral containers %q may not be changed\n%v", old.Name, diff.Diff(InternalJSON(old), InternalJSON(*c)))))
		}
	}
	return allErrs
}

// ValidatePodBinding validates a Binding of a pod to a node.
func ValidatePodBinding(binding *corev1.Binding) field.ErrorList {
	var allErrs field.ErrorList
	if len(binding.Target.Kind) != 0 && binding.Target.Kind != "Node" {
		allErrs = append(allErrs, field.NotSupported(field.NewPath("target", "kind"), binding.Target.Kind, []string{"Node", "<empty>"}))
	}
	if len(binding.Target.Name) == 0 {
		allErrs = append(allErrs, field.Required(field.NewPath("target", "name"), ""))
	} else if len(binding.Target.Kind) == 0 || binding.Target.Kind == "Node" {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(binding.Target.Name, false) {
			allErrs = append(allErrs, field.Invalid(field.NewPath("target", "name"), binding.Target.Name, msg))
		}
	}
	return allErrs
}

// validateSeccompAnnotationsAndFields requires the deprecated seccomp annotations to agree with
// the seccompProfile fields where both are set.
func validateSeccompAnnotationsAndFields(meta metav1.ObjectMeta, spec *corev1.PodSpec, specPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if spec.SecurityContext != nil && spec.SecurityContext.SeccompProfile != nil {
		if a, ok := meta.Annotations[corev1.SeccompPodAnnotationKey]; ok {
			if err := seccompAnnotationMatchesField(a, spec.SecurityContext.SeccompProfile, specPath.Child("securityContext", "seccompProfile")); err != nil {
				allErrs = append(allErrs, err)
			}
		}
	}
	visitContainers(spec, specPath, func(c *corev1.Container, p *field.Path) {
		if c.SecurityContext == nil || c.SecurityContext.SeccompProfile == nil {
			return
		}
		if a, ok := meta.Annotations[corev1.SeccompContainerAnnotationKeyPrefix+c.Name]; ok {
			if err := seccompAnnotationMatchesField(a, c.SecurityContext.SeccompProfile, p.Child("securityContext", "seccompProfile")); err != nil {
				allErrs = append(allErrs, err)
			}
		}
	})
	return allErrs
}

func seccompAnnotationMatchesField(annotation string, sp *corev1.SeccompProfile, fldPath *field.Path) *field.Error {
	mismatch := field.Forbidden(fldPath.Child("type"), "seccomp type in annotation and field must match")
	switch sp.Type {
	case corev1.SeccompProfileTypeUnconfined:
		if annotation != corev1.SeccompProfileNameUnconfined {
			return mismatch
		}
	case corev1.SeccompProfileTypeRuntimeDefault:
		if annotation != corev1.SeccompProfileRuntimeDefault && annotation != corev1.DeprecatedSeccompProfileDockerDefault {
			return mismatch
		}
	case corev1.SeccompProfileTypeLocalhost:
		if !strings.HasPrefix(annotation, corev1.SeccompLocalhostProfileNamePrefix) {
			return mismatch
		}
		if sp.LocalhostProfile == nil || strings.TrimPrefix(annotation, corev1.SeccompLocalhostProfileNamePrefix) != *sp.LocalhostProfile {
			return field.Forbidden(fldPath.Child("localhostProfile"), "seccomp profile in annotation and field must match")
		}
	}
	return nil
}

const (
	appArmorAnnotationKeyPrefix         = "container.apparmor.security.beta.kubernetes.io/"
	appArmorAnnotationValueRuntimeDflt  = "runtime/default"
	appArmorAnnotationValueUnconfined   = "unconfined"
	appArmorAnnotationValueLocalhostPfx = "localhost/"
)

func validateAppArmorAnnotationsAndFieldsMatch(meta metav1.ObjectMeta, spec *corev1.PodSpec, specPath *field.Path) field.ErrorList {
	if spec.OS != nil && spec.OS.Name == corev1.Windows {
		return nil
	}
	var allErrs field.ErrorList
	var podProfile *corev1.AppArmorProfile
	if spec.SecurityContext != nil {
		podProfile = spec.SecurityContext.AppArmorProfile
	}
	visitContainers(spec, specPath, func(c *corev1.Container, p *field.Path) {
		profile := podProfile
		if c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil {
			profile = c.SecurityContext.AppArmorProfile
		}
		if profile == nil {
			return
		}
		annotation, ok := meta.Annotations[appArmorAnnotationKeyPrefix+c.Name]
		if !ok {
			return
		}
		ap := p.Child("securityContext", "appArmorProfile")
		mismatch := field.Forbidden(ap.Child("type"), "apparmor type in annotation and field must match")
		switch profile.Type {
		case corev1.AppArmorProfileTypeUnconfined:
			if annotation != appArmorAnnotationValueUnconfined {
				allErrs = append(allErrs, mismatch)
			}
		case corev1.AppArmorProfileTypeRuntimeDefault:
			if annotation != appArmorAnnotationValueRuntimeDflt {
				allErrs = append(allErrs, mismatch)
			}
		case corev1.AppArmorProfileTypeLocalhost:
			if !strings.HasPrefix(annotation, appArmorAnnotationValueLocalhostPfx) {
				allErrs = append(allErrs, mismatch)
			} else if profile.LocalhostProfile == nil || strings.TrimPrefix(annotation, appArmorAnnotationValueLocalhostPfx) != *profile.LocalhostProfile {
				allErrs = append(allErrs, field.Forbidden(ap.Child("localhostProfile"), "apparmor profile in annotation and field must match"))
			}
		}
	})
	return allErrs
}
