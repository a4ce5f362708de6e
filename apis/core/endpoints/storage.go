package endpoints

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/core/internal/table"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the endpoints resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   corev1.Resource("endpoints"),
		Singular:   "endpoints",
		New:        func() runtime.Object { return &corev1.Endpoints{} },
		NewList:    func() runtime.Object { return &corev1.EndpointsList{} },
		Strategy:   Strategy,
		ShortNames: []string{"ep"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				table.Column("Endpoints", corev1.Endpoints{}.SwaggerDoc()["subsets"], 0),
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				ep := obj.(*corev1.Endpoints)
				return []any{formatEndpoints(ep), registry.AgeOf(ep)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"endpoints": store}, nil
}

// formatEndpoints lists up to three ip:port pairs, then how many more there are.
func formatEndpoints(ep *corev1.Endpoints) string {
	if len(ep.Subsets) == 0 {
		return "<none>"
	}
	const max = 3
	var list []string
	more, count := false, 0
	add := func(s string) {
		if len(list) == max {
			more = true
			return
		}
		list = append(list, s)
	}
	for _, ss := range ep.Subsets {
		if len(ss.Ports) == 0 {
			// Headless services may have endpoints without ports.
			count += len(ss.Addresses)
			for _, addr := range ss.Addresses {
				add(addr.IP)
			}
			continue
		}
		for _, port := range ss.Ports {
			count += len(ss.Addresses)
			for _, addr := range ss.Addresses {
				add(net.JoinHostPort(addr.IP, strconv.Itoa(int(port.Port))))
			}
		}
	}
	ret := strings.Join(list, ",")
	if more {
		return fmt.Sprintf("%s + %d more...", ret, count-max)
	}
	return ret
}
