package main

import (
	"regexp"
	"strings"
)

// Placeholders that replace server-set values which legitimately differ between two servers.
const (
	placeholderIP       = "<ip>"
	placeholderNodePort = "<nodePort>"
	placeholderTime     = "<time>"
	placeholderUID      = "<uid>"
)

var apiAccessVolume = regexp.MustCompile(`^kube-api-access-[a-z0-9]{5}$`)

// uidLabels are label keys whose values are a generated object's UID (Job selectors and templates).
var uidLabels = map[string]bool{
	"controller-uid":                     true,
	"batch.kubernetes.io/controller-uid": true,
}

// normalize rewrites an object decoded from JSON in place so that values a server sets randomly or
// from the clock compare equal: uid, creationTimestamp, resourceVersion, managedFields times, other
// timestamps, cluster IPs (except "None"), node ports, the service-account token volume's random
// suffix and controller-uid labels. A cluster IP or node port that the submitted object itself
// requested is kept: only server-chosen values are replaced. submitted may be nil.
func normalize(obj, submitted map[string]any) map[string]any {
	if md, ok := obj["metadata"].(map[string]any); ok {
		delete(md, "uid")
		delete(md, "creationTimestamp")
		delete(md, "resourceVersion")
		if mfs, ok := md["managedFields"].([]any); ok {
			for _, mf := range mfs {
				if m, ok := mf.(map[string]any); ok {
					delete(m, "time")
				}
			}
		}
	}
	pinned := map[any]bool{}
	collectPinned(submitted, pinned)
	walk(obj, pinned)
	return obj
}

// allocatedKeys hold values a server allocates when the client leaves them empty.
var allocatedKeys = map[string]bool{"clusterIP": true, "clusterIPs": true, "nodePort": true, "healthCheckNodePort": true}

// collectPinned records the values the client set itself under allocatedKeys.
func collectPinned(v any, pinned map[any]bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if allocatedKeys[k] {
				if l, ok := val.([]any); ok {
					for _, e := range l {
						pinned[e] = true
					}
				} else {
					pinned[val] = true
				}
				continue
			}
			collectPinned(val, pinned)
		}
	case []any:
		for _, e := range t {
			collectPinned(e, pinned)
		}
	}
}

func walk(v any, pinned map[any]bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			switch {
			case k == "clusterIP":
				if s, ok := val.(string); ok && s != "" && s != "None" && !pinned[s] {
					t[k] = placeholderIP
				}
			case k == "clusterIPs":
				if l, ok := val.([]any); ok {
					for i, ip := range l {
						if s, ok := ip.(string); ok && s != "None" && !pinned[s] {
							l[i] = placeholderIP
						}
					}
				}
			case k == "nodePort" || k == "healthCheckNodePort":
				if n, ok := val.(float64); ok && !pinned[n] {
					t[k] = placeholderNodePort
				}
			case uidLabels[k]:
				if _, ok := val.(string); ok {
					t[k] = placeholderUID
				}
			case strings.HasSuffix(k, "Time") || strings.HasSuffix(k, "Timestamp"):
				if _, ok := val.(string); ok {
					t[k] = placeholderTime
				}
			case k == "name":
				if s, ok := val.(string); ok && apiAccessVolume.MatchString(s) {
					t[k] = "kube-api-access-<random>"
				}
			default:
				walk(val, pinned)
			}
		}
	case []any:
		for _, e := range t {
			walk(e, pinned)
		}
	}
}
