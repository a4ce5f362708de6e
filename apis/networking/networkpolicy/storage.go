package networkpolicy

import (
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the networkpolicies resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   networkingv1.Resource("networkpolicies"),
		Singular:   "networkpolicy",
		New:        func() runtime.Object { return &networkingv1.NetworkPolicy{} },
		NewList:    func() runtime.Object { return &networkingv1.NetworkPolicyList{} },
		Strategy:   Strategy,
		ShortNames: []string{"netpol"},
		Table:      Table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"networkpolicies": store}, nil
}

// Table prints NetworkPolicies as upstream does.
var Table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Pod-Selector", Type: "string", Description: networkingv1.NetworkPolicySpec{}.SwaggerDoc()["podSelector"]},
		registry.AgeColumn,
	},
	Row: func(obj runtime.Object) ([]any, error) {
		np := obj.(*networkingv1.NetworkPolicy)
		return []any{metav1.FormatLabelSelector(&np.Spec.PodSelector), registry.AgeOf(np)}, nil
	},
}
