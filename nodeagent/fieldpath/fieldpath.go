package fieldpath

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Addresses are the runtime addresses the fieldRefs status.* resolve to: the pod's IPs as
// the runtime reported them and the node's IPs (first one is the primary).
type Addresses struct {
	PodIPs  []string
	HostIPs []string
}

// PodField returns the value of a fieldRef for pod, as the kubelet resolves it for
// environment variables: metadata.* plus spec.nodeName, spec.serviceAccountName and the
// status.* addresses.
func PodField(pod *corev1.Pod, sel *corev1.ObjectFieldSelector, addr Addresses) (string, error) {
	path, err := convertLabel(sel.APIVersion, sel.FieldPath)
	if err != nil {
		return "", err
	}
	switch path {
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP", "status.hostIPs":
		if len(addr.HostIPs) == 0 {
			return "", fmt.Errorf("host IP unknown; known addresses: %v", []string{})
		}
		if path == "status.hostIP" {
			return addr.HostIPs[0], nil
		}
		return strings.Join(addr.HostIPs, ","), nil
	case "status.podIP", "status.podIPs":
		ips := SortPodIPs(addr.PodIPs, addr.HostIPs)
		if path == "status.podIPs" {
			return strings.Join(ips, ","), nil
		}
		if len(ips) == 0 {
			return "", nil
		}
		return ips[0], nil
	}
	return Metadata(pod, path)
}

// convertLabel checks a pod fieldRef's version and path as upstream's
// ConvertDownwardAPIFieldLabel does ("" counts as v1: the API server defaults it).
func convertLabel(version, label string) (string, error) {
	if version != "" && version != "v1" {
		return "", fmt.Errorf("unsupported pod version: %s", version)
	}
	if path, _, ok := SplitSubscript(label); ok {
		switch path {
		case "metadata.annotations", "metadata.labels":
			return label, nil
		}
		return "", fmt.Errorf("field label does not support subscript: %s", label)
	}
	switch label {
	case "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
		"metadata.uid", "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName",
		"spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs",
		"status.podIP", "status.podIPs":
		return label, nil
	case "spec.host":
		return "spec.nodeName", nil
	}
	return "", fmt.Errorf("field label not supported: %s", label)
}

// Metadata returns a metadata.* field of pod (the only paths downwardAPI volumes take):
// name, namespace, uid, labels, annotations and subscripted labels['k'] / annotations['k'].
// Maps are formatted as sorted key="quoted value" lines.
func Metadata(pod *corev1.Pod, fieldPath string) (string, error) {
	if path, key, ok := SplitSubscript(fieldPath); ok {
		switch path {
		case "metadata.annotations":
			if errs := validation.IsQualifiedName(strings.ToLower(key)); len(errs) != 0 {
				return "", fmt.Errorf("invalid key subscript in %s: %s", fieldPath, strings.Join(errs, ";"))
			}
			return pod.Annotations[key], nil
		case "metadata.labels":
			if errs := validation.IsQualifiedName(key); len(errs) != 0 {
				return "", fmt.Errorf("invalid key subscript in %s: %s", fieldPath, strings.Join(errs, ";"))
			}
			return pod.Labels[key], nil
		}
		return "", fmt.Errorf("fieldPath %q does not support subscript", fieldPath)
	}
	switch fieldPath {
	case "metadata.annotations":
		return FormatMap(pod.Annotations), nil
	case "metadata.labels":
		return FormatMap(pod.Labels), nil
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	}
	return "", fmt.Errorf("unsupported fieldPath: %v", fieldPath)
}

// FormatMap renders m as key="value" lines sorted by key, values Go-quoted.
func FormatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b []byte
	for _, k := range keys {
		if len(b) > 0 {
			b = append(b, '\n')
		}
		b = append(b, k...)
		b = append(b, '=')
		b = strconv.AppendQuote(b, m[k])
	}
	return string(b)
}

// SplitSubscript splits "metadata.labels['k']" into ("metadata.labels", "k", true); a path
// without a subscript comes back unchanged with false.
func SplitSubscript(fieldPath string) (path, key string, ok bool) {
	s, found := strings.CutSuffix(fieldPath, "']")
	if !found {
		return fieldPath, "", false
	}
	path, key, found = strings.Cut(s, "['")
	if !found || path == "" {
		return fieldPath, "", false
	}
	return path, key, true
}

// SortPodIPs puts the pod IPs of the node's primary family first, as the kubelet does
// for status.podIP(s); the order within a family is kept.
func SortPodIPs(podIPs, hostIPs []string) []string {
	if len(podIPs) < 2 || len(hostIPs) == 0 {
		return podIPs
	}
	isV4 := func(s string) bool { ip := net.ParseIP(s); return ip != nil && ip.To4() != nil }
	primaryV4 := isV4(hostIPs[0])
	out := make([]string, 0, len(podIPs))
	for _, ip := range podIPs {
		if isV4(ip) == primaryV4 {
			out = append(out, ip)
		}
	}
	for _, ip := range podIPs {
		if isV4(ip) != primaryV4 {
			out = append(out, ip)
		}
	}
	return out
}
