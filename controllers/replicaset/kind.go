package replicaset

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Kind adapts an owner type to the controller. The controller's logic works on apps/v1
// ReplicaSets, as upstream's does; the ReplicationController controller runs it on RCs
// converted to ReplicaSets and back.
type Kind struct {
	// GVK is the owner's kind, written into its pods' controller references.
	GVK schema.GroupVersionKind
	// Component is the source of the events (upstream's "replicaset-controller").
	Component string
	// New returns an empty owner; NewList an empty list of them.
	New     func() client.Object
	NewList func() client.ObjectList
	// ToReplicaSet views an owner as a ReplicaSet (a copy the controller may change).
	ToReplicaSet func(client.Object) *appsv1.ReplicaSet
	// SetStatus writes status into owner.
	SetStatus func(owner client.Object, status appsv1.ReplicaSetStatus)
	// TerminatingReplicas says the owner's status counts terminating pods.
	TerminatingReplicas bool
}

// ReplicaSetKind is the Kind of apps/v1 ReplicaSets.
var ReplicaSetKind = Kind{
	GVK:          appsv1.SchemeGroupVersion.WithKind("ReplicaSet"),
	Component:    "replicaset-controller",
	New:          func() client.Object { return &appsv1.ReplicaSet{} },
	NewList:      func() client.ObjectList { return &appsv1.ReplicaSetList{} },
	ToReplicaSet: func(o client.Object) *appsv1.ReplicaSet { return o.(*appsv1.ReplicaSet).DeepCopy() },
	SetStatus: func(o client.Object, s appsv1.ReplicaSetStatus) {
		o.(*appsv1.ReplicaSet).Status = *s.DeepCopy()
	},
	TerminatingReplicas: true,
}
