package envvars

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/fieldpath"
)

// tableObjects serves ConfigMaps and Secrets from maps, with the errors the API gives.
type tableObjects struct {
	configMaps map[string]*corev1.ConfigMap
	secrets    map[string]*corev1.Secret
	gets       int
}

func (o *tableObjects) configMap(_ context.Context, _, name string) (*corev1.ConfigMap, error) {
	o.gets++
	if name == "broken" {
		return nil, errors.New("connection refused")
	}
	if cm, ok := o.configMaps[name]; ok {
		return cm, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("configmap"), name)
}

func (o *tableObjects) secret(_ context.Context, _, name string) (*corev1.Secret, error) {
	o.gets++
	if s, ok := o.secrets[name]; ok {
		return s, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("secret"), name)
}

func TestBuild(t *testing.T) {
	objs := func() *tableObjects {
		return &tableObjects{
			configMaps: map[string]*corev1.ConfigMap{"cfg": {Data: map[string]string{"B": "b", "A": "a", "1-bad key": "kept"}}},
			secrets:    map[string]*corev1.Secret{"sec": {Data: map[string][]byte{"PASSWORD": []byte("s3cret")}}},
		}
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: map[string]string{"app": "x"}},
		Spec:       corev1.PodSpec{NodeName: "node-1"},
	}
	services := map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1", "WEB_SERVICE_PORT": "80"}
	cmKey := func(name, key string, optional bool) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key, Optional: ptr.To(optional)}}
	}
	secretKey := func(name, key string, optional bool) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key, Optional: ptr.To(optional)}}
	}
	cmFrom := func(name, prefix string, optional bool) corev1.EnvFromSource {
		return corev1.EnvFromSource{Prefix: prefix, ConfigMapRef: &corev1.ConfigMapEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: name}, Optional: ptr.To(optional)}}
	}
	kv := func(pairs ...string) []corev1.EnvVar {
		var out []corev1.EnvVar
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, corev1.EnvVar{Name: pairs[i], Value: pairs[i+1]})
		}
		return out
	}
	tests := []struct {
		name     string
		envFrom  []corev1.EnvFromSource
		env      []corev1.EnvVar
		services map[string]string
		want     []corev1.EnvVar
		wantErr  string
		wantGets int
	}{
		{
			name: "values expand earlier vars and services, unknown kept",
			env: []corev1.EnvVar{
				{Name: "A", Value: "x"},
				{Name: "B", Value: "$(A)-$(WEB_SERVICE_PORT)-$(LATER)-$$(A)"},
				{Name: "LATER", Value: "l"},
				{Name: "EMPTY"},
			},
			services: services,
			want:     kv("KUBERNETES_SERVICE_HOST", "10.96.0.1", "WEB_SERVICE_PORT", "80", "A", "x", "B", "x-80-$(LATER)-$(A)", "LATER", "l", "EMPTY", ""),
		},
		{
			name:     "env overrides service and envFrom vars, keeps first position",
			envFrom:  []corev1.EnvFromSource{cmFrom("cfg", "", false)},
			env:      kv("WEB_SERVICE_PORT", "8080", "A", "override"),
			services: services,
			want:     kv("KUBERNETES_SERVICE_HOST", "10.96.0.1", "1-bad key", "kept", "A", "override", "B", "b", "WEB_SERVICE_PORT", "8080"),
		},
		{
			name: "envFrom with prefix, secret, cached reads",
			envFrom: []corev1.EnvFromSource{cmFrom("cfg", "CFG_", false), {SecretRef: &corev1.SecretEnvSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: "sec"}}}},
			env: []corev1.EnvVar{
				{Name: "FROM_CM", ValueFrom: cmKey("cfg", "A", false)},
				{Name: "FROM_SECRET", ValueFrom: secretKey("sec", "PASSWORD", false)},
			},
			want:     kv("CFG_1-bad key", "kept", "CFG_A", "a", "CFG_B", "b", "PASSWORD", "s3cret", "FROM_CM", "a", "FROM_SECRET", "s3cret"),
			wantGets: 2,
		},
		{
			name:    "optional missing sources are skipped",
			envFrom: []corev1.EnvFromSource{cmFrom("nope", "", true)},
			env: []corev1.EnvVar{
				{Name: "X", ValueFrom: cmKey("nope", "A", true)},
				{Name: "Y", ValueFrom: cmKey("cfg", "missing", true)},
				{Name: "Z", ValueFrom: secretKey("sec", "missing", true)},
				{Name: "W", ValueFrom: secretKey("nope", "k", true)},
			},
			want: nil,
		},
		{name: "missing configmap", envFrom: []corev1.EnvFromSource{cmFrom("nope", "", false)}, wantErr: `configmap "nope" not found`},
		{name: "missing configmap key ref", env: []corev1.EnvVar{{Name: "X", ValueFrom: cmKey("nope", "A", false)}}, wantErr: `configmap "nope" not found`},
		{name: "missing secret", env: []corev1.EnvVar{{Name: "X", ValueFrom: secretKey("nope", "A", false)}}, wantErr: `secret "nope" not found`},
		{name: "missing configmap key", env: []corev1.EnvVar{{Name: "X", ValueFrom: cmKey("cfg", "k", false)}}, wantErr: "couldn't find key k in ConfigMap ns/cfg"},
		{name: "missing secret key", env: []corev1.EnvVar{{Name: "X", ValueFrom: secretKey("sec", "k", false)}}, wantErr: "couldn't find key k in Secret ns/sec"},
		{name: "optional does not hide other errors", envFrom: []corev1.EnvFromSource{cmFrom("broken", "", true)}, wantErr: "connection refused"},
		{
			name: "fieldRef and resourceFieldRef",
			env: []corev1.EnvVar{
				{Name: "NODE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
				{Name: "IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
				{Name: "APP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['app']"}}},
				{Name: "MEM", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}}},
			},
			want: kv("NODE", "node-1", "IP", "10.88.0.7", "APP", "x", "MEM", "2048"),
		},
		{name: "bad fieldRef", env: []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.foo"}}}}, wantErr: "field label not supported: spec.foo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := objs()
			in := input{
				pod: pod, container: &corev1.Container{Name: "c", EnvFrom: tt.envFrom, Env: tt.env},
				serviceEnv:  tt.services,
				addresses:   fieldpath.Addresses{PodIPs: []string{"10.88.0.7"}},
				allocatable: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("2Gi")},
			}
			got, err := build(context.Background(), in, o)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.wantGets != 0 && o.gets != tt.wantGets {
				t.Errorf("objects read %d times, want %d", o.gets, tt.wantGets)
			}
		})
	}
}
