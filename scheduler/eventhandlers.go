package scheduler

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/internal/queue"
)

func assigned(p *corev1.Pod) bool { return p.Spec.NodeName != "" }

func (s *Scheduler) responsibleFor(p *corev1.Pod) bool {
	_, ok := s.profiles[p.Spec.SchedulerName]
	return ok
}

func asPod(obj any) (*corev1.Pod, bool) {
	switch t := obj.(type) {
	case *corev1.Pod:
		return t, true
	case cache.DeletedFinalStateUnknown:
		p, ok := t.Obj.(*corev1.Pod)
		return p, ok
	}
	return nil, false
}

func asNode(obj any) (*corev1.Node, bool) {
	switch t := obj.(type) {
	case *corev1.Node:
		return t, true
	case cache.DeletedFinalStateUnknown:
		n, ok := t.Obj.(*corev1.Node)
		return n, ok
	}
	return nil, false
}

// addEventHandlers wires informers to the cache and queue, as upstream: bound pods feed the
// cache, pending pods of our profiles feed the queue, and nodes and other resources plugins
// registered for move unschedulable pods.
func (s *Scheduler) addEventHandlers() error {
	logger := klog.Background()
	pods := s.informers.Core().V1().Pods().Informer()
	if _, err := pods.AddEventHandler(cache.FilteringResourceEventHandler{
		FilterFunc: func(obj any) bool { p, ok := asPod(obj); return ok && assigned(p) },
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { s.addAssignedPod(logger, obj.(*corev1.Pod)) },
			UpdateFunc: func(o, n any) { s.updateAssignedPod(logger, o.(*corev1.Pod), n.(*corev1.Pod)) },
			DeleteFunc: func(obj any) {
				if p, ok := asPod(obj); ok {
					s.deleteAssignedPod(logger, p)
				}
			},
		},
	}); err != nil {
		return err
	}
	if _, err := pods.AddEventHandler(cache.FilteringResourceEventHandler{
		FilterFunc: func(obj any) bool { p, ok := asPod(obj); return ok && !assigned(p) && s.responsibleFor(p) },
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { s.queue.Add(logger, obj.(*corev1.Pod)) },
			UpdateFunc: func(o, n any) { s.updatePendingPod(logger, o.(*corev1.Pod), n.(*corev1.Pod)) },
			DeleteFunc: func(obj any) {
				if p, ok := asPod(obj); ok {
					s.deletePendingPod(logger, p)
				}
			},
		},
	}); err != nil {
		return err
	}
	if _, err := s.informers.Core().V1().Nodes().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			n := obj.(*corev1.Node)
			s.cache.AddNode(logger, n)
			s.queue.MoveAllToActiveOrBackoffQueue(logger, fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add}, nil, n)
		},
		UpdateFunc: func(o, n any) {
			oldNode, newNode := o.(*corev1.Node), n.(*corev1.Node)
			s.cache.UpdateNode(logger, oldNode, newNode)
			for _, e := range queue.NodeUpdateEvents(newNode, oldNode) {
				s.queue.MoveAllToActiveOrBackoffQueue(logger, e, oldNode, newNode)
			}
		},
		DeleteFunc: func(obj any) {
			if n, ok := asNode(obj); ok {
				s.cache.RemoveNode(logger, n)
				s.queue.MoveAllToActiveOrBackoffQueue(logger, fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Delete}, n, nil)
			}
		},
	}); err != nil {
		return err
	}
	return s.addOtherHandlers(logger)
}

func (s *Scheduler) addAssignedPod(logger klog.Logger, p *corev1.Pod) {
	if err := s.cache.AddPod(logger, p); err != nil {
		logger.Error(err, "Scheduler cache AddPod failed", "pod", klog.KObj(p))
	}
	s.queue.MoveAllToActiveOrBackoffQueue(logger, fwk.ClusterEvent{Resource: fwk.AssignedPod, ActionType: fwk.Add}, nil, p)
}

func (s *Scheduler) updateAssignedPod(logger klog.Logger, oldPod, newPod *corev1.Pod) {
	if err := s.cache.UpdatePod(logger, oldPod, newPod); err != nil {
		logger.Error(err, "Scheduler cache UpdatePod failed", "pod", klog.KObj(oldPod))
	}
	for _, e := range queue.PodUpdateEvents(newPod, oldPod, false) {
		s.queue.MoveAllToActiveOrBackoffQueue(logger, e, oldPod, newPod)
	}
}

func (s *Scheduler) deleteAssignedPod(logger klog.Logger, p *corev1.Pod) {
	if err := s.cache.RemovePod(logger, p); err != nil {
		logger.Error(err, "Scheduler cache RemovePod failed", "pod", klog.KObj(p))
	}
	s.queue.MoveAllToActiveOrBackoffQueue(logger, queue.EventAssignedPodDelete, p, nil)
}

func (s *Scheduler) updatePendingPod(logger klog.Logger, oldPod, newPod *corev1.Pod) {
	if oldPod.ResourceVersion == newPod.ResourceVersion {
		return
	}
	if s.cache.IsAssumedPod(newPod) {
		return
	}
	s.queue.Update(logger, oldPod, newPod)
	for _, e := range queue.PodUpdateEvents(newPod, oldPod, false) {
		s.queue.MoveAllToActiveOrBackoffQueue(logger, e, oldPod, newPod)
	}
}

func (s *Scheduler) deletePendingPod(logger klog.Logger, p *corev1.Pod) {
	s.queue.Delete(p)
	for _, fw := range s.profiles {
		// A pod waiting at Permit is rejected so its binding cycle ends.
		if wp := fw.GetWaitingPod(p.UID); wp != nil {
			wp.Reject("", "removed")
		}
	}
	s.queue.MoveAllToActiveOrBackoffQueue(logger, fwk.ClusterEvent{Resource: fwk.UnscheduledPod, ActionType: fwk.Delete}, p, nil)
}

// addOtherHandlers watches the other resources plugins registered events for.
func (s *Scheduler) addOtherHandlers(logger klog.Logger) error {
	wanted := map[fwk.EventResource]bool{}
	for _, e := range s.queue.RegisteredEvents() {
		wanted[e.Resource] = true
	}
	f := s.informers
	informers := map[fwk.EventResource]func() cache.SharedIndexInformer{
		fwk.PersistentVolume:      func() cache.SharedIndexInformer { return f.Core().V1().PersistentVolumes().Informer() },
		fwk.PersistentVolumeClaim: func() cache.SharedIndexInformer { return f.Core().V1().PersistentVolumeClaims().Informer() },
		fwk.StorageClass:          func() cache.SharedIndexInformer { return f.Storage().V1().StorageClasses().Informer() },
		fwk.CSINode:               func() cache.SharedIndexInformer { return f.Storage().V1().CSINodes().Informer() },
		fwk.CSIDriver:             func() cache.SharedIndexInformer { return f.Storage().V1().CSIDrivers().Informer() },
		fwk.CSIStorageCapacity:    func() cache.SharedIndexInformer { return f.Storage().V1().CSIStorageCapacities().Informer() },
		fwk.VolumeAttachment:      func() cache.SharedIndexInformer { return f.Storage().V1().VolumeAttachments().Informer() },
	}
	for res, informer := range informers {
		if !wanted[res] && !wanted[fwk.WildCard] {
			continue
		}
		move := func(a fwk.ActionType, o, n any) {
			s.queue.MoveAllToActiveOrBackoffQueue(logger, fwk.ClusterEvent{Resource: res, ActionType: a}, o, n)
		}
		if _, err := informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { move(fwk.Add, nil, obj) },
			UpdateFunc: func(o, n any) { move(fwk.Update, o, n) },
			DeleteFunc: func(obj any) {
				if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
					obj = d.Obj
				}
				move(fwk.Delete, obj, nil)
			},
		}); err != nil {
			return fmt.Errorf("watching %s: %w", res, err)
		}
	}
	return nil
}
