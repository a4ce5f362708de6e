package validatingadmissionpolicy

import (
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/client-go/util/jsonpath"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// Validate checks a new ValidatingAdmissionPolicy as upstream does, compiling its CEL
// expressions.
func Validate(p *admissionregistrationv1.ValidatingAdmissionPolicy) field.ErrorList {
	return validate(p, false, validation.Expressions{})
}

// ValidateUpdate checks an update. Expressions the stored policy has compile in the stored
// environment, and unchanged match conditions (with an unchanged paramKind) are not checked again.
func ValidateUpdate(p, old *admissionregistrationv1.ValidatingAdmissionPolicy) field.ErrorList {
	stored := validation.Expressions{
		MatchConditions:       sets.New[string](),
		Validations:           sets.New[string](),
		MessageExpressions:    sets.New[string](),
		AuditAnnotationValues: sets.New[string](),
	}
	for _, mc := range old.Spec.MatchConditions {
		stored.MatchConditions.Insert(mc.Expression)
	}
	for _, v := range old.Spec.Validations {
		stored.Validations.Insert(v.Expression)
		if v.MessageExpression != "" {
			stored.MessageExpressions.Insert(v.MessageExpression)
		}
	}
	for _, a := range old.Spec.AuditAnnotations {
		stored.AuditAnnotationValues.Insert(a.ValueExpression)
	}
	unchangedMatch := apiequality.Semantic.DeepEqual(p.Spec.ParamKind, old.Spec.ParamKind) &&
		apiequality.Semantic.DeepEqual(p.Spec.MatchConditions, old.Spec.MatchConditions)
	return validate(p, unchangedMatch, stored)
}

func validate(p *admissionregistrationv1.ValidatingAdmissionPolicy, ignoreMatchConditions bool, stored validation.Expressions) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&p.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	spec, fldPath := &p.Spec, field.NewPath("spec")
	var compiler plugincel.Compiler // a composing compiler is stateful: one per policy, made on first use
	getCompiler := func() plugincel.Compiler {
		if compiler == nil {
			compiler = validation.NewCompiler(len(spec.Variables) > 0)
		}
		return compiler
	}
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
	}
	if !ignoreMatchConditions {
		errs = append(errs, validation.ValidateMatchConditions(spec.MatchConditions, params, stored.MatchConditions, fldPath.Child("matchConditions"))...)
	}
	for i := range spec.Variables {
		errs = append(errs, validation.ValidateVariable(getCompiler(), &spec.Variables[i], params, stored.Validations, fldPath.Child("variables").Index(i))...)
	}
	if len(spec.Validations) == 0 && len(spec.AuditAnnotations) == 0 {
		const msg = "validations or auditAnnotations must contain at least one item"
		return append(errs, field.Required(fldPath.Child("validations"), msg), field.Required(fldPath.Child("auditAnnotations"), msg))
	}
	for i := range spec.Validations {
		errs = append(errs, validation.ValidateValidation(getCompiler(), &spec.Validations[i], params, stored, fldPath.Child("validations").Index(i))...)
	}
	if len(spec.AuditAnnotations) > validation.MaxAuditAnnotations {
		errs = append(errs, field.Invalid(fldPath.Child("auditAnnotations"), corevalidation.InternalJSON(spec.AuditAnnotations), fmt.Sprintf("must not have more than %d auditAnnotations", validation.MaxAuditAnnotations)))
	}
	keys := sets.New[string]()
	for i, a := range spec.AuditAnnotations {
		ap := fldPath.Child("auditAnnotations").Index(i)
		errs = append(errs, validation.ValidateAuditAnnotation(getCompiler(), p.Name, &a, params, stored.AuditAnnotationValues, ap)...)
		if keys.Has(a.Key) {
			errs = append(errs, field.Duplicate(ap.Child("key"), a.Key))
		}
		keys.Insert(a.Key)
	}
	return errs
}

// ValidateStatusUpdate checks the status a controller writes: type-checking warnings and
// conditions.
func ValidateStatusUpdate(p, _ *admissionregistrationv1.ValidatingAdmissionPolicy) field.ErrorList {
	fldPath := field.NewPath("status")
	var errs field.ErrorList
	if tc := p.Status.TypeChecking; tc != nil {
		for i, w := range tc.ExpressionWarnings {
			wp := fldPath.Child("typeChecking", "expressionWarnings").Index(i)
			if w.Warning == "" {
				errs = append(errs, field.Required(wp.Child("warning"), ""))
			}
			errs = append(errs, validateFieldRef(w.FieldRef, wp.Child("fieldRef"))...)
		}
	}
	return append(errs, metav1validation.ValidateConditions(p.Status.Conditions, fldPath.Child("conditions"))...)
}

func validateFieldRef(ref string, fldPath *field.Path) field.ErrorList {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	if err := jsonpath.New("spec").Parse(fmt.Sprintf("{%s}", ref)); err != nil {
		return field.ErrorList{field.Invalid(fldPath, ref, fmt.Sprintf("invalid JSONPath: %v", err))}
	}
	return nil
}
