package certificatesigningrequest

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// LegacyUnknownSignerName is the signer of CSRs made through v1beta1 without one; v1 refuses it.
const LegacyUnknownSignerName = "kubernetes.io/legacy-unknown"

var (
	validUsages = sets.New(
		string(certificatesv1.UsageSigning), string(certificatesv1.UsageDigitalSignature), string(certificatesv1.UsageContentCommitment),
		string(certificatesv1.UsageKeyEncipherment), string(certificatesv1.UsageKeyAgreement), string(certificatesv1.UsageDataEncipherment),
		string(certificatesv1.UsageCertSign), string(certificatesv1.UsageCRLSign), string(certificatesv1.UsageEncipherOnly),
		string(certificatesv1.UsageDecipherOnly), string(certificatesv1.UsageAny), string(certificatesv1.UsageServerAuth),
		string(certificatesv1.UsageClientAuth), string(certificatesv1.UsageCodeSigning), string(certificatesv1.UsageEmailProtection),
		string(certificatesv1.UsageSMIME), string(certificatesv1.UsageIPsecEndSystem), string(certificatesv1.UsageIPsecTunnel),
		string(certificatesv1.UsageIPsecUser), string(certificatesv1.UsageTimestamping), string(certificatesv1.UsageOCSPSigning),
		string(certificatesv1.UsageMicrosoftSGC), string(certificatesv1.UsageNetscapeSGC))
	// Approved, Denied and Failed may only be True.
	trueOnlyConditions = sets.New(string(certificatesv1.CertificateApproved), string(certificatesv1.CertificateDenied), string(certificatesv1.CertificateFailed))
	trueOnly           = sets.New(string(corev1.ConditionTrue))
	allStatuses        = sets.New(string(corev1.ConditionTrue), string(corev1.ConditionFalse), string(corev1.ConditionUnknown))
)

// options loosen validation: for what a subresource may change, and for problems the stored
// object already has (upstream tolerates them on update for compatibility).
type options struct {
	allowSettingApprovalConditions bool
	allowSettingCertificate        bool
	allowBothApprovedAndDenied     bool
	allowLegacySignerName          bool
	allowDuplicateConditionTypes   bool
	allowEmptyConditionType        bool
	allowArbitraryCertificate      bool
	allowUnknownUsages             bool
	allowDuplicateUsages           bool
}

func optionsFor(csr, old *certificatesv1.CertificateSigningRequest) options {
	if old == nil {
		return options{}
	}
	var o options
	approved, denied := false, false
	types := sets.New[certificatesv1.RequestConditionType]()
	for _, c := range old.Status.Conditions {
		approved = approved || c.Type == certificatesv1.CertificateApproved
		denied = denied || c.Type == certificatesv1.CertificateDenied
		o.allowDuplicateConditionTypes = o.allowDuplicateConditionTypes || types.Has(c.Type)
		o.allowEmptyConditionType = o.allowEmptyConditionType || c.Type == ""
		types.Insert(c.Type)
	}
	o.allowBothApprovedAndDenied = approved && denied
	o.allowLegacySignerName = old.Spec.SignerName == LegacyUnknownSignerName
	o.allowArbitraryCertificate = bytes.Equal(csr.Status.Certificate, old.Status.Certificate) || validateCertificate(old.Status.Certificate) != nil
	usages := sets.New[certificatesv1.KeyUsage]()
	for _, u := range old.Spec.Usages {
		o.allowUnknownUsages = o.allowUnknownUsages || !validUsages.Has(string(u))
		o.allowDuplicateUsages = o.allowDuplicateUsages || usages.Has(u)
		usages.Insert(u)
	}
	return o
}

// Validate checks a new CertificateSigningRequest: a signed PEM request, known usages, a
// signer name, and no approval or certificate yet.
func Validate(csr *certificatesv1.CertificateSigningRequest) field.ErrorList {
	return validate(csr, optionsFor(csr, nil))
}

// ValidateUpdate checks an update of the main resource.
func ValidateUpdate(csr, old *certificatesv1.CertificateSigningRequest) field.ErrorList {
	return validateUpdate(csr, old, optionsFor(csr, old))
}

// ValidateStatusUpdate checks a write of /status, which may set the certificate.
func ValidateStatusUpdate(csr, old *certificatesv1.CertificateSigningRequest) field.ErrorList {
	o := optionsFor(csr, old)
	o.allowSettingCertificate = true
	return validateUpdate(csr, old, o)
}

// ValidateApprovalUpdate checks a write of /approval, which may add Approved or Denied.
func ValidateApprovalUpdate(csr, old *certificatesv1.CertificateSigningRequest) field.ErrorList {
	o := optionsFor(csr, old)
	o.allowSettingApprovalConditions = true
	return validateUpdate(csr, old, o)
}

func validate(csr *certificatesv1.CertificateSigningRequest, o options) field.ErrorList {
	// Any name goes: no name validator beyond the path-segment check the registry makes.
	errs := apimachineryvalidation.ValidateObjectMeta(&csr.ObjectMeta, false, func(string, bool) []string { return nil }, field.NewPath("metadata"))
	spec := field.NewPath("spec")
	if err := validateRequest(csr.Spec.Request); err != nil {
		errs = append(errs, field.Invalid(spec.Child("request"), csr.Spec.Request, err.Error()))
	}
	if len(csr.Spec.Usages) == 0 {
		errs = append(errs, field.Required(spec.Child("usages"), ""))
	}
	seen := sets.New[certificatesv1.KeyUsage]()
	for i, u := range csr.Spec.Usages {
		if !o.allowUnknownUsages && !validUsages.Has(string(u)) {
			errs = append(errs, field.NotSupported(spec.Child("usages").Index(i), u, sets.List(validUsages)))
		}
		if !o.allowDuplicateUsages && seen.Has(u) {
			errs = append(errs, field.Duplicate(spec.Child("usages").Index(i), u))
		}
		seen.Insert(u)
	}
	if !o.allowLegacySignerName && csr.Spec.SignerName == LegacyUnknownSignerName {
		errs = append(errs, field.Invalid(spec.Child("signerName"), csr.Spec.SignerName, "the legacy signerName is not allowed via this API version"))
	} else {
		errs = append(errs, ValidateSignerName(spec.Child("signerName"), csr.Spec.SignerName)...)
	}
	if s := csr.Spec.ExpirationSeconds; s != nil && *s < 600 {
		errs = append(errs, field.Invalid(spec.Child("expirationSeconds"), *s, "may not specify a duration less than 600 seconds (10 minutes)"))
	}
	errs = append(errs, validateConditions(field.NewPath("status", "conditions"), csr, o)...)
	if !o.allowArbitraryCertificate {
		if err := validateCertificate(csr.Status.Certificate); err != nil {
			errs = append(errs, field.Invalid(field.NewPath("status", "certificate"), "<certificate data>", err.Error()))
		}
	}
	return errs
}

// validateRequest checks that request is a PEM CERTIFICATE REQUEST with a valid signature.
func validateRequest(request []byte) error {
	block, _ := pem.Decode(request)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return errors.New("PEM block type must be CERTIFICATE REQUEST")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return err
	}
	return csr.CheckSignature()
}

// validateCertificate checks that an issued certificate is one or more bare CERTIFICATE PEM blocks.
func validateCertificate(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	blocks := 0
	for {
		block, rest := pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return fmt.Errorf("only CERTIFICATE PEM blocks are allowed, found %q", block.Type)
		}
		if len(block.Headers) != 0 {
			return fmt.Errorf("no PEM block headers are permitted")
		}
		blocks++
		certs, err := x509.ParseCertificates(block.Bytes)
		if err != nil {
			return err
		}
		if len(certs) == 0 {
			return fmt.Errorf("found CERTIFICATE PEM block containing 0 certificates")
		}
		data = rest
	}
	if blocks == 0 {
		return fmt.Errorf("must contain at least one CERTIFICATE PEM block")
	}
	return nil
}

func validateConditions(fldPath *field.Path, csr *certificatesv1.CertificateSigningRequest, o options) field.ErrorList {
	var errs field.ErrorList
	seen := sets.New[certificatesv1.RequestConditionType]()
	approved, denied := false, false
	for i, c := range csr.Status.Conditions {
		if !o.allowEmptyConditionType && c.Type == "" {
			errs = append(errs, field.Required(fldPath.Index(i).Child("type"), ""))
		}
		allowed := allStatuses
		if trueOnlyConditions.Has(string(c.Type)) {
			allowed = trueOnly
		}
		switch {
		case c.Status == "":
			errs = append(errs, field.Required(fldPath.Index(i).Child("status"), ""))
		case !allowed.Has(string(c.Status)):
			errs = append(errs, field.NotSupported(fldPath.Index(i).Child("status"), c.Status, sets.List(allowed)))
		}
		if !o.allowBothApprovedAndDenied {
			switch c.Type {
			case certificatesv1.CertificateApproved:
				approved = true
				if denied {
					errs = append(errs, field.Invalid(fldPath, c.Type, "Approved and Denied conditions are mutually exclusive"))
				}
			case certificatesv1.CertificateDenied:
				denied = true
				if approved {
					errs = append(errs, field.Invalid(fldPath, c.Type, "Approved and Denied conditions are mutually exclusive"))
				}
			}
		}
		if !o.allowDuplicateConditionTypes && seen.Has(c.Type) {
			errs = append(errs, field.Duplicate(fldPath.Index(i).Child("type"), c.Type))
		}
		seen.Insert(c.Type)
	}
	return errs
}

func validateUpdate(csr, old *certificatesv1.CertificateSigningRequest, o options) field.ErrorList {
	errs := validate(csr, o)
	conditions := field.NewPath("status", "conditions")
	for _, t := range []certificatesv1.RequestConditionType{certificatesv1.CertificateApproved, certificatesv1.CertificateDenied, certificatesv1.CertificateFailed} {
		if len(conditionsOf(csr, t)) < len(conditionsOf(old, t)) {
			errs = append(errs, field.Forbidden(conditions, fmt.Sprintf("updates may not remove a condition of type %q", t)))
		}
	}
	if !o.allowSettingApprovalConditions {
		for _, t := range []certificatesv1.RequestConditionType{certificatesv1.CertificateApproved, certificatesv1.CertificateDenied} {
			newConds, oldConds := conditionsOf(csr, t), conditionsOf(old, t)
			switch {
			case len(newConds) < len(oldConds):
				// reported above
			case len(newConds) > len(oldConds):
				errs = append(errs, field.Forbidden(conditions, fmt.Sprintf("updates may not add a condition of type %q", t)))
			case !apiequality.Semantic.DeepEqual(oldConds, newConds):
				errs = append(errs, field.Forbidden(conditions, fmt.Sprintf("updates may not modify a condition of type %q\n%v", t, diff.Diff(corevalidation.InternalJSON(oldConds), corevalidation.InternalJSON(newConds)))))
			}
		}
	}
	if !bytes.Equal(csr.Status.Certificate, old.Status.Certificate) {
		if !o.allowSettingCertificate {
			errs = append(errs, field.Forbidden(field.NewPath("status", "certificate"), "updates may not set certificate content"))
		} else if len(old.Status.Certificate) > 0 {
			errs = append(errs, field.Forbidden(field.NewPath("status", "certificate"), "updates may not modify existing certificate content"))
		}
	}
	return append(errs, apimachineryvalidation.ValidateObjectMetaUpdate(&csr.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
}

func conditionsOf(csr *certificatesv1.CertificateSigningRequest, t certificatesv1.RequestConditionType) []certificatesv1.CertificateSigningRequestCondition {
	var out []certificatesv1.CertificateSigningRequestCondition
	for _, c := range csr.Status.Conditions {
		if c.Type == t {
			out = append(out, c)
		}
	}
	return out
}

// ValidateSignerName checks a signer name of the form "example.com/signer-name": a DNS
// domain of at least two labels, a slash, and a path of DNS subdomains.
func ValidateSignerName(fldPath *field.Path, signerName string) field.ErrorList {
	if signerName == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	domain, path, found := strings.Cut(signerName, "/")
	if !found || strings.Contains(path, "/") {
		return field.ErrorList{field.Invalid(fldPath, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")}
	}
	var errs field.ErrorList
	const maxDomain = validation.DNS1123SubdomainMaxLength
	if len(domain) > maxDomain {
		errs = append(errs, field.TooLong(fldPath, "", maxDomain))
	}
	labels := strings.Split(domain, ".")
	for _, l := range labels {
		// each label at most 63 characters: a DNS label, not a subdomain
		if msgs := validation.IsDNS1123Label(l); len(msgs) > 0 {
			for _, msg := range msgs {
				errs = append(errs, field.Invalid(fldPath, domain, fmt.Sprintf("validating label %q: %s", l, msg)))
			}
			break // further errors would repeat this one
		}
	}
	if len(labels) < 2 {
		errs = append(errs, field.Invalid(fldPath, domain, "should be a domain with at least two segments separated by dots"))
	}
	for _, l := range strings.Split(path, ".") {
		if msgs := validation.IsDNS1123Subdomain(l); len(msgs) > 0 {
			for _, msg := range msgs {
				errs = append(errs, field.Invalid(fldPath, path, fmt.Sprintf("validating label %q: %s", l, msg)))
			}
			break
		}
	}
	// the path must fit a DNS label, a dot and a DNS subdomain
	maxPath := validation.DNS1123SubdomainMaxLength + validation.DNS1123LabelMaxLength + 1
	if maxName := maxDomain + maxPath + 1; len(signerName) > maxName {
		errs = append(errs, field.TooLong(fldPath, "", maxName))
	}
	return errs
}
