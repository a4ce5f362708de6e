package resourcequota

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/core/internal/table"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the resourcequotas resource and its status subresource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   corev1.Resource("resourcequotas"),
		Singular:   "resourcequota",
		New:        func() runtime.Object { return &corev1.ResourceQuota{} },
		NewList:    func() runtime.Object { return &corev1.ResourceQuotaList{} },
		Strategy:   Strategy,
		ShortNames: []string{"quota"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				table.Column("Request", "Request represents a minimum amount of cpu/memory that a container may consume.", 0),
				table.Column("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.", 0),
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				rq := obj.(*corev1.ResourceQuota)
				requests, limits := usage(rq)
				return []any{requests, limits, registry.AgeOf(rq)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	return registry.Resources{
		"resourcequotas":        store,
		"resourcequotas/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}

// usage renders "name: used/hard" for each resource of the status, limits.* in the second
// column, everything else in the first.
func usage(rq *corev1.ResourceQuota) (requests, limits string) {
	names := make([]string, 0, len(rq.Status.Hard))
	for name := range rq.Status.Hard {
		names = append(names, string(name))
	}
	sort.Strings(names)
	var req, lim []string
	for _, name := range names {
		used, hard := rq.Status.Used[corev1.ResourceName(name)], rq.Status.Hard[corev1.ResourceName(name)]
		entry := fmt.Sprintf("%s: %s/%s", name, used.String(), hard.String())
		if pieces := strings.Split(name, "."); len(pieces) > 1 && pieces[0] == "limits" {
			lim = append(lim, entry)
		} else {
			req = append(req, entry)
		}
	}
	return strings.Join(req, ", "), strings.Join(lim, ", ")
}
