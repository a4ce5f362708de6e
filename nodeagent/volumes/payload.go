package volumes

import (
	"errors"
	"fmt"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"

	"github.com/skiff-sh/skiff/nodeagent/fieldpath"
)

// errNoDefaultMode is upstream's error for a volume the API server did not default.
var errNoDefaultMode = errors.New("no defaultMode used, not even the default value for it")

// configMapPayload is the files of a configMap volume or projection: every key, or only
// items (a missing key is an error unless optional).
func configMapPayload(items []corev1.KeyToPath, cm *corev1.ConfigMap, defaultMode *int32, optional bool) (map[string]File, error) {
	if defaultMode == nil {
		return nil, errNoDefaultMode
	}
	out := make(map[string]File, len(cm.Data)+len(cm.BinaryData))
	if len(items) == 0 {
		for k, v := range cm.Data {
			out[k] = File{Data: []byte(v), Mode: *defaultMode}
		}
		for k, v := range cm.BinaryData {
			out[k] = File{Data: v, Mode: *defaultMode}
		}
		return out, nil
	}
	for _, it := range items {
		var data []byte
		if s, ok := cm.Data[it.Key]; ok {
			data = []byte(s)
		} else if b, ok := cm.BinaryData[it.Key]; ok {
			data = b
		} else {
			if optional {
				continue
			}
			return nil, fmt.Errorf("configmap references non-existent config key: %s", it.Key)
		}
		out[it.Path] = File{Data: data, Mode: itemMode(it.Mode, defaultMode)}
	}
	return out, nil
}

// secretPayload is configMapPayload for a Secret.
func secretPayload(items []corev1.KeyToPath, s *corev1.Secret, defaultMode *int32, optional bool) (map[string]File, error) {
	if defaultMode == nil {
		return nil, errNoDefaultMode
	}
	out := make(map[string]File, len(s.Data))
	if len(items) == 0 {
		for k, v := range s.Data {
			out[k] = File{Data: v, Mode: *defaultMode}
		}
		return out, nil
	}
	for _, it := range items {
		data, ok := s.Data[it.Key]
		if !ok {
			if optional {
				continue
			}
			return nil, fmt.Errorf("references non-existent secret key: %s", it.Key)
		}
		out[it.Path] = File{Data: data, Mode: itemMode(it.Mode, defaultMode)}
	}
	return out, nil
}

// downwardAPIPayload is the files of a downwardAPI volume or projection. Every item is
// tried; the errors are aggregated.
func downwardAPIPayload(items []corev1.DownwardAPIVolumeFile, pod *corev1.Pod, defaultMode *int32, allocatable corev1.ResourceList) (map[string]File, error) {
	if defaultMode == nil {
		return nil, errNoDefaultMode
	}
	out := make(map[string]File, len(items))
	var errs []error
	for _, it := range items {
		f := File{Mode: itemMode(it.Mode, defaultMode)}
		switch {
		case it.FieldRef != nil:
			v, err := fieldpath.Metadata(pod, it.FieldRef.FieldPath)
			if err != nil {
				errs = append(errs, err)
			}
			f.Data = []byte(v)
		case it.ResourceFieldRef != nil:
			v, err := fieldpath.ContainerResource(it.ResourceFieldRef, pod, nil, allocatable)
			if err != nil {
				errs = append(errs, err)
			}
			f.Data = []byte(v)
		}
		out[filepath.Clean(it.Path)] = f
	}
	return out, utilerrors.NewAggregate(errs)
}

func itemMode(mode, defaultMode *int32) int32 {
	if mode != nil {
		return *mode
	}
	return *defaultMode
}
