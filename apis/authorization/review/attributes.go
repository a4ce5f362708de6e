package review

import (
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// resourceAttributes turns the resource attributes of a review into what the authorizer asks.
func resourceAttributes(u user.Info, in *authorizationv1.ResourceAttributes) authorizer.AttributesRecord {
	version := in.Version
	if version == "" {
		version = "*"
	}
	attrs := authorizer.AttributesRecord{
		User: u, Verb: in.Verb, Namespace: in.Namespace, APIGroup: in.Group, APIVersion: version,
		Resource: in.Resource, Subresource: in.Subresource, Name: in.Name, ResourceRequest: true,
	}
	if ls := in.LabelSelector; ls != nil {
		if ls.RawSelector != "" {
			if sel, err := labels.Parse(ls.RawSelector); err != nil {
				attrs.LabelSelectorRequirements, attrs.LabelSelectorParsingErr = nil, err
			} else {
				attrs.LabelSelectorRequirements, _ = sel.Requirements()
			}
		}
		if len(ls.Requirements) > 0 {
			attrs.LabelSelectorRequirements, attrs.LabelSelectorParsingErr = labelRequirements(ls.Requirements)
		}
	}
	if fs := in.FieldSelector; fs != nil {
		if fs.RawSelector != "" {
			if sel, err := fields.ParseSelector(fs.RawSelector); err != nil {
				attrs.FieldSelectorRequirements, attrs.FieldSelectorParsingErr = nil, err
			} else {
				attrs.FieldSelectorRequirements = sel.Requirements()
			}
		}
		if len(fs.Requirements) > 0 {
			attrs.FieldSelectorRequirements, attrs.FieldSelectorParsingErr = fieldRequirements(fs.Requirements)
		}
	}
	return attrs
}

var labelOperators = map[metav1.LabelSelectorOperator]selection.Operator{
	metav1.LabelSelectorOpIn:           selection.In,
	metav1.LabelSelectorOpNotIn:        selection.NotIn,
	metav1.LabelSelectorOpExists:       selection.Exists,
	metav1.LabelSelectorOpDoesNotExist: selection.DoesNotExist,
}

// labelRequirements converts what it can and reports the rest: requirements are ANDed, so
// dropping one only broadens the check.
func labelRequirements(in []metav1.LabelSelectorRequirement) (labels.Requirements, error) {
	var reqs labels.Requirements
	var errs []error
	for _, r := range in {
		op, ok := labelOperators[r.Operator]
		if !ok {
			errs = append(errs, fmt.Errorf("%q is not a valid label selector operator", r.Operator))
			continue
		}
		values := r.Values
		if len(values) == 0 {
			values = nil
		}
		req, err := labels.NewRequirement(r.Key, op, values)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		reqs = append(reqs, *req)
	}
	return reqs, utilerrors.NewAggregate(errs)
}

func fieldRequirements(in []metav1.FieldSelectorRequirement) (fields.Requirements, error) {
	var reqs fields.Requirements
	var errs []error
	for _, r := range in {
		if len(r.Values) > 1 {
			errs = append(errs, fmt.Errorf("fieldSelectors do not yet support multiple values"))
			continue
		}
		switch r.Operator {
		case metav1.FieldSelectorOpIn, metav1.FieldSelectorOpNotIn:
			if len(r.Values) != 1 {
				word := "in"
				if r.Operator == metav1.FieldSelectorOpNotIn {
					word = "not in"
				}
				errs = append(errs, fmt.Errorf("fieldSelectors %s must have one value", word))
				continue
			}
			// as parsed selectors do: In is Equals, NotIn is NotEquals
			op := selection.Equals
			if r.Operator == metav1.FieldSelectorOpNotIn {
				op = selection.NotEquals
			}
			reqs = append(reqs, fields.Requirement{Field: r.Key, Operator: op, Value: r.Values[0]})
		case metav1.FieldSelectorOpExists, metav1.FieldSelectorOpDoesNotExist:
			errs = append(errs, fmt.Errorf("fieldSelectors do not yet support %v", r.Operator))
		default:
			errs = append(errs, fmt.Errorf("%q is not a valid field selector operator", r.Operator))
		}
	}
	return reqs, utilerrors.NewAggregate(errs)
}

// specAttributes returns what to ask the authorizer for the subject and attributes of spec.
func specAttributes(spec authorizationv1.SubjectAccessReviewSpec) authorizer.AttributesRecord {
	var extra map[string][]string
	if spec.Extra != nil {
		extra = map[string][]string{}
		for k, v := range spec.Extra {
			extra[k] = v
		}
	}
	u := &user.DefaultInfo{Name: spec.User, Groups: spec.Groups, UID: spec.UID, Extra: extra}
	return attributes(u, spec.ResourceAttributes, spec.NonResourceAttributes)
}

func attributes(u user.Info, ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes) authorizer.AttributesRecord {
	if ra != nil {
		return resourceAttributes(u, ra)
	}
	return authorizer.AttributesRecord{User: u, Path: nra.Path, Verb: nra.Verb}
}

// evaluationError joins the authorizer's error and notes on selectors that did not parse.
func evaluationError(err error, attrs authorizer.AttributesRecord) string {
	var msgs []string
	if err != nil {
		msgs = append(msgs, err.Error())
	}
	for _, s := range []struct {
		name string
		reqs int
		err  error
	}{
		{"fieldSelector", len(attrs.FieldSelectorRequirements), attrs.FieldSelectorParsingErr},
		{"labelSelector", len(attrs.LabelSelectorRequirements), attrs.LabelSelectorParsingErr},
	} {
		if s.err == nil {
			continue
		}
		how := "ignored"
		if s.reqs > 0 {
			how = "partially ignored"
		}
		msgs = append(msgs, fmt.Sprintf("spec.resourceAttributes.%s %s due to parse error", s.name, how))
	}
	return strings.Join(msgs, "; ")
}
