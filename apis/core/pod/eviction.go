package pod

import (
	"context"
	"fmt"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/apis/registry"
)

// EvictionREST serves pods/eviction: creating a policy/v1 Eviction deletes the pod with the
// Eviction's delete options, after marking it with a DisruptionTarget condition, when the
// pod's PodDisruptionBudget allows it (see eviction_budget.go).
type EvictionREST struct {
	store  *registry.Store
	status *registry.StatusREST
	// pdbs reads and writes the namespace's PodDisruptionBudgets.
	pdbs *budgetStore
	// clock stamps status.disruptedPods.
	clock clock.PassiveClock
}

// newEvictionREST returns the eviction subresource of the pods in store; it opens its own
// access to PodDisruptionBudgets' storage through optsGetter.
func newEvictionREST(optsGetter generic.RESTOptionsGetter, store *registry.Store, status *registry.StatusREST) (*EvictionREST, error) {
	pdbs, err := newBudgetStore(optsGetter)
	if err != nil {
		return nil, err
	}
	return &EvictionREST{store: store, status: status, pdbs: pdbs, clock: clock.RealClock{}}, nil
}

var (
	_ rest.NamedCreater             = &EvictionREST{}
	_ rest.GroupVersionKindProvider = &EvictionREST{}
)

var evictionKind = policyv1.SchemeGroupVersion.WithKind("Eviction")

// GroupVersionKind says the subresource speaks policy/v1 Eviction.
func (r *EvictionREST) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind {
	return evictionKind
}

// New returns an empty Eviction.
func (r *EvictionREST) New() runtime.Object { return &policyv1.Eviction{} }

// Destroy releases the PodDisruptionBudget storage; the pods store owns the rest.
func (r *EvictionREST) Destroy() {
	if r.pdbs != nil {
		r.pdbs.destroy()
	}
}

// Create evicts the pod named in the URL.
func (r *EvictionREST) Create(ctx context.Context, name string, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	eviction, ok := obj.(*policyv1.Eviction)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a Eviction object: %T", obj))
	}
	if name != eviction.Name {
		return nil, apierrors.NewBadRequest("name in URL does not match name in Eviction object")
	}
	if o := eviction.DeleteOptions; o != nil && o.IgnoreStoreReadErrorWithClusterBreakingPotential != nil && *o.IgnoreStoreReadErrorWithClusterBreakingPotential {
		return nil, apierrors.NewInvalid(evictionKind.GroupKind(), name, field.ErrorList{
			field.Invalid(field.NewPath("deleteOptions", "ignoreStoreReadErrorWithClusterBreakingPotential"), true, "can not be set for pod eviction, try after removing the option"),
		})
	}
	deleteOptions, err := propagateDryRun(eviction, options)
	if err != nil {
		return nil, err
	}
	if createValidation != nil {
		if err := createValidation(ctx, eviction.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	return r.evict(ctx, name, deleteOptions)
}

// propagateDryRun merges the request's dryRun into the Eviction's delete options; they must
// agree when both are set.
func propagateDryRun(eviction *policyv1.Eviction, options *metav1.CreateOptions) (*metav1.DeleteOptions, error) {
	if eviction.DeleteOptions == nil {
		return &metav1.DeleteOptions{DryRun: options.DryRun}, nil
	}
	if len(eviction.DeleteOptions.DryRun) == 0 {
		eviction.DeleteOptions.DryRun = options.DryRun
		return eviction.DeleteOptions, nil
	}
	if len(options.DryRun) == 0 {
		return eviction.DeleteOptions, nil
	}
	if !reflect.DeepEqual(options.DryRun, eviction.DeleteOptions.DryRun) {
		return nil, fmt.Errorf("Non-matching dry-run options in request and content: %v and %v", options.DryRun, eviction.DeleteOptions.DryRun)
	}
	return eviction.DeleteOptions, nil
}

func isDryRun(dryRun []string) bool { return len(dryRun) > 0 && dryRun[0] == metav1.DryRunAll }

// addConditionAndDelete sets the DisruptionTarget condition on the pod (honouring the delete
// options' preconditions) and deletes it.
func (r *EvictionREST) addConditionAndDelete(ctx context.Context, name string, options *metav1.DeleteOptions) error {
	if !isDryRun(options.DryRun) {
		latest := func(_ context.Context, _, oldObj runtime.Object) (runtime.Object, error) {
			pod := oldObj.(*corev1.Pod).DeepCopy()
			if p := options.Preconditions; p != nil {
				if p.UID != nil && len(*p.UID) > 0 && *p.UID != pod.UID {
					return nil, apierrors.NewConflict(schema.GroupResource{Resource: "Pod"}, pod.Name,
						fmt.Errorf("the UID in the precondition (%s) does not match the UID in record (%s). The object might have been deleted and then recreated", *p.UID, pod.UID))
				}
				if p.ResourceVersion != nil && len(*p.ResourceVersion) > 0 && *p.ResourceVersion != pod.ResourceVersion {
					return nil, apierrors.NewConflict(schema.GroupResource{Resource: "Pod"}, pod.Name,
						fmt.Errorf("the ResourceVersion in the precondition (%s) does not match the ResourceVersion in record (%s). The object might have been modified", *p.ResourceVersion, pod.ResourceVersion))
				}
			}
			return pod, nil
		}
		appendCondition := func(_ context.Context, newObj, _ runtime.Object) (runtime.Object, error) {
			pod := newObj.(*corev1.Pod)
			setCondition(&pod.Status, corev1.PodCondition{
				Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
				Reason: "EvictionByEvictionAPI", Message: "Eviction API: evicting",
			})
			return pod, nil
		}
		updated, _, err := r.status.Update(ctx, name, rest.DefaultUpdatedObjectInfo(nil, latest, appendCondition),
			rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
		if err != nil {
			return err
		}
		if p := options.Preconditions; p != nil && p.ResourceVersion != nil {
			// The condition bumped the resourceVersion the caller asked for.
			rv := updated.(*corev1.Pod).ResourceVersion
			options = options.DeepCopy()
			options.Preconditions.ResourceVersion = &rv
		}
	}
	_, _, err := r.store.Delete(ctx, name, rest.ValidateAllObjectFunc, options)
	return err
}
