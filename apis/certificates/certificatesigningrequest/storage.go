package certificatesigningrequest

import (
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the certificatesigningrequests resource with /status and /approval.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   certificatesv1.Resource("certificatesigningrequests"),
		Singular:   "certificatesigningrequest",
		New:        func() runtime.Object { return &certificatesv1.CertificateSigningRequest{} },
		NewList:    func() runtime.Object { return &certificatesv1.CertificateSigningRequestList{} },
		Strategy:   Strategy,
		ShortNames: []string{"csr"},
		SelectableFields: func(obj runtime.Object) fields.Set {
			return fields.Set{"spec.signerName": obj.(*certificatesv1.CertificateSigningRequest).Spec.SignerName}
		},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				registry.AgeColumn,
				{Name: "SignerName", Type: "string", Description: certificatesv1.CertificateSigningRequestSpec{}.SwaggerDoc()["signerName"]},
				{Name: "Requestor", Type: "string", Description: certificatesv1.CertificateSigningRequestSpec{}.SwaggerDoc()["request"]},
				{Name: "RequestedDuration", Type: "string", Description: certificatesv1.CertificateSigningRequestSpec{}.SwaggerDoc()["expirationSeconds"]},
				{Name: "Condition", Type: "string", Description: certificatesv1.CertificateSigningRequestStatus{}.SwaggerDoc()["conditions"]},
			},
			Row: func(obj runtime.Object) ([]any, error) {
				csr := obj.(*certificatesv1.CertificateSigningRequest)
				signer, requested := "<none>", "<none>"
				if csr.Spec.SignerName != "" {
					signer = csr.Spec.SignerName
				}
				if s := csr.Spec.ExpirationSeconds; s != nil {
					requested = duration.HumanDuration(time.Duration(*s) * time.Second)
				}
				return []any{registry.AgeOf(csr), signer, csr.Spec.Username, requested, Condition(csr)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"certificatesigningrequests":          store,
		"certificatesigningrequests/status":   registry.NewStatusREST(store, StatusStrategy),
		"certificatesigningrequests/approval": registry.NewStatusREST(store, ApprovalStrategy),
	}, nil
}

// Condition summarizes a request's state as kubectl prints it: Denied, Approved or Pending,
// then ",Failed" and ",Issued" where they apply.
func Condition(csr *certificatesv1.CertificateSigningRequest) string {
	var approved, denied, failed bool
	for _, c := range csr.Status.Conditions {
		switch c.Type {
		case certificatesv1.CertificateApproved:
			approved = true
		case certificatesv1.CertificateDenied:
			denied = true
		case certificatesv1.CertificateFailed:
			failed = true
		}
	}
	status := "Pending"
	if denied {
		status = "Denied"
	} else if approved {
		status = "Approved"
	}
	if failed {
		status += ",Failed"
	}
	if len(csr.Status.Certificate) > 0 {
		status += ",Issued"
	}
	return status
}
