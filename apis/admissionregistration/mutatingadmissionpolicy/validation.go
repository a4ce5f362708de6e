package mutatingadmissionpolicy

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
)

// Validate checks a new MutatingAdmissionPolicy as upstream does, compiling its CEL
// expressions.
func Validate(p *admissionregistrationv1.MutatingAdmissionPolicy) field.ErrorList {
	return validate(p, false, validation.Expressions{})
}

// ValidateUpdate checks an update. Expressions the stored policy has compile in the stored
// environment, and unchanged match conditions (with an unchanged paramKind) are not checked again.
func ValidateUpdate(p, old *admissionregistrationv1.MutatingAdmissionPolicy) field.ErrorList {
	stored := validation.Expressions{
		MatchConditions:     sets.New[string](),
		ApplyConfigurations: sets.New[string](),
		JSONPatches:         sets.New[string](),
	}
	for _, mc := range old.Spec.MatchConditions {
		stored.MatchConditions.Insert(mc.Expression)
	}
	for _, m := range old.Spec.Mutations {
		if m.ApplyConfiguration != nil {
			stored.ApplyConfigurations.Insert(m.ApplyConfiguration.Expression)
		}
		if m.JSONPatch != nil {
			stored.JSONPatches.Insert(m.JSONPatch.Expression)
		}
	}
	unchangedMatch := apiequality.Semantic.DeepEqual(p.Spec.ParamKind, old.Spec.ParamKind) &&
		apiequality.Semantic.DeepEqual(p.Spec.MatchConditions, old.Spec.MatchConditions)
	return validate(p, unchangedMatch, stored)
}

func validate(p *admissionregistrationv1.MutatingAdmissionPolicy, ignoreMatchConditions bool, stored validation.Expressions) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&p.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	spec, fldPath := &p.Spec, field.NewPath("spec")
	compiler := validation.NewCompiler(true)
	errs = append(errs, validation.ValidateFailurePolicy(spec.FailurePolicy, true, fldPath.Child("failurePolicy"))...)
	params := spec.ParamKind != nil
	if params {
		errs = append(errs, validation.ValidateParamKind(*spec.ParamKind, fldPath.Child("paramKind"))...)
	}
	if spec.MatchConstraints == nil {
		errs = append(errs, field.Required(fldPath.Child("matchConstraints"), ""))
	} else {
		errs = append(errs, validation.ValidateMatchResources(spec.MatchConstraints, fldPath.Child("matchConstraints"))...)
		// at least one resource rule must give the expressions their types
		if len(spec.MatchConstraints.ResourceRules) == 0 {
			errs = append(errs, field.Required(fldPath.Child("matchConstraints", "resourceRules"), ""))
		}
		errs = append(errs, validation.ValidateMutatingOperations(spec.MatchConstraints.ResourceRules, fldPath.Child("matchConstraints", "resourceRules", "operations"))...)
	}
	if !ignoreMatchConditions {
		errs = append(errs, validation.ValidateMatchConditions(spec.MatchConditions, params, stored.MatchConditions, fldPath.Child("matchConditions"))...)
	}
	for i := range spec.Variables {
		errs = append(errs, validation.ValidateVariable(compiler, &spec.Variables[i], params, stored.Validations, fldPath.Child("variables").Index(i))...)
	}
	if len(spec.Mutations) == 0 {
		errs = append(errs, field.Required(fldPath.Child("mutations"), "mutations must contain at least one item"))
	}
	for i := range spec.Mutations {
		errs = append(errs, validation.ValidateMutation(compiler, &spec.Mutations[i], params, stored, fldPath.Child("mutations").Index(i))...)
	}
	if spec.ReinvocationPolicy == "" {
		errs = append(errs, field.Required(fldPath.Child("reinvocationPolicy"), ""))
	} else {
		errs = append(errs, validation.ValidateReinvocationPolicy(spec.ReinvocationPolicy, fldPath.Child("reinvocationPolicy"))...)
	}
	return errs
}
