package config

import (
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	configv1 "k8s.io/kube-scheduler/config/v1"
)

var (
	scheme = runtime.NewScheme()
	codecs = serializer.NewCodecFactory(scheme, serializer.EnableStrict)
)

func init() {
	utilruntime.Must(configv1.AddToScheme(scheme))
}

// Scheme returns the scheme with the kubescheduler.config.k8s.io/v1 types.
func Scheme() *runtime.Scheme { return scheme }

// Load reads a KubeSchedulerConfiguration file (YAML or JSON), decodes plugin args into
// their typed configv1.*Args, and defaults it. It does not validate.
func Load(path string, available func(name string) bool) (*configv1.KubeSchedulerConfiguration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading scheduler config: %w", err)
	}
	return Decode(data, available)
}

// Decode decodes and defaults a KubeSchedulerConfiguration (see Load).
func Decode(data []byte, available func(name string) bool) (*configv1.KubeSchedulerConfiguration, error) {
	obj, gvk, err := codecs.UniversalDecoder(configv1.SchemeGroupVersion).Decode(data, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("decoding scheduler config: %w", err)
	}
	cfg, ok := obj.(*configv1.KubeSchedulerConfiguration)
	if !ok {
		return nil, fmt.Errorf("couldn't decode as KubeSchedulerConfiguration, got %s", gvk)
	}
	SetDefaults(cfg, available)
	return cfg, nil
}

// Default returns the configuration used without a file: one profile default-scheduler with
// the default plugins.
func Default(available func(name string) bool) *configv1.KubeSchedulerConfiguration {
	cfg := &configv1.KubeSchedulerConfiguration{}
	cfg.SetGroupVersionKind(configv1.SchemeGroupVersion.WithKind("KubeSchedulerConfiguration"))
	SetDefaults(cfg, available)
	return cfg
}
