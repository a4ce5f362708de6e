package endpointslice

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of EndpointSlices.
var Strategy = strategy{registry.NewStrategy(true, false, "discovery.k8s.io/v1")}

// PrepareForCreate starts generation at 1 and drops deprecatedTopology, which v1 does not serve.
func (strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	eps := obj.(*discoveryv1.EndpointSlice)
	eps.Generation = 1
	dropTopology(nil, eps)
}

// PrepareForUpdate bumps generation when anything but metadata, or the labels, change.
func (strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	eps, oldEPS := obj.(*discoveryv1.EndpointSlice), old.(*discoveryv1.EndpointSlice)
	newMeta, oldMeta := eps.ObjectMeta, oldEPS.ObjectMeta
	eps.ObjectMeta, oldEPS.ObjectMeta = metav1.ObjectMeta{}, metav1.ObjectMeta{}
	if !apiequality.Semantic.DeepEqual(eps, oldEPS) || !apiequality.Semantic.DeepEqual(newMeta.Labels, oldMeta.Labels) {
		newMeta.Generation = oldMeta.Generation + 1
	}
	eps.ObjectMeta, oldEPS.ObjectMeta = newMeta, oldMeta
	dropTopology(oldEPS, eps)
}

// dropTopology clears deprecatedTopology as upstream does for v1 requests, keeping a node
// name the stored slice carried there.
func dropTopology(old, eps *discoveryv1.EndpointSlice) {
	if old != nil && apiequality.Semantic.DeepEqual(old.Endpoints, eps.Endpoints) {
		return
	}
	var prevNodeNames sets.Set[string]
	if old != nil {
		prevNodeNames = sets.New[string]()
		for _, ep := range old.Endpoints {
			if n := ep.DeprecatedTopology[corev1.LabelHostname]; n != "" {
				prevNodeNames.Insert(n)
			}
		}
	}
	for i := range eps.Endpoints {
		ep := &eps.Endpoints[i]
		n, ok := ep.DeprecatedTopology[corev1.LabelHostname]
		if ep.NodeName == nil && ok && prevNodeNames.Has(n) && len(apimachineryvalidation.NameIsDNSSubdomain(n, false)) == 0 {
			ep.NodeName = &n
		}
		ep.DeprecatedTopology = nil
	}
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*discoveryv1.EndpointSlice))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*discoveryv1.EndpointSlice), old.(*discoveryv1.EndpointSlice))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	eps := obj.(*discoveryv1.EndpointSlice)
	var out []string
	if eps.AddressType == discoveryv1.AddressTypeFQDN {
		out = append(out, fmt.Sprintf("%s: FQDN endpoints are deprecated", field.NewPath("spec").Child("addressType")))
	}
	return append(out, warnings(eps)...)
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return warnings(obj.(*discoveryv1.EndpointSlice))
}
