package poddisruptionbudget

import (
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the poddisruptionbudgets resource with its status subresource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   policyv1.Resource("poddisruptionbudgets"),
		Singular:   "poddisruptionbudget",
		New:        func() runtime.Object { return &policyv1.PodDisruptionBudget{} },
		NewList:    func() runtime.Object { return &policyv1.PodDisruptionBudgetList{} },
		Strategy:   Strategy,
		ShortNames: []string{"pdb"},
		Table:      table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"poddisruptionbudgets":        store,
		"poddisruptionbudgets/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}

var table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Min Available", Type: "string", Description: "The minimum number of pods that must be available."},
		{Name: "Max Unavailable", Type: "string", Description: "The maximum number of pods that may be unavailable."},
		{Name: "Allowed Disruptions", Type: "integer", Description: "Calculated number of pods that may be disrupted at this time."},
		registry.AgeColumn,
	},
	Row: func(obj runtime.Object) ([]any, error) {
		pdb := obj.(*policyv1.PodDisruptionBudget)
		minAvailable, maxUnavailable := "N/A", "N/A"
		if pdb.Spec.MinAvailable != nil {
			minAvailable = pdb.Spec.MinAvailable.String()
		}
		if pdb.Spec.MaxUnavailable != nil {
			maxUnavailable = pdb.Spec.MaxUnavailable.String()
		}
		return []any{minAvailable, maxUnavailable, int64(pdb.Status.DisruptionsAllowed), registry.AgeOf(pdb)}, nil
	},
}
