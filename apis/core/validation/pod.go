package validation

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
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

const (
	appArmorAnnotationKeyPrefix         = "container.apparmor.security.beta.kubernetes.io/"
	appArmorAnnotationValueRuntimeDflt  = "runtime/default"
	appArmorAnnotationValueUnconfined   = "unconfined"
	appArmorAnnotationValueLocalhostPfx = "localhost/"
)
