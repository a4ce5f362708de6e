package defaults

import (
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// SetDefaults_Container sets the image pull policy (Always for :latest or no tag, else
// IfNotPresent) and the termination message path and policy.
func SetDefaults_Container(obj *corev1.Container) {
	if obj.ImagePullPolicy == "" {
		obj.ImagePullPolicy = pullPolicyFor(obj.Image)
	}
	if obj.TerminationMessagePath == "" {
		obj.TerminationMessagePath = corev1.TerminationMessagePathDefault
	}
	if obj.TerminationMessagePolicy == "" {
		obj.TerminationMessagePolicy = corev1.TerminationMessageReadFile
	}
}

// SetDefaults_EphemeralContainer defaults an ephemeral container as a container.
func SetDefaults_EphemeralContainer(obj *corev1.EphemeralContainer) {
	SetDefaults_Container((*corev1.Container)(&obj.EphemeralContainerCommon))
}

// pullPolicyFor is Always when the image's tag is "latest" (or it has neither tag nor
// digest) and IfNotPresent otherwise, including for references that do not parse.
func pullPolicyFor(image string) corev1.PullPolicy {
	if imageTag(image) == "latest" {
		return corev1.PullAlways
	}
	return corev1.PullIfNotPresent
}

// The grammar of github.com/distribution/reference, which upstream parses images with.
var (
	domainComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	domainRE        = regexp.MustCompile(`^(?:` + domainComponent + `(?:\.` + domainComponent + `)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$`)
	pathRE          = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$`)
	tagRE           = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	digestRE        = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$`)
	identifierRE    = regexp.MustCompile(`^[a-f0-9]{64}$`)
)

// imageTag returns the tag of a normalized image reference: "latest" when there is neither a
// tag nor a digest, "" when the reference does not parse or has only a digest.
func imageTag(image string) string {
	if image == "" || identifierRE.MatchString(image) {
		return ""
	}
	name, digest, hasDigest := strings.Cut(image, "@")
	if hasDigest && !digestRE.MatchString(digest) {
		return ""
	}
	tag := ""
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
		if !tagRE.MatchString(tag) {
			return ""
		}
	}
	domain, remainder := "", name
	if i := strings.IndexRune(name, '/'); i != -1 && (strings.ContainsAny(name[:i], ".:") || name[:i] == "localhost" || strings.ToLower(name[:i]) != name[:i]) {
		domain, remainder = name[:i], name[i+1:]
	}
	if domain != "" && !domainRE.MatchString(domain) {
		return ""
	}
	if !pathRE.MatchString(remainder) || len(name) > 255 {
		return ""
	}
	if tag == "" && !hasDigest {
		return "latest"
	}
	return tag
}
