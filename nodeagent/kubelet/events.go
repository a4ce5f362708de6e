package kubelet

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// repeatWindow is how long an event a pod's syncs keep producing (a wait that lasts) is not
// recorded again; upstream's syncs of a waiting pod come about that far apart.
const repeatWindow = 10 * time.Second

// repeatedEvent records an event unless the same one was recorded for the same object within
// repeatWindow.
func (k *Kubelet) repeatedEvent(ref *corev1.ObjectReference, eventType, reason, message string) {
	key := string(ref.UID) + "/" + ref.FieldPath + "/" + reason + "/" + message
	now := k.clock.Now()
	k.mu.Lock()
	if last, ok := k.recentEvents[key]; ok && now.Sub(last) < repeatWindow {
		k.mu.Unlock()
		return
	}
	if len(k.recentEvents) > 1000 {
		for key, t := range k.recentEvents {
			if now.Sub(t) >= repeatWindow {
				delete(k.recentEvents, key)
			}
		}
	}
	k.recentEvents[key] = now
	k.mu.Unlock()
	k.recorder.Event(ref, eventType, reason, message)
}

// podRef is the reference of events about the pod itself.
func podRef(pod *corev1.Pod) *corev1.ObjectReference {
	return &corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
		ResourceVersion: pod.ResourceVersion}
}
