package validation

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/mutating/patch"
	validatingpolicy "k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/environment"
)

// Expressions are the CEL expressions an object stored before an update. Expressions that
// were accepted once compile in the more permissive "stored" environment, so that an
// upgrade that tightens the environment for new expressions does not lock objects.
// Validations also holds the stored variables' expressions, as upstream keeps them.
type Expressions struct {
	MatchConditions       sets.Set[string]
	Validations           sets.Set[string]
	MessageExpressions    sets.Set[string]
	AuditAnnotationValues sets.Set[string]
	ApplyConfigurations   sets.Set[string]
	JSONPatches           sets.Set[string]
}

func envType(stored sets.Set[string], expression string) environment.Type {
	if stored.Has(expression) {
		return environment.StoredExpressions
	}
	return environment.NewExpressions
}

var statelessCompiler = sync.OnceValue(func() plugincel.Compiler {
	return plugincel.NewCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
})

// NewCompiler returns the compiler for a policy: one that can compose variables when the policy
// has any (it is stateful, so one per policy), else the shared stateless one.
func NewCompiler(composition bool) plugincel.Compiler {
	if !composition {
		return statelessCompiler()
	}
	c, err := plugincel.NewCompositedCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		utilruntime.HandleError(err)
		return statelessCompiler()
	}
	return c
}

// celError turns a compilation error into the field error upstream reports.
func celError(fldPath *field.Path, expression string, err *apiservercel.Error) *field.Error {
	switch err.Type {
	case apiservercel.ErrorTypeRequired:
		return field.Required(fldPath, err.Detail)
	case apiservercel.ErrorTypeInvalid:
		return field.Invalid(fldPath, expression, err.Detail)
	case apiservercel.ErrorTypeInternal:
		return field.InternalError(fldPath, err)
	}
	return field.InternalError(fldPath, fmt.Errorf("unsupported error type: %w", err))
}

func compile(c plugincel.Compiler, accessor plugincel.ExpressionAccessor, decls plugincel.OptionalVariableDeclarations, env environment.Type, fldPath *field.Path) field.ErrorList {
	if result := c.CompileCELExpression(accessor, decls, env); result.Error != nil {
		return field.ErrorList{celError(fldPath, accessor.GetExpression(), result.Error)}
	}
	return nil
}

// ValidateMatchConditions checks up to 64 uniquely named match conditions and compiles their
// expressions; params says whether the expressions may refer to params.
func ValidateMatchConditions(conditions []admissionregistrationv1.MatchCondition, params bool, stored sets.Set[string], fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(conditions) > 64 {
		errs = append(errs, field.TooMany(fldPath, len(conditions), 64))
	}
	names := sets.New[string]()
	for i, c := range conditions {
		p := fldPath.Index(i)
		if expr := strings.TrimSpace(c.Expression); expr == "" {
			errs = append(errs, field.Required(p.Child("expression"), ""))
		} else {
			errs = append(errs, compile(statelessCompiler(), &matchconditions.MatchCondition{Expression: expr},
				plugincel.OptionalVariableDeclarations{HasParams: params, HasAuthorizer: true}, envType(stored, expr), p.Child("expression"))...)
		}
		if c.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else {
			errs = append(errs, validateQualifiedName(c.Name, p.Child("name"))...)
		}
		if c.Name != "" {
			if names.Has(c.Name) {
				errs = append(errs, field.Duplicate(p.Child("name"), c.Name))
			}
			names.Insert(c.Name)
		}
	}
	return errs
}

var (
	celIdentifier = regexp.MustCompile(`^[_a-zA-Z][_a-zA-Z0-9]*$`)
	celReserved   = sets.New("true", "false", "null", "in", "as", "break", "const", "continue", "else",
		"for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while")
)

// ValidateVariable checks a policy variable: a CEL identifier and an expression the composing
// compiler c compiles and keeps for the expressions after it.
func ValidateVariable(c plugincel.Compiler, v *admissionregistrationv1.Variable, params bool, stored sets.Set[string], fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if strings.TrimSpace(v.Name) == "" {
		errs = append(errs, field.Required(fldPath.Child("name"), "name is not specified"))
	} else if !celIdentifier.MatchString(v.Name) || celReserved.Has(v.Name) {
		errs = append(errs, field.Invalid(fldPath.Child("name"), v.Name, "must be a valid CEL identifier"))
	}
	if strings.TrimSpace(v.Expression) == "" {
		return append(errs, field.Required(fldPath.Child("expression"), "expression is not specified"))
	}
	composited, ok := c.(*plugincel.CompositedCompiler)
	if !ok {
		return append(errs, field.InternalError(fldPath, fmt.Errorf("variable composition is not allowed")))
	}
	variable := &validatingpolicy.Variable{Name: v.Name, Expression: v.Expression}
	result := composited.CompileAndStoreVariable(variable, plugincel.OptionalVariableDeclarations{HasParams: params, HasAuthorizer: true}, envType(stored, v.Expression))
	if result.Error != nil {
		errs = append(errs, celError(fldPath.Child("expression"), v.Expression, result.Error))
	}
	return errs
}

var (
	validationReasons = sets.New(string(metav1.StatusReasonForbidden), string(metav1.StatusReasonInvalid), string(metav1.StatusReasonRequestEntityTooLarge))
	lineBreaks        = regexp.MustCompile(`[\n\r]+`)
)

// ValidateValidation checks one validation of a ValidatingAdmissionPolicy.
func ValidateValidation(c plugincel.Compiler, v *admissionregistrationv1.Validation, params bool, stored Expressions, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if strings.TrimSpace(v.Expression) == "" {
		errs = append(errs, field.Required(fldPath.Child("expression"), "expression is not specified"))
	} else {
		errs = append(errs, compile(c, &validatingpolicy.ValidationCondition{Expression: v.Expression},
			plugincel.OptionalVariableDeclarations{HasParams: params, HasAuthorizer: true}, envType(stored.Validations, v.Expression), fldPath.Child("expression"))...)
	}
	if v.MessageExpression != "" && strings.TrimSpace(v.MessageExpression) == "" {
		errs = append(errs, field.Invalid(fldPath.Child("messageExpression"), v.MessageExpression, "must be non-empty if specified"))
	} else if strings.TrimSpace(v.MessageExpression) != "" {
		// The untrimmed expression, so that the compiler's column numbers are right.
		errs = append(errs, compile(c, &validatingpolicy.MessageExpressionCondition{MessageExpression: v.MessageExpression},
			plugincel.OptionalVariableDeclarations{HasParams: params}, envType(stored.MessageExpressions, v.MessageExpression), fldPath.Child("messageExpression"))...)
	}
	if msg := strings.TrimSpace(v.Message); v.Message != "" && msg == "" {
		errs = append(errs, field.Invalid(fldPath.Child("message"), v.Message, "must be non-empty if specified"))
	} else if lineBreaks.MatchString(msg) {
		errs = append(errs, field.Invalid(fldPath.Child("message"), v.Message, "must not contain line breaks"))
	}
	if v.Reason != nil && !validationReasons.Has(string(*v.Reason)) {
		errs = append(errs, notSupported(fldPath.Child("reason"), *v.Reason, validationReasons))
	}
	return errs
}

const (
	// MaxAuditAnnotations is the most audit annotations a policy may have.
	MaxAuditAnnotations = 20
	// Shorter than the 10kb an audit annotation value may have: expressions that concatenate
	// strings often produce longer values than themselves.
	maxAuditAnnotationValueExpressionLength = 5 * 1024
)

// ValidateAuditAnnotation checks one audit annotation of a ValidatingAdmissionPolicy named policyName.
func ValidateAuditAnnotation(c plugincel.Compiler, policyName string, a *admissionregistrationv1.AuditAnnotation, params bool, stored sets.Set[string], fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if policyName != "" {
		errs = append(errs, validateQualifiedName(policyName+"/"+a.Key, fldPath.Child("key"))...)
	} else {
		errs = append(errs, field.Invalid(fldPath.Child("key"), a.Key, "requires metadata.name be non-empty"))
	}
	expr := strings.TrimSpace(a.ValueExpression)
	switch {
	case expr == "":
		errs = append(errs, field.Required(fldPath.Child("valueExpression"), "valueExpression is not specified"))
	case len(expr) > maxAuditAnnotationValueExpressionLength:
		errs = append(errs, field.Required(fldPath.Child("valueExpression"), fmt.Sprintf("must not exceed %d bytes in length", maxAuditAnnotationValueExpressionLength)))
	default:
		result := c.CompileCELExpression(&validatingpolicy.AuditAnnotationCondition{ValueExpression: expr},
			plugincel.OptionalVariableDeclarations{HasParams: params, HasAuthorizer: true}, envType(stored, a.ValueExpression))
		if result.Error != nil {
			errs = append(errs, celError(fldPath.Child("valueExpression"), a.ValueExpression, result.Error))
		}
	}
	return errs
}

var patchTypes = sets.New(string(admissionregistrationv1.PatchTypeApplyConfiguration), string(admissionregistrationv1.PatchTypeJSONPatch))

// ValidateMutation checks one mutation of a MutatingAdmissionPolicy.
func ValidateMutation(c plugincel.Compiler, m *admissionregistrationv1.Mutation, params bool, stored Expressions, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	decls := plugincel.OptionalVariableDeclarations{HasParams: params, HasAuthorizer: true, HasPatchTypes: true}
	compilePatch := func(expression string, accessor plugincel.ExpressionAccessor, storedSet sets.Set[string], fldPath *field.Path) field.ErrorList {
		if strings.TrimSpace(expression) == "" {
			return field.ErrorList{field.Required(fldPath.Child("expression"), "")}
		}
		return compile(c, accessor, decls, envType(storedSet, expression), fldPath.Child("expression"))
	}
	switch m.PatchType {
	case "":
		errs = append(errs, field.Required(fldPath.Child("patchType"), ""))
	case admissionregistrationv1.PatchTypeJSONPatch:
		if m.JSONPatch == nil {
			errs = append(errs, field.Required(fldPath.Child("jsonPatch"), "must be specified when patchType is JSONPatch"))
		} else {
			expr := m.JSONPatch.Expression
			errs = append(errs, compilePatch(expr, &patch.JSONPatchCondition{Expression: strings.TrimSpace(expr)}, stored.JSONPatches, fldPath.Child("jsonPatch"))...)
		}
		if m.ApplyConfiguration != nil {
			errs = append(errs, field.Invalid(fldPath.Child("applyConfiguration"), "{applyConfiguration}", "must not be specified when patchType is JSONPatch"))
		}
	case admissionregistrationv1.PatchTypeApplyConfiguration:
		if m.ApplyConfiguration == nil {
			errs = append(errs, field.Required(fldPath.Child("applyConfiguration"), "must be specified when patchType is ApplyConfiguration"))
		} else {
			expr := m.ApplyConfiguration.Expression
			errs = append(errs, compilePatch(expr, &patch.ApplyConfigurationCondition{Expression: strings.TrimSpace(expr)}, stored.ApplyConfigurations, fldPath.Child("applyConfiguration"))...)
		}
		if m.JSONPatch != nil {
			errs = append(errs, field.Invalid(fldPath.Child("jsonPatch"), "{jsonPatch}", "must not be specified when patchType is ApplyConfiguration"))
		}
	default:
		errs = append(errs, notSupported(fldPath.Child("patchType"), m.PatchType, patchTypes))
	}
	return errs
}
