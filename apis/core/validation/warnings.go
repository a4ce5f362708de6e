package validation

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// WarningsForPod returns the warnings upstream gives when a Pod is created (besides the one about
// its name): deprecated node labels, annotations and volume plugins, duplicates that apply would
// drop, fractional byte quantities, ambiguous ports, null selectors.
func WarningsForPod(pod *corev1.Pod) []string {
	return warningsForPodSpecAndMeta(nil, &pod.Spec, &pod.ObjectMeta)
}

// WarningsForPodTemplate returns the same warnings for a pod template at fldPath (e.g.
// spec.template), for the workload kinds to return from WarningsOnCreate and, when the
// generation changed, WarningsOnUpdate.
func WarningsForPodTemplate(fldPath *field.Path, tmpl *corev1.PodTemplateSpec) []string {
	if tmpl == nil {
		return nil
	}
	return warningsForPodSpecAndMeta(fldPath, &tmpl.Spec, &tmpl.ObjectMeta)
}

var deprecatedNodeLabels = map[string]string{
	`beta.kubernetes.io/arch`:                       `deprecated since v1.14; use "kubernetes.io/arch" instead`,
	`beta.kubernetes.io/os`:                         `deprecated since v1.14; use "kubernetes.io/os" instead`,
	`failure-domain.beta.kubernetes.io/region`:      `deprecated since v1.17; use "topology.kubernetes.io/region" instead`,
	`failure-domain.beta.kubernetes.io/zone`:        `deprecated since v1.17; use "topology.kubernetes.io/zone" instead`,
	`beta.kubernetes.io/instance-type`:              `deprecated since v1.17; use "node.kubernetes.io/instance-type" instead`,
	`app.kubernetes.io/created-by`:                  `deprecated since v1.9`,
	`scheduler.alpha.kubernetes.io/preferAvoidPods`: `deprecated since v1.22; use Taints and Tolerations instead`,
	`node-role.kubernetes.io/master`:                `use "node-role.kubernetes.io/control-plane" instead`,
}

// DeprecatedNodeLabelMessage says why a node label key is deprecated, if it is.
func DeprecatedNodeLabelMessage(key string) (string, bool) {
	msg, ok := deprecatedNodeLabels[key]
	return msg, ok
}

var deprecatedAnnotations = []struct{ key, message string }{
	{`scheduler.alpha.kubernetes.io/critical-pod`, `non-functional in v1.16+; use the "priorityClassName" field instead`},
	{`security.alpha.kubernetes.io/sysctls`, `non-functional in v1.11+; use the "sysctls" field instead`},
	{`security.alpha.kubernetes.io/unsafe-sysctls`, `non-functional in v1.11+; use the "sysctls" field instead`},
}

func warningsForNodeSelectorTerm(term corev1.NodeSelectorTerm, checkValues bool, fldPath *field.Path) []string {
	var warnings []string
	for i, e := range term.MatchExpressions {
		if msg, ok := DeprecatedNodeLabelMessage(e.Key); ok {
			warnings = append(warnings, fmt.Sprintf("%s: %s is %s", fldPath.Child("matchExpressions").Index(i).Child("key"), e.Key, msg))
		}
		if checkValues {
			for j, v := range e.Values {
				for _, msg := range validation.IsValidLabelValue(v) {
					warnings = append(warnings, fmt.Sprintf("%s: %s is invalid, %s", fldPath.Child("matchExpressions").Index(i).Child("values").Index(j), v, msg))
				}
			}
		}
	}
	return warnings
}

func fractionalBytes(q resource.Quantity) bool { return q.MilliValue()%1000 != 0 }

func warningsForPodSpecAndMeta(fldPath *field.Path, spec *corev1.PodSpec, meta *metav1.ObjectMeta) []string {
	var warnings []string
	warn := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	specPath := fldPath.Child("spec")
	annotationsPath := fldPath.Child("metadata", "annotations")

	for k := range spec.NodeSelector {
		if msg, ok := DeprecatedNodeLabelMessage(k); ok {
			warn("%s: %s", specPath.Child("nodeSelector").Key(k), msg)
		}
	}
	if spec.Affinity != nil && spec.Affinity.NodeAffinity != nil {
		na := spec.Affinity.NodeAffinity
		naPath := specPath.Child("affinity", "nodeAffinity")
		if na.RequiredDuringSchedulingIgnoredDuringExecution != nil {
			p := naPath.Child("requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
			for i, term := range na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
				warnings = append(warnings, warningsForNodeSelectorTerm(term, false, p.Index(i))...)
			}
		}
		p := naPath.Child("preferredDuringSchedulingIgnoredDuringExecution")
		for i, term := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			warnings = append(warnings, warningsForNodeSelectorTerm(term.Preference, true, p.Index(i).Child("preference"))...)
		}
	}
	for i, c := range spec.TopologySpreadConstraints {
		p := specPath.Child("topologySpreadConstraints").Index(i)
		if msg, ok := DeprecatedNodeLabelMessage(c.TopologyKey); ok {
			warn("%s: %s is %s", p.Child("topologyKey"), c.TopologyKey, msg)
		}
		if c.LabelSelector == nil {
			warn("%s: a null labelSelector results in matching no pod", p.Child("labelSelector"))
		}
	}

	for _, d := range deprecatedAnnotations {
		if _, ok := meta.Annotations[d.key]; ok {
			warn("%s: %s", annotationsPath.Key(d.key), d.message)
		}
	}

	// A valid volume has one source, so one of these at most.
	for i, v := range spec.Volumes {
		p := specPath.Child("volumes").Index(i)
		for _, d := range []struct {
			set        bool
			name, note string
		}{
			{v.PhotonPersistentDisk != nil, "photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+"},
			// The GitRepoVolumeDriver feature is off by default since v1.33.
			{v.GitRepo != nil, "gitRepo", "deprecated in v1.11, and disabled by default in v1.33+"},
			{v.ScaleIO != nil, "scaleIO", "deprecated in v1.16, non-functional in v1.22+"},
			{v.Flocker != nil, "flocker", "deprecated in v1.22, non-functional in v1.25+"},
			{v.StorageOS != nil, "storageOS", "deprecated in v1.22, non-functional in v1.25+"},
			{v.Quobyte != nil, "quobyte", "deprecated in v1.22, non-functional in v1.25+"},
			{v.Glusterfs != nil, "glusterfs", "deprecated in v1.25, non-functional in v1.26+"},
			{v.CephFS != nil, "cephfs", "deprecated in v1.28, non-functional in v1.31+"},
			{v.RBD != nil, "rbd", "deprecated in v1.28, non-functional in v1.31+"},
		} {
			if d.set {
				warn("%s: %s", p.Child(d.name), d.note)
			}
		}
		if v.Ephemeral != nil && v.Ephemeral.VolumeClaimTemplate != nil {
			rp := p.Child("ephemeral", "volumeClaimTemplate", "spec", "resources")
			res := v.Ephemeral.VolumeClaimTemplate.Spec.Resources
			if q := res.Requests[corev1.ResourceStorage]; fractionalBytes(q) {
				warn("%s: fractional byte value %q is invalid, must be an integer", rp.Child("requests").Key(string(corev1.ResourceStorage)), q.String())
			}
			if q := res.Limits[corev1.ResourceStorage]; fractionalBytes(q) {
				warn("%s: fractional byte value %q is invalid, must be an integer", rp.Child("limits").Key(string(corev1.ResourceStorage)), q.String())
			}
		}
	}
	warnings = append(warnings, warningsForOverlappingVirtualPaths(spec.Volumes)...)

	if len(spec.HostAliases) > 1 {
		seen := sets.New[string]()
		for i, a := range spec.HostAliases {
			if seen.Has(a.IP) {
				warn("%s: duplicate ip %q", specPath.Child("hostAliases").Index(i).Child("ip"), a.IP)
			}
			seen.Insert(a.IP)
		}
	}
	if len(spec.ImagePullSecrets) > 1 {
		seen := sets.New[string]()
		for i, s := range spec.ImagePullSecrets {
			if seen.Has(s.Name) {
				warn("%s: duplicate name %q", specPath.Child("imagePullSecrets").Index(i).Child("name"), s.Name)
			}
			seen.Insert(s.Name)
		}
	}
	for i, s := range spec.ImagePullSecrets {
		if s.Name == "" {
			warn("%s: invalid empty name %q", specPath.Child("imagePullSecrets").Index(i).Child("name"), s.Name)
		}
	}

	for _, name := range []corev1.ResourceName{corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
		if q, ok := spec.Overhead[name]; ok && fractionalBytes(q) {
			warn("%s: fractional byte value %q is invalid, must be an integer", specPath.Child("overhead").Key(string(name)), q.String())
		}
	}

	if spec.SecurityContext == nil || spec.SecurityContext.SeccompProfile == nil {
		if _, ok := meta.Annotations[corev1.SeccompPodAnnotationKey]; ok {
			warn(`%s: non-functional in v1.27+; use the "seccompProfile" field instead`, annotationsPath.Key(corev1.SeccompPodAnnotationKey))
		}
	}
	var podAppArmor *corev1.AppArmorProfile
	if spec.SecurityContext != nil {
		podAppArmor = spec.SecurityContext.AppArmorProfile
	}

	visitContainers(spec, specPath, func(c *corev1.Container, p *field.Path) {
		if c.SecurityContext == nil || c.SecurityContext.SeccompProfile == nil {
			if _, ok := meta.Annotations[corev1.SeccompContainerAnnotationKeyPrefix+c.Name]; ok {
				warn(`%s: non-functional in v1.27+; use the "seccompProfile" field instead`, annotationsPath.Key(corev1.SeccompContainerAnnotationKeyPrefix+c.Name))
			}
		}
		// Pods warn about AppArmor annotations when their fields are synced (see the pod strategy).
		if fldPath != nil && (c.SecurityContext == nil || c.SecurityContext.AppArmorProfile == nil) {
			key := corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + c.Name
			if a, ok := meta.Annotations[key]; ok && (podAppArmor == nil || !apiequality.Semantic.DeepEqual(podAppArmor, AppArmorFieldForAnnotation(a))) {
				warn(`%s: deprecated since v1.30; use the "appArmorProfile" field instead`, annotationsPath.Key(key))
			}
		}
		for _, name := range []corev1.ResourceName{corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
			if q, ok := c.Resources.Limits[name]; ok && fractionalBytes(q) {
				warn("%s: fractional byte value %q is invalid, must be an integer", p.Child("resources", "limits").Key(string(name)), q.String())
			}
			if q, ok := c.Resources.Requests[name]; ok && fractionalBytes(q) {
				warn("%s: fractional byte value %q is invalid, must be an integer", p.Child("resources", "requests").Key(string(name)), q.String())
			}
		}
		if len(c.Env) > 1 {
			seen := sets.New[string]()
			for i, e := range c.Env {
				if !seen.Has(e.Name) {
					seen.Insert(e.Name)
					continue
				}
				ref := fmt.Sprintf("$(%s)", e.Name)
				if e.ValueFrom != nil || e.Value == ref || !strings.Contains(e.Value, ref) {
					warn("%s: hides previous definition of %q, which may be dropped when using apply", p.Child("env").Index(i), e.Name)
				}
			}
		}
	})

	type portBlock struct {
		path *field.Path
		port corev1.ContainerPort
	}
	ports := map[string][]portBlock{}
	visitContainers(spec, specPath, func(c *corev1.Container, p *field.Path) {
		for i, port := range c.Ports {
			pp := p.Child("ports").Index(i)
			if port.HostIP != "" && port.HostPort == 0 {
				warn("%s: hostIP set without hostPort: %+v", pp, port)
			}
			k := fmt.Sprintf("%d/%s", port.ContainerPort, port.Protocol)
			for _, other := range ports[k] {
				switch a, b := port.HostIP == "", other.port.HostIP == ""; {
				case port.HostIP == other.port.HostIP && port.HostPort == other.port.HostPort:
					warn("%s: duplicate port definition with %s", pp, other.path)
				case port.HostPort == 0 || other.port.HostPort == 0:
					warn("%s: overlapping port definition with %s", pp, other.path)
				case port.HostPort == other.port.HostPort && (a || b) && !(a && b):
					warn("%s: dangerously ambiguous port definition with %s", pp, other.path)
				}
			}
			ports[k] = append(ports[k], portBlock{pp, port})
		}
	})
	portNames := map[string]*field.Path{}
	visitContainers(spec, specPath, func(c *corev1.Container, p *field.Path) {
		for i, port := range c.Ports {
			if port.Name == "" {
				continue
			}
			if other, ok := portNames[port.Name]; ok {
				warn("%s: duplicate port name %q with %s, services and probes that select ports by name will use %s", p.Child("ports").Index(i), port.Name, other, other)
			} else {
				portNames[port.Name] = p.Child("ports").Index(i)
			}
		}
	})

	if spec.TerminationGracePeriodSeconds != nil && *spec.TerminationGracePeriodSeconds < 0 {
		warn("%s: must be >= 0; negative values are invalid and will be treated as 1", specPath.Child("terminationGracePeriodSeconds"))
	}

	if spec.Affinity != nil {
		for _, a := range []struct {
			name      string
			required  []corev1.PodAffinityTerm
			preferred []corev1.WeightedPodAffinityTerm
		}{
			{"podAffinity", podAffinityRequired(spec.Affinity.PodAffinity), podAffinityPreferred(spec.Affinity.PodAffinity)},
			{"podAntiAffinity", podAntiAffinityRequired(spec.Affinity.PodAntiAffinity), podAntiAffinityPreferred(spec.Affinity.PodAntiAffinity)},
		} {
			p := specPath.Child("affinity", a.name)
			for i, t := range a.required {
				if t.LabelSelector == nil {
					warn("%s: a null labelSelector results in matching no pod", p.Child("requiredDuringSchedulingIgnoredDuringExecution").Index(i).Child("labelSelector"))
				}
			}
			for i, t := range a.preferred {
				if t.PodAffinityTerm.LabelSelector == nil {
					warn("%s: a null labelSelector results in matching no pod", p.Child("preferredDuringSchedulingIgnoredDuringExecution").Index(i).Child("podAffinityTerm", "labelSelector"))
				}
			}
		}
	}

	if spec.DNSConfig != nil {
		for i, ns := range spec.DNSConfig.Nameservers {
			warnings = append(warnings, validation.GetWarningsForIP(specPath.Child("dnsConfig", "nameservers").Index(i), ns)...)
		}
	}
	for i, a := range spec.HostAliases {
		warnings = append(warnings, validation.GetWarningsForIP(specPath.Child("hostAliases").Index(i).Child("ip"), a.IP)...)
	}
	return warnings
}

func podAffinityRequired(a *corev1.PodAffinity) []corev1.PodAffinityTerm {
	if a == nil {
		return nil
	}
	return a.RequiredDuringSchedulingIgnoredDuringExecution
}

func podAffinityPreferred(a *corev1.PodAffinity) []corev1.WeightedPodAffinityTerm {
	if a == nil {
		return nil
	}
	return a.PreferredDuringSchedulingIgnoredDuringExecution
}

func podAntiAffinityRequired(a *corev1.PodAntiAffinity) []corev1.PodAffinityTerm {
	if a == nil {
		return nil
	}
	return a.RequiredDuringSchedulingIgnoredDuringExecution
}

func podAntiAffinityPreferred(a *corev1.PodAntiAffinity) []corev1.WeightedPodAffinityTerm {
	if a == nil {
		return nil
	}
	return a.PreferredDuringSchedulingIgnoredDuringExecution
}

// AppArmorFieldForAnnotation is the appArmorProfile a deprecated AppArmor annotation value stands
// for, or nil when the value is not a valid profile.
func AppArmorFieldForAnnotation(annotation string) *corev1.AppArmorProfile {
	switch {
	case annotation == corev1.DeprecatedAppArmorBetaProfileNameUnconfined:
		return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	case annotation == corev1.DeprecatedAppArmorBetaProfileRuntimeDefault:
		return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	case strings.HasPrefix(annotation, corev1.DeprecatedAppArmorBetaProfileNamePrefix):
		if p := strings.TrimPrefix(annotation, corev1.DeprecatedAppArmorBetaProfileNamePrefix); p != "" {
			return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: &p}
		}
	}
	return nil
}

// ValidateAppArmorProfileField validates an appArmorProfile field.
func ValidateAppArmorProfileField(profile *corev1.AppArmorProfile, fldPath *field.Path) field.ErrorList {
	return validateAppArmorProfileField(profile, fldPath)
}

// pathAndSource is a projected path and the source that provides it, for overlap warnings.
type pathAndSource struct{ path, source string }

func (ps pathAndSource) String() string {
	if ps.source != "" {
		return fmt.Sprintf("%q (%s)", ps.path, ps.source)
	}
	return fmt.Sprintf("%q", ps.path)
}

func keyPaths(items []corev1.KeyToPath, source string) []pathAndSource {
	out := make([]pathAndSource, 0, len(items))
	for _, i := range items {
		out = append(out, pathAndSource{i.Path, source})
	}
	return out
}

func downwardAPIPaths(items []corev1.DownwardAPIVolumeFile, source string) []pathAndSource {
	out := make([]pathAndSource, 0, len(items))
	for _, i := range items {
		out = append(out, pathAndSource{i.Path, source})
	}
	return out
}

// overlaps returns the earlier paths that equal, contain or lie under needle.
func overlaps(haystack []pathAndSource, needle pathAndSource) []pathAndSource {
	if needle.path == "" {
		return nil
	}
	var out []pathAndSource
	for _, item := range haystack {
		switch {
		case item.path == "":
		case item == needle,
			strings.HasPrefix(item.path+"/", needle.path+"/"),
			strings.HasPrefix(needle.path+"/", item.path+"/"):
			out = append(out, item)
		}
	}
	return out
}

func mappingOverlaps(paths []pathAndSource) []string {
	var out []string
	var seen []pathAndSource
	for _, ps := range paths {
		ps.path = strings.TrimRight(ps.path, "/")
		for _, c := range overlaps(seen, ps) {
			out = append(out, fmt.Sprintf("%s with %s", ps, c))
		}
		seen = append(seen, ps)
	}
	return out
}

func warningsForOverlappingVirtualPaths(volumes []corev1.Volume) []string {
	var warnings []string
	mkWarn := func(volName, volDesc, body string) string {
		return fmt.Sprintf("volume %q (%s): overlapping paths: %s", volName, volDesc, body)
	}
	for _, v := range volumes {
		if v.ConfigMap != nil && v.ConfigMap.Items != nil {
			for _, ol := range mappingOverlaps(keyPaths(v.ConfigMap.Items, "")) {
				warnings = append(warnings, mkWarn(v.Name, fmt.Sprintf("ConfigMap %q", v.ConfigMap.Name), ol))
			}
		}
		if v.Secret != nil && v.Secret.Items != nil {
			for _, ol := range mappingOverlaps(keyPaths(v.Secret.Items, "")) {
				warnings = append(warnings, mkWarn(v.Name, fmt.Sprintf("Secret %q", v.Secret.SecretName), ol))
			}
		}
		if v.DownwardAPI != nil && v.DownwardAPI.Items != nil {
			for _, ol := range mappingOverlaps(downwardAPIPaths(v.DownwardAPI.Items, "")) {
				warnings = append(warnings, mkWarn(v.Name, "DownwardAPI", ol))
			}
		}
		if v.Projected == nil {
			continue
		}
		var all []pathAndSource
		for _, src := range v.Projected.Sources {
			if apiequality.Semantic.DeepEqual(src, corev1.VolumeProjection{}) {
				warnings = append(warnings, fmt.Sprintf("volume %q (Projected) has no sources provided", v.Name))
				continue
			}
			var paths []pathAndSource
			switch {
			case src.ConfigMap != nil && src.ConfigMap.Items != nil:
				paths = keyPaths(src.ConfigMap.Items, fmt.Sprintf("ConfigMap %q", src.ConfigMap.Name))
			case src.Secret != nil && src.Secret.Items != nil:
				paths = keyPaths(src.Secret.Items, fmt.Sprintf("Secret %q", src.Secret.Name))
			case src.DownwardAPI != nil && src.DownwardAPI.Items != nil:
				paths = downwardAPIPaths(src.DownwardAPI.Items, "DownwardAPI")
			case src.ServiceAccountToken != nil:
				paths = []pathAndSource{{src.ServiceAccountToken.Path, "ServiceAccountToken"}}
			case src.ClusterTrustBundle != nil:
				name := ""
				if src.ClusterTrustBundle.Name != nil {
					name = *src.ClusterTrustBundle.Name
				} else if src.ClusterTrustBundle.SignerName != nil {
					name = *src.ClusterTrustBundle.SignerName
				}
				paths = []pathAndSource{{src.ClusterTrustBundle.Path, fmt.Sprintf("ClusterTrustBundle %q", name)}}
			case src.PodCertificate != nil:
				pc := src.PodCertificate
				for _, x := range []pathAndSource{{pc.CertificateChainPath, "PodCertificate chain"}, {pc.KeyPath, "PodCertificate key"}, {pc.CredentialBundlePath, "PodCertificate credential bundle"}} {
					if x.path != "" {
						paths = append(paths, x)
					}
				}
			}
			for _, ps := range paths {
				ps.path = strings.TrimRight(ps.path, "/")
				for _, c := range overlaps(all, ps) {
					warnings = append(warnings, mkWarn(v.Name, "Projected", fmt.Sprintf("%s with %s", ps, c)))
				}
				all = append(all, ps)
			}
		}
	}
	return warnings
}
