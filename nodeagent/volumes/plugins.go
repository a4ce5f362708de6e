package volumes

import (
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Upstream's plugin directory names under pods/<uid>/volumes.
const (
	pluginEmptyDir    = "kubernetes.io~empty-dir"
	pluginConfigMap   = "kubernetes.io~configmap"
	pluginSecret      = "kubernetes.io~secret"
	pluginProjected   = "kubernetes.io~projected"
	pluginDownwardAPI = "kubernetes.io~downward-api"
)

// filesPlugin is the directory of a volume whose files the node writes, and whether
// upstream keeps it in memory (all but configMap).
func filesPlugin(src *corev1.VolumeSource) (plugin string, inMemory bool) {
	switch {
	case src.ConfigMap != nil:
		return pluginConfigMap, false
	case src.Secret != nil:
		return pluginSecret, true
	case src.Projected != nil:
		return pluginProjected, true
	}
	return pluginDownwardAPI, true
}

// sourceKind is the JSON name of the volume source that is set ("nfs", "csi", ...).
func sourceKind(src *corev1.VolumeSource) string {
	v := reflect.ValueOf(src).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			return name
		}
	}
	return "<none>"
}
