package disruption

import (
	"context"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/scale"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// controllerScale is a pod controller's UID and desired replicas.
type controllerScale struct {
	uid   types.UID
	scale int32
}

// finder returns the scale of the controller ref names when it is of the finder's kind and
// exists with that UID, nil otherwise.
type finder func(ctx context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error)

// expectedScale sums the scale of the distinct controllers of pods, as upstream: a pod's
// controller is a ReplicationController, a Deployment (through its ReplicaSet), a ReplicaSet,
// a StatefulSet, or anything with a /scale subresource.
func (r *Reconciler) expectedScale(ctx context.Context, pods []*corev1.Pod) (int32, []string, error) {
	finders := []finder{r.replicationController, r.deployment, r.replicaSet, r.statefulSet, r.scaleSubresource}
	scales := map[types.UID]int32{}
	var unmanaged []string
	for _, pod := range pods {
		ref := metav1.GetControllerOf(pod)
		if ref == nil {
			unmanaged = append(unmanaged, pod.Name)
			continue
		}
		if _, ok := scales[ref.UID]; ok {
			continue
		}
		found := false
		for _, find := range finders {
			cs, err := find(ctx, ref, pod.Namespace)
			if err != nil {
				return 0, unmanaged, err
			}
			if cs != nil {
				scales[cs.uid] = cs.scale
				found = true
				break
			}
		}
		if !found {
			return 0, unmanaged, fmt.Errorf("found no controllers for pod %q", pod.Name)
		}
	}
	var sum int32
	for _, n := range scales {
		sum += n
	}
	return sum, unmanaged, nil
}

// isKind says whether ref is of kind in one of groups.
func isKind(ref *metav1.OwnerReference, kind string, groups ...string) (bool, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return false, err
	}
	return ref.Kind == kind && slices.Contains(groups, gv.Group), nil
}

// get reads the named object from the cache; like upstream's listers, any failure is "not
// this controller".
func (r *Reconciler) get(ctx context.Context, namespace, name string, obj client.Object, uid types.UID) bool {
	if err := r.client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, obj); err != nil {
		return false
	}
	return obj.GetUID() == uid
}

func (r *Reconciler) replicaSet(ctx context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	ok, err := isKind(ref, "ReplicaSet", "apps", "extensions")
	if !ok || err != nil {
		return nil, err
	}
	var rs appsv1.ReplicaSet
	if !r.get(ctx, namespace, ref.Name, &rs, ref.UID) {
		return nil, nil
	}
	// A Deployment's ReplicaSet counts as the Deployment.
	if owner := metav1.GetControllerOf(&rs); owner != nil && owner.Kind == "Deployment" {
		return nil, nil
	}
	return &controllerScale{rs.UID, ptr.Deref(rs.Spec.Replicas, 1)}, nil
}

func (r *Reconciler) deployment(ctx context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	ok, err := isKind(ref, "ReplicaSet", "apps", "extensions")
	if !ok || err != nil {
		return nil, err
	}
	var rs appsv1.ReplicaSet
	if !r.get(ctx, namespace, ref.Name, &rs, ref.UID) {
		return nil, nil
	}
	owner := metav1.GetControllerOf(&rs)
	if owner == nil {
		return nil, nil
	}
	if ok, err := isKind(owner, "Deployment", "apps", "extensions"); !ok || err != nil {
		return nil, err
	}
	var d appsv1.Deployment
	if !r.get(ctx, namespace, owner.Name, &d, owner.UID) {
		return nil, nil
	}
	return &controllerScale{d.UID, ptr.Deref(d.Spec.Replicas, 1)}, nil
}

func (r *Reconciler) statefulSet(ctx context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	ok, err := isKind(ref, "StatefulSet", "apps")
	if !ok || err != nil {
		return nil, err
	}
	var ss appsv1.StatefulSet
	if !r.get(ctx, namespace, ref.Name, &ss, ref.UID) {
		return nil, nil
	}
	return &controllerScale{ss.UID, ptr.Deref(ss.Spec.Replicas, 1)}, nil
}

func (r *Reconciler) replicationController(ctx context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	ok, err := isKind(ref, "ReplicationController", "")
	if !ok || err != nil {
		return nil, err
	}
	var rc corev1.ReplicationController
	if !r.get(ctx, namespace, ref.Name, &rc, ref.UID) {
		return nil, nil
	}
	return &controllerScale{rc.UID, ptr.Deref(rc.Spec.Replicas, 1)}, nil
}

// scaleSubresource reads the scale of any other controller through its /scale subresource.
func (r *Reconciler) scaleSubresource(ctx context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil, err
	}
	mapping, err := r.mapper.RESTMapping(schema.GroupKind{Group: gv.Group, Kind: ref.Kind}, gv.Version)
	if err != nil {
		return nil, err
	}
	gr := mapping.Resource.GroupResource()
	s, err := r.scales.Scales(namespace).Get(ctx, gr, ref.Name, metav1.GetOptions{})
	if err != nil {
		if !apierrors.IsNotFound(err) {
			return nil, err
		}
		// Missing object, or a resource without /scale?
		isScale, err := r.implementsScale(mapping.Resource)
		if err != nil {
			return nil, err
		}
		if !isScale {
			return nil, fmt.Errorf("%s does not implement the scale subresource", gr.String())
		}
		return nil, nil
	}
	if s.UID != ref.UID {
		return nil, nil
	}
	return &controllerScale{s.UID, s.Spec.Replicas}, nil
}

// implementsScale says whether discovery lists a Scale-kinded scale subresource for gvr.
func (r *Reconciler) implementsScale(gvr schema.GroupVersionResource) (bool, error) {
	list, err := r.discovery.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	if err != nil {
		return false, err
	}
	name := gvr.Resource + "/scale"
	for _, res := range list.APIResources {
		if res.Name != name {
			continue
		}
		for _, sgv := range scale.NewScaleConverter().ScaleVersions() {
			if res.Group == sgv.Group && res.Version == sgv.Version && res.Kind == "Scale" {
				return true, nil
			}
		}
	}
	return false, nil
}
