package endpointslice

import (
	"fmt"
	"strconv"
	"strings"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the endpointslices resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: discoveryv1.Resource("endpointslices"),
		Singular: "endpointslice",
		New:      func() runtime.Object { return &discoveryv1.EndpointSlice{} },
		NewList:  func() runtime.Object { return &discoveryv1.EndpointSliceList{} },
		Strategy: Strategy,
		Table:    NewTable(),
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"endpointslices": store}, nil
}

// NewTable returns the Table of EndpointSlices, with upstream's columns.
func NewTable() registry.Table {
	return registry.Table{
		Columns: []metav1.TableColumnDefinition{
			{Name: "AddressType", Type: "string", Description: discoveryv1.EndpointSlice{}.SwaggerDoc()["addressType"]},
			{Name: "Ports", Type: "string", Description: discoveryv1.EndpointSlice{}.SwaggerDoc()["ports"]},
			{Name: "Endpoints", Type: "string", Description: discoveryv1.EndpointSlice{}.SwaggerDoc()["endpoints"]},
			registry.AgeColumn,
		},
		Row: func(obj runtime.Object) ([]any, error) {
			eps := obj.(*discoveryv1.EndpointSlice)
			return []any{string(eps.AddressType), formatPorts(eps.Ports), formatEndpoints(eps.Endpoints), registry.AgeOf(eps)}, nil
		},
	}
}

const listMax = 3

func formatPorts(ports []discoveryv1.EndpointPort) string {
	var list []string
	for _, p := range ports {
		if len(list) == listMax {
			break
		}
		switch {
		case p.Port != nil:
			list = append(list, strconv.Itoa(int(*p.Port)))
		case p.Name != nil:
			list = append(list, *p.Name)
		default:
			list = append(list, "*")
		}
	}
	return withMore(list, len(ports))
}

func formatEndpoints(endpoints []discoveryv1.Endpoint) string {
	var list []string
	count := 0
	for _, ep := range endpoints {
		for _, addr := range ep.Addresses {
			if len(list) < listMax {
				list = append(list, addr)
			}
			count++
		}
	}
	return withMore(list, count)
}

// withMore joins the first entries and says how many were left out, "<unset>" for none.
func withMore(list []string, count int) string {
	ret := strings.Join(list, ",")
	if count > listMax {
		return fmt.Sprintf("%s + %d more...", ret, count-listMax)
	}
	if ret == "" {
		return "<unset>"
	}
	return ret
}
