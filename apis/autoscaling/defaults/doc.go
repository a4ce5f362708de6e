// Package defaults sets upstream's default values on autoscaling/v2 HorizontalPodAutoscalers
// (through defaulter-gen, which writes zz_generated.defaults.go) and on autoscaling/v1 ones
// (registered by hand in v1.go: v1 has a single default).
//
// +k8s:defaulter-gen=TypeMeta
// +k8s:defaulter-gen-input=k8s.io/api/autoscaling/v2
package defaults
