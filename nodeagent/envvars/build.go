package envvars

import (
	"context"
	"errors"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/fieldpath"
)

// objects is where build reads ConfigMaps and Secrets.
type objects interface {
	configMap(ctx context.Context, ns, name string) (*corev1.ConfigMap, error)
	secret(ctx context.Context, ns, name string) (*corev1.Secret, error)
}

// input is everything build needs besides the objects.
type input struct {
	pod         *corev1.Pod
	container   *corev1.Container
	serviceEnv  map[string]string
	addresses   fieldpath.Addresses
	allocatable corev1.ResourceList
	// volumeDir finds the host directory of a pod volume (fileKeyRef).
	volumeDir func(podUID types.UID, volume string) (string, bool)
}

// orderedEnv is a set of variables that remembers the order names were first set in.
type orderedEnv struct {
	names  []string
	values map[string]string
}

func (e *orderedEnv) set(name, value string) {
	if _, ok := e.values[name]; !ok {
		e.names = append(e.names, name)
	}
	e.values[name] = value
}

// build resolves the container's variables as upstream's makeEnvironmentVariables:
// envFrom first (env overrides it), then env in order, each value expanding references
// to variables set before it and to service variables.
func build(ctx context.Context, in input, objs objects) ([]corev1.EnvVar, error) {
	ns := in.pod.Namespace
	env := &orderedEnv{values: map[string]string{}}
	configMaps := map[string]*corev1.ConfigMap{}
	secrets := map[string]*corev1.Secret{}
	getConfigMap := func(name string) (*corev1.ConfigMap, error) {
		if cm, ok := configMaps[name]; ok {
			return cm, nil
		}
		cm, err := objs.configMap(ctx, ns, name)
		if err == nil {
			configMaps[name] = cm
		}
		return cm, err
	}
	getSecret := func(name string) (*corev1.Secret, error) {
		if s, ok := secrets[name]; ok {
			return s, nil
		}
		s, err := objs.secret(ctx, ns, name)
		if err == nil {
			secrets[name] = s
		}
		return s, err
	}
	for _, from := range in.container.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, err := getConfigMap(from.ConfigMapRef.Name)
			if err != nil {
				if apierrors.IsNotFound(err) && isTrue(from.ConfigMapRef.Optional) {
					continue
				}
				return nil, err
			}
			for _, k := range sortedKeys(cm.Data) {
				env.set(from.Prefix+k, cm.Data[k])
			}
		case from.SecretRef != nil:
			s, err := getSecret(from.SecretRef.Name)
			if err != nil {
				if apierrors.IsNotFound(err) && isTrue(from.SecretRef.Optional) {
					continue
				}
				return nil, err
			}
			keys := make([]string, 0, len(s.Data))
			for k := range s.Data {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				env.set(from.Prefix+k, string(s.Data[k]))
			}
		}
	}

	mapping := func(name string) string {
		if v, ok := env.values[name]; ok {
			return v
		}
		if v, ok := in.serviceEnv[name]; ok {
			return v
		}
		return "$(" + name + ")"
	}
	for _, v := range in.container.Env {
		value := v.Value
		switch from := v.ValueFrom; {
		case value != "":
			value = ExpandFunc(value, mapping)
		case from == nil:
		case from.FieldRef != nil:
			var err error
			if value, err = fieldpath.PodField(in.pod, from.FieldRef, in.addresses); err != nil {
				return nil, err
			}
		case from.ResourceFieldRef != nil:
			var err error
			if value, err = fieldpath.ContainerResource(from.ResourceFieldRef, in.pod, in.container, in.allocatable); err != nil {
				return nil, err
			}
		case from.ConfigMapKeyRef != nil:
			ref := from.ConfigMapKeyRef
			cm, err := getConfigMap(ref.Name)
			if err != nil {
				if apierrors.IsNotFound(err) && isTrue(ref.Optional) {
					continue
				}
				return nil, err
			}
			var ok bool
			if value, ok = cm.Data[ref.Key]; !ok {
				if isTrue(ref.Optional) {
					continue
				}
				return nil, fmt.Errorf("couldn't find key %v in ConfigMap %v/%v", ref.Key, ns, ref.Name)
			}
		case from.SecretKeyRef != nil:
			ref := from.SecretKeyRef
			s, err := getSecret(ref.Name)
			if err != nil {
				if apierrors.IsNotFound(err) && isTrue(ref.Optional) {
					continue
				}
				return nil, err
			}
			data, ok := s.Data[ref.Key]
			if !ok {
				if isTrue(ref.Optional) {
					continue
				}
				return nil, fmt.Errorf("couldn't find key %v in Secret %v/%v", ref.Key, ns, ref.Name)
			}
			value = string(data)
		case from.FileKeyRef != nil:
			ref := from.FileKeyRef
			dir, ok := "", false
			if in.volumeDir != nil {
				dir, ok = in.volumeDir(in.pod.UID, ref.VolumeName)
			}
			if !ok {
				return nil, fmt.Errorf("cannot find the volume %q referenced by FileKeyRef", ref.VolumeName)
			}
			var (
				file string
				err  error
			)
			value, file, err = fileValue(dir, ref.Path, ref.Key)
			if err != nil && !errors.Is(err, errNotInFile) {
				klog.FromContext(ctx).Error(err, "Failed to parse env file", "pod", klog.KObj(in.pod))
				return nil, fmt.Errorf("couldn't parse env file")
			}
			// As upstream, an empty value counts as missing.
			if value == "" {
				if isTrue(ref.Optional) {
					continue
				}
				return nil, fmt.Errorf("environment variable key %q not found in file %q", ref.Key, file)
			}
		}
		env.set(v.Name, value)
	}

	var out []corev1.EnvVar
	for _, k := range sortedKeys(in.serviceEnv) {
		if _, overridden := env.values[k]; !overridden {
			out = append(out, corev1.EnvVar{Name: k, Value: in.serviceEnv[k]})
		}
	}
	for _, k := range env.names {
		out = append(out, corev1.EnvVar{Name: k, Value: env.values[k]})
	}
	return out, nil
}

func isTrue(b *bool) bool { return b != nil && *b }
