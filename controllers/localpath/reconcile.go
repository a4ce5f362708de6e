package localpath

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

const (
	annProvisionedBy          = "pv.kubernetes.io/provisioned-by"
	annStorageProvisioner     = "volume.kubernetes.io/storage-provisioner"
	annBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner"
	annSelectedNode           = "volume.kubernetes.io/selected-node"
)

// Reconciler provisions volumes for claims handed to Provisioner and deletes its released
// volumes whose policy is Delete.
type Reconciler struct {
	client   client.Client
	reader   client.Reader
	recorder record.EventRecorder
	dir      string
}

// Reconcile handles one claim (namespaced key) or one volume.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if req.Namespace == "" {
		return reconcile.Result{}, r.reconcileVolume(ctx, req.Name)
	}
	claim := &corev1.PersistentVolumeClaim{}
	if err := r.client.Get(ctx, req.NamespacedName, claim); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	class, ok, err := r.shouldProvision(ctx, claim)
	if err != nil || !ok {
		return reconcile.Result{}, err
	}
	return reconcile.Result{}, r.provision(ctx, claim, class)
}

// shouldProvision says whether the claim waits for a volume from this provisioner: handed to
// it by the binder, unbound, and (for WaitForFirstConsumer) placed on a node by the scheduler.
func (r *Reconciler) shouldProvision(ctx context.Context, claim *corev1.PersistentVolumeClaim) (*storagev1.StorageClass, bool, error) {
	if claim.Spec.VolumeName != "" || claim.DeletionTimestamp != nil {
		return nil, false, nil
	}
	p := claim.Annotations[annStorageProvisioner]
	if p == "" {
		p = claim.Annotations[annBetaStorageProvisioner]
	}
	if p != Provisioner || claim.Spec.StorageClassName == nil {
		return nil, false, nil
	}
	class := &storagev1.StorageClass{}
	if err := r.client.Get(ctx, types.NamespacedName{Name: *claim.Spec.StorageClassName}, class); err != nil {
		return nil, false, client.IgnoreNotFound(err)
	}
	if class.Provisioner != Provisioner {
		return nil, false, nil
	}
	waits := class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
	if _, selected := claim.Annotations[annSelectedNode]; waits && !selected {
		return nil, false, nil
	}
	// A volume made before (the claim's cache may lag the binding) is not made again.
	err := r.reader.Get(ctx, types.NamespacedName{Name: volumeName(claim)}, &corev1.PersistentVolume{})
	if err == nil {
		return nil, false, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, false, err
	}
	return class, true, nil
}

// provision makes the claim's volume on the selected node (or one picked for Immediate
// classes). The directory itself is made by the node agent (hostPath DirectoryOrCreate).
func (r *Reconciler) provision(ctx context.Context, claim *corev1.PersistentVolumeClaim, class *storagev1.StorageClass) error {
	r.recorder.Event(claim, corev1.EventTypeNormal, "Provisioning", fmt.Sprintf("External provisioner is provisioning volume for claim %q", claim.Namespace+"/"+claim.Name))
	node, err := r.node(ctx, claim)
	if err == nil {
		var v *corev1.PersistentVolume
		if v, err = buildVolume(claim, class, node, r.dir); err == nil {
			err = r.client.Create(ctx, v)
			if apierrors.IsAlreadyExists(err) {
				return nil
			}
		}
	}
	if err != nil {
		r.recorder.Event(claim, corev1.EventTypeWarning, "ProvisioningFailed", fmt.Sprintf("failed to provision volume with StorageClass %q: %v", class.Name, err))
		return err
	}
	log.FromContext(ctx).Info("Provisioned volume", "volumeName", volumeName(claim), "node", node.Name)
	r.recorder.Event(claim, corev1.EventTypeNormal, "ProvisioningSucceeded", "Successfully provisioned volume "+volumeName(claim))
	return nil
}

// node returns the node the claim's volume goes on: the scheduler's choice, else one picked.
func (r *Reconciler) node(ctx context.Context, claim *corev1.PersistentVolumeClaim) (*corev1.Node, error) {
	if name, ok := claim.Annotations[annSelectedNode]; ok {
		node := &corev1.Node{}
		if err := r.client.Get(ctx, types.NamespacedName{Name: name}, node); err != nil {
			return nil, fmt.Errorf("getting the selected node %q: %w", name, err)
		}
		return node, nil
	}
	nodes := &corev1.NodeList{}
	if err := r.client.List(ctx, nodes); err != nil {
		return nil, err
	}
	volumes := &corev1.PersistentVolumeList{}
	if err := r.client.List(ctx, volumes); err != nil {
		return nil, err
	}
	node := pickNode(nodes.Items, volumes.Items)
	if node == nil {
		return nil, fmt.Errorf("no Ready schedulable node to put the volume on")
	}
	return node, nil
}

// reconcileVolume deletes a released volume of this provisioner whose policy is Delete. Its
// directory on the node is left (the node agent's to clean).
func (r *Reconciler) reconcileVolume(ctx context.Context, name string) error {
	v := &corev1.PersistentVolume{}
	if err := r.client.Get(ctx, types.NamespacedName{Name: name}, v); err != nil {
		return client.IgnoreNotFound(err)
	}
	if v.Annotations[annProvisionedBy] != Provisioner || v.DeletionTimestamp != nil ||
		v.Status.Phase != corev1.VolumeReleased || v.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
		return nil
	}
	if err := r.client.Delete(ctx, v); err != nil && !apierrors.IsNotFound(err) {
		r.recorder.Event(v, corev1.EventTypeWarning, "VolumeFailedDelete", err.Error())
		return fmt.Errorf("deleting volume %s: %w", name, err)
	}
	log.FromContext(ctx).Info("Deleted released volume", "volumeName", name)
	return nil
}
