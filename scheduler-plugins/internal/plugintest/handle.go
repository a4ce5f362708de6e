package plugintest

import (
	"context"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/workqueue"
	fwk "k8s.io/kube-scheduler/framework"
)

// Handle is a framework.Handle with the few methods plugins use at construction and in
// their extension points; the others panic (nil embedded interface).
type Handle struct {
	fwk.Handle
	Lister    fwk.SharedLister
	Informers informers.SharedInformerFactory
	Client    kubernetes.Interface
}

func (h *Handle) SnapshotSharedLister() fwk.SharedLister                 { return h.Lister }
func (h *Handle) SharedInformerFactory() informers.SharedInformerFactory { return h.Informers }
func (h *Handle) ClientSet() kubernetes.Interface                        { return h.Client }
func (h *Handle) Parallelizer() fwk.Parallelizer                         { return parallelizer{} }
func (h *Handle) APICacher() fwk.APICacher                               { return nil }
func (h *Handle) SharedDRAManager() fwk.SharedDRAManager                 { return nil }

type parallelizer struct{}

func (parallelizer) Until(ctx context.Context, pieces int, f workqueue.DoWorkPieceFunc, _ string) {
	workqueue.ParallelizeUntil(ctx, 4, pieces, f)
}
