package rootcacert

import (
	"context"
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Reconcile creates the namespace's kube-root-ca.crt ConfigMap or puts back its data and
// description.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ns := req.Name
	var cm corev1.ConfigMap
	err := r.ConfigMaps.Get(ctx, types.NamespacedName{Namespace: ns, Name: ConfigMapName}, &cm)
	switch {
	case apierrors.IsNotFound(err):
		err := r.Client.Create(ctx, r.desired(ns))
		// The namespace is gone or going: nothing to publish.
		if err == nil || apierrors.IsNotFound(err) || apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, fmt.Errorf("creating %s/%s: %w", ns, ConfigMapName, err)
	case err != nil:
		return reconcile.Result{}, fmt.Errorf("getting %s/%s: %w", ns, ConfigMapName, err)
	}
	updated, changed := r.restore(&cm)
	if !changed {
		return reconcile.Result{}, nil
	}
	if err := r.Client.Update(ctx, updated); err != nil {
		return reconcile.Result{}, fmt.Errorf("updating %s/%s: %w", ns, ConfigMapName, err)
	}
	log.FromContext(ctx).V(2).Info("Restored the root CA ConfigMap", "namespace", ns)
	return reconcile.Result{}, nil
}

func (r *Reconciler) data() map[string]string { return map[string]string{DataKey: string(r.RootCA)} }

func (r *Reconciler) desired(ns string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, Name: ConfigMapName,
			Annotations: map[string]string{DescriptionAnnotation: Description},
		},
		Data: r.data(),
	}
}

// restore returns cm with exactly the root CA as data and a description annotation (other
// annotations, labels and binaryData kept, as upstream), and whether that changed anything.
// A description of its own is left alone as long as the data is right.
func (r *Reconciler) restore(cm *corev1.ConfigMap) (*corev1.ConfigMap, bool) {
	data := r.data()
	if maps.Equal(cm.Data, data) && cm.Annotations[DescriptionAnnotation] != "" {
		return cm, false
	}
	cm = cm.DeepCopy()
	cm.Data = data
	if cm.Annotations == nil {
		cm.Annotations = map[string]string{}
	}
	cm.Annotations[DescriptionAnnotation] = Description
	return cm, true
}
