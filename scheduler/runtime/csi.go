package runtime

import (
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	fwk "k8s.io/kube-scheduler/framework"
)

// csiManager serves CSINodes from an informer; it implements framework.CSIManager.
type csiManager struct{ lister storagelisters.CSINodeLister }

func newCSIManager(f informers.SharedInformerFactory) fwk.CSIManager {
	return csiManager{lister: f.Storage().V1().CSINodes().Lister()}
}

func (m csiManager) CSINodes() fwk.CSINodeLister { return m }

func (m csiManager) List() ([]*storagev1.CSINode, error) { return m.lister.List(labels.Everything()) }

func (m csiManager) Get(name string) (*storagev1.CSINode, error) { return m.lister.Get(name) }
