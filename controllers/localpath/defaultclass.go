package localpath

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

const (
	annDefaultClass     = "storageclass.kubernetes.io/is-default-class"
	annBetaDefaultClass = "storageclass.beta.kubernetes.io/is-default-class"
)

// defaultClass makes the StorageClass "standard" at start when no class is the default, as
// k3s ships local-path as its default class.
type defaultClass struct {
	client client.Client
}

// NeedLeaderElection makes it run on the leader only.
func (d *defaultClass) NeedLeaderElection() bool { return true }

// Start tries until the class exists or a default one does, then returns.
func (d *defaultClass) Start(ctx context.Context) error {
	logger := log.FromContext(ctx).WithName(Name)
	return wait.PollUntilContextCancel(ctx, 2*time.Second, true, func(ctx context.Context) (bool, error) {
		if err := d.ensure(ctx); err != nil {
			logger.Error(err, "Making the default StorageClass; will retry")
			return false, nil
		}
		return true, nil
	})
}

func (d *defaultClass) ensure(ctx context.Context) error {
	classes := &storagev1.StorageClassList{}
	if err := d.client.List(ctx, classes); err != nil {
		return fmt.Errorf("listing StorageClasses: %w", err)
	}
	for _, c := range classes.Items {
		if isDefault(&c) {
			return nil
		}
	}
	err := d.client.Create(ctx, standardClass())
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating StorageClass %s: %w", DefaultClassName, err)
	}
	log.FromContext(ctx).Info("Created the default StorageClass", "storageClass", DefaultClassName)
	return nil
}

func isDefault(c *storagev1.StorageClass) bool {
	return c.Annotations[annDefaultClass] == "true" || c.Annotations[annBetaDefaultClass] == "true"
}

// standardClass is the default class: local-path volumes made on the node the pod goes to,
// deleted with their claim.
func standardClass() *storagev1.StorageClass {
	return &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{
			Name:        DefaultClassName,
			Annotations: map[string]string{annDefaultClass: "true"},
		},
		Provisioner:       Provisioner,
		ReclaimPolicy:     ptr.To(corev1.PersistentVolumeReclaimDelete),
		VolumeBindingMode: ptr.To(storagev1.VolumeBindingWaitForFirstConsumer),
	}
}
