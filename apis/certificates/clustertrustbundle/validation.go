package clustertrustbundle

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"sort"
	"strings"

	certificatesv1 "k8s.io/api/certificates/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/certificates/certificatesigningrequest"
)

// maxTrustBundleSize is upstream's limit on spec.trustBundle (1 MiB).
const maxTrustBundleSize = 1 << 20

// ValidateName returns the name rule of a bundle with signerName: without a signer, a DNS
// subdomain without ":"; with one, the signer name with "/" turned into ":", a ":", then a DNS
// subdomain.
func ValidateName(signerName string) apimachineryvalidation.ValidateNameFunc {
	return func(name string, prefix bool) []string {
		if signerName == "" {
			if strings.Contains(name, ":") {
				return []string{`ClusterTrustBundle without signer name must not have ":" in its name`}
			}
			return apimachineryvalidation.NameIsDNSSubdomain(name, prefix)
		}
		required := strings.ReplaceAll(signerName, "/", ":") + ":"
		if !strings.HasPrefix(name, required) {
			return []string{fmt.Sprintf("ClusterTrustBundle for signerName %s must be named with prefix %s", signerName, required)}
		}
		return apimachineryvalidation.NameIsDNSSubdomain(strings.TrimPrefix(name, required), prefix)
	}
}

// Validate checks a new ClusterTrustBundle.
func Validate(b *certificatesv1.ClusterTrustBundle) field.ErrorList {
	return validate(b, true)
}

func validate(b *certificatesv1.ClusterTrustBundle, parseBundle bool) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&b.ObjectMeta, false, ValidateName(b.Spec.SignerName), field.NewPath("metadata"))
	if b.Spec.SignerName != "" {
		errs = append(errs, certificatesigningrequest.ValidateSignerName(field.NewPath("spec", "signerName"), b.Spec.SignerName)...)
	}
	if parseBundle {
		errs = append(errs, validateTrustBundle(field.NewPath("spec", "trustBundle"), b.Spec.TrustBundle)...)
	}
	return errs
}

// ValidateUpdate checks an update: the bundle is parsed again only when it changed, and the
// signer name is fixed.
func ValidateUpdate(b, old *certificatesv1.ClusterTrustBundle) field.ErrorList {
	errs := validate(b, b.Spec.TrustBundle != old.Spec.TrustBundle)
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaUpdate(&b.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
	return append(errs, apimachineryvalidation.ValidateImmutableField(b.Spec.SignerName, old.Spec.SignerName, field.NewPath("spec", "signerName"))...)
}

// validateTrustBundle requires PEM CERTIFICATE blocks without headers, each an X.509 CA
// certificate with valid basic constraints, at least one, and no duplicates.
func validateTrustBundle(fldPath *field.Path, in string) field.ErrorList {
	const omitted = "<value omitted>"
	if len(in) > maxTrustBundleSize {
		return field.ErrorList{field.TooLong(fldPath, "", maxTrustBundleSize)}
	}
	var errs field.ErrorList
	seen := map[string][]int{}
	var order []string
	rest := []byte(in)
	for i := 0; ; i++ {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type != "CERTIFICATE":
			errs = append(errs, field.Invalid(fldPath, omitted, fmt.Sprintf("entry %d has bad block type: %v", i, b.Type)))
			continue
		case len(b.Headers) != 0:
			errs = append(errs, field.Invalid(fldPath, omitted, fmt.Sprintf("entry %d has PEM block headers", i)))
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(fldPath, omitted, fmt.Sprintf("entry %d does not parse as X.509", i)))
			continue
		case !cert.IsCA:
			errs = append(errs, field.Invalid(fldPath, omitted, fmt.Sprintf("entry %d does not have the CA bit set", i)))
			continue
		case !cert.BasicConstraintsValid:
			errs = append(errs, field.Invalid(fldPath, omitted, fmt.Sprintf("entry %d has invalid basic constraints", i)))
			continue
		}
		if _, ok := seen[string(b.Bytes)]; !ok {
			order = append(order, string(b.Bytes))
		}
		seen[string(b.Bytes)] = append(seen[string(b.Bytes)], i)
	}
	// A malformed block makes the duplicate and missing-anchor errors moot.
	if len(errs) != 0 {
		return errs
	}
	if len(seen) == 0 {
		return field.ErrorList{field.Invalid(fldPath, omitted, "at least one trust anchor must be provided")}
	}
	var dups [][]int
	for _, k := range order {
		if len(seen[k]) > 1 {
			dups = append(dups, seen[k])
		}
	}
	sort.Slice(dups, func(a, b int) bool { return dups[a][0] < dups[b][0] })
	for _, d := range dups {
		errs = append(errs, field.Invalid(fldPath, omitted, fmt.Sprintf("duplicate trust anchor (indices %v)", d)))
	}
	return errs
}
