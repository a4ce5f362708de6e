package validation

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// These render the Table cells `kubectl get` prints for policies and bindings.

// ParamKindString renders a policy's paramKind, "<unset>" for none.
func ParamKindString(pk *admissionregistrationv1.ParamKind) string {
	if pk == nil {
		return "<unset>"
	}
	return pk.APIVersion + "/" + pk.Kind
}

// ParamRefString renders a binding's paramRef: namespace/name ("*/name" without a namespace,
// since the param may be cluster-scoped), the selector, or "<unset>".
func ParamRefString(pr *admissionregistrationv1.ParamRef) string {
	switch {
	case pr == nil:
		return "<unset>"
	case pr.Name != "" && pr.Namespace != "":
		return pr.Namespace + "/" + pr.Name
	case pr.Name != "":
		return "*/" + pr.Name
	case pr.Selector != nil:
		// as upstream prints it: the LabelSelector's String, not a selector expression
		return pr.Selector.String()
	}
	return "<unset>"
}
