package storageclass

import (
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	maxParameterSize = 256 * (1 << 10) // 256 kB
	maxParameters    = 512
)

// Validate checks a StorageClass as upstream does.
func Validate(sc *storagev1.StorageClass) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&sc.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, ValidateProvisioner(sc.Provisioner, field.NewPath("provisioner"))...)
	errs = append(errs, ValidateParameters(sc.Parameters, true, field.NewPath("parameters"))...)
	if p := sc.ReclaimPolicy; p != nil && *p != "" && *p != corev1.PersistentVolumeReclaimDelete && *p != corev1.PersistentVolumeReclaimRetain {
		errs = append(errs, field.NotSupported(field.NewPath("reclaimPolicy"), p, []string{string(corev1.PersistentVolumeReclaimDelete), string(corev1.PersistentVolumeReclaimRetain)}))
	}
	switch m := sc.VolumeBindingMode; {
	case m == nil:
		errs = append(errs, field.Required(field.NewPath("volumeBindingMode"), ""))
	case *m != storagev1.VolumeBindingImmediate && *m != storagev1.VolumeBindingWaitForFirstConsumer:
		errs = append(errs, field.NotSupported(field.NewPath("volumeBindingMode"), m, []string{string(storagev1.VolumeBindingImmediate), string(storagev1.VolumeBindingWaitForFirstConsumer)}))
	}
	return append(errs, validateAllowedTopologies(sc.AllowedTopologies, field.NewPath("allowedTopologies"))...)
}

// ValidateUpdate checks the updated StorageClass and holds provisioner, parameters,
// reclaimPolicy and volumeBindingMode fixed.
func ValidateUpdate(sc, old *storagev1.StorageClass) field.ErrorList {
	errs := Validate(sc)
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaUpdate(&sc.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
	errs = append(errs, immutable(sc.Provisioner, old.Provisioner, field.NewPath("provisioner"))...)
	errs = append(errs, immutable(sc.Parameters, old.Parameters, field.NewPath("parameters"))...)
	errs = append(errs, immutable(sc.ReclaimPolicy, old.ReclaimPolicy, field.NewPath("reclaimPolicy"))...)
	return append(errs, immutable(sc.VolumeBindingMode, old.VolumeBindingMode, field.NewPath("volumeBindingMode"))...)
}

// immutable reports a changed field as upstream does where declarative validation owns the
// check: without the value. A change that only the stricter hand-written comparison sees (nil
// against empty) keeps the hand-written error, which carries the value.
func immutable(value, old any, fldPath *field.Path) field.ErrorList {
	if !apiequality.Semantic.DeepEqual(value, old) {
		return field.ErrorList{field.Invalid(fldPath, nil, apimachineryvalidation.FieldImmutableErrorMsg)}
	}
	if !reflect.DeepEqual(value, old) {
		return apimachineryvalidation.ValidateImmutableField(value, old, fldPath)
	}
	return nil
}

// ValidateProvisioner checks a provisioner (or driver) name: required, a qualified name once
// lowercased.
func ValidateProvisioner(provisioner string, fldPath *field.Path) field.ErrorList {
	if provisioner == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	lower := strings.ToLower(provisioner)
	for _, msg := range validation.IsQualifiedName(lower) {
		errs = append(errs, field.Invalid(fldPath, lower, msg))
	}
	return errs
}

// ValidateParameters checks provisioner parameters: at most 512 non-empty keys, 256 kB in all.
func ValidateParameters(params map[string]string, allowEmpty bool, fldPath *field.Path) field.ErrorList {
	if len(params) > maxParameters {
		return field.ErrorList{field.TooLong(fldPath, "", maxParameters)}
	}
	var errs field.ErrorList
	size := 0
	for k, v := range params {
		if k == "" {
			errs = append(errs, field.Invalid(fldPath, k, "field can not be empty."))
		}
		size += len(k) + len(v)
	}
	if size > maxParameterSize {
		errs = append(errs, field.TooLong(fldPath, "", maxParameterSize))
	}
	if !allowEmpty && len(params) == 0 {
		errs = append(errs, field.Required(fldPath, "must contain at least one key/value pair"))
	}
	return errs
}

func validateAllowedTopologies(terms []corev1.TopologySelectorTerm, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	// As upstream, each term's expressions are compared with those of the terms before it and
	// with one empty entry per term, so a term without expressions counts as a duplicate.
	seen := make([]map[string]sets.Set[string], len(terms))
	for i, term := range terms {
		idxPath := fldPath.Index(i)
		exprs := map[string]sets.Set[string]{}
		exprPath := idxPath.Child("matchLabelExpressions")
		for j, req := range term.MatchLabelExpressions {
			reqPath := exprPath.Index(j)
			values := sets.New[string]()
			if len(req.Values) == 0 {
				errs = append(errs, field.Required(reqPath.Child("values"), ""))
			}
			for k, v := range req.Values {
				if values.Has(v) {
					errs = append(errs, field.Duplicate(reqPath.Child("values").Index(k), v))
				}
				values.Insert(v)
			}
			errs = append(errs, metav1validation.ValidateLabelName(req.Key, reqPath.Child("key"))...)
			if _, dup := exprs[req.Key]; dup {
				errs = append(errs, field.Duplicate(reqPath.Child("key"), req.Key))
			}
			exprs[req.Key] = values
		}
		for _, other := range seen {
			if apiequality.Semantic.DeepEqual(exprs, other) {
				errs = append(errs, field.Duplicate(exprPath, ""))
			}
		}
		seen = append(seen, exprs)
	}
	return errs
}

// deprecatedNodeLabels are the node labels upstream warns about.
var deprecatedNodeLabels = map[string]string{
	`beta.kubernetes.io/arch`:                       `deprecated since v1.14; use "kubernetes.io/arch" instead`,
	`beta.kubernetes.io/os`:                         `deprecated since v1.14; use "kubernetes.io/os" instead`,
	`failure-domain.beta.kubernetes.io/region`:      `deprecated since v1.17; use "topology.kubernetes.io/region" instead`,
	`failure-domain.beta.kubernetes.io/zone`:        `deprecated since v1.17; use "topology.kubernetes.io/zone" instead`,
	`beta.kubernetes.io/instance-type`:              `deprecated since v1.17; use "node.kubernetes.io/instance-type" instead`,
	`app.kubernetes.io/created-by`:                  `deprecated since v1.9`,
	`scheduler.alpha.kubernetes.io/preferAvoidPods`: `deprecated since v1.22; use Taints and Tolerations instead`,
	`node-role.kubernetes.io/master`:                `use "node-role.kubernetes.io/control-plane" instead`,
}

func warnings(sc *storagev1.StorageClass) []string {
	var out []string
	for i, term := range sc.AllowedTopologies {
		for j, expr := range term.MatchLabelExpressions {
			if msg, ok := deprecatedNodeLabels[expr.Key]; ok {
				out = append(out, field.NewPath("allowedTopologies").Index(i).Child("matchLabelExpressions").Index(j).Child("key").String()+": "+msg)
			}
		}
	}
	return out
}
