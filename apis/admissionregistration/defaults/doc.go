// Package defaults sets upstream's default values on admissionregistration.k8s.io/v1 objects.
// The SetDefaults_<Type> functions are hand-written from upstream's documented defaults;
// defaulter-gen writes zz_generated.defaults.go, which walks every object to them and
// registers them in the scheme.
//
// +k8s:defaulter-gen=TypeMeta
// +k8s:defaulter-gen-input=k8s.io/api/admissionregistration/v1
package defaults
