package validatingadmissionpolicybinding

import (
	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
)

// Strategy is the create, update and delete strategy of ValidatingAdmissionPolicyBindings.
var Strategy = validation.NewStrategy(Validate, ValidateUpdate, nil)
