package agent

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// podSource is the node's pods as the kubelet API finds them: those bound to the node, from an
// informer of their own.
type podSource struct {
	factory informers.SharedInformerFactory
	lister  corelisters.PodLister
	synced  cache.InformerSynced
}

func newPodSource(client kubernetes.Interface, node string) *podSource {
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", node).String()
	}))
	inf := factory.Core().V1().Pods()
	return &podSource{factory: factory, lister: inf.Lister(), synced: inf.Informer().HasSynced}
}

// run starts the informer and waits for it to sync; it stops when ctx ends.
func (s *podSource) run(ctx context.Context) error {
	s.factory.Start(ctx.Done())
	syncCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if !cache.WaitForCacheSync(syncCtx.Done(), s.synced) && ctx.Err() == nil {
		return fmt.Errorf("the node's pods did not sync within a minute")
	}
	return nil
}

// shutdown waits for the informer to stop (after ctx of run ended).
func (s *podSource) shutdown() { s.factory.Shutdown() }

// GetPodByName is kubeletserver.PodSource's.
func (s *podSource) GetPodByName(namespace, name string) (*corev1.Pod, bool) {
	p, err := s.lister.Pods(namespace).Get(name)
	if err != nil {
		return nil, false
	}
	return p, true
}

// GetPods lists the node's pods (kubeletserver.PodLister).
func (s *podSource) GetPods() []*corev1.Pod {
	pods, _ := s.lister.List(labels.Everything())
	return pods
}
