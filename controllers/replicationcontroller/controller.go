package replicationcontroller

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/replicaset"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "replicationcontroller"

// Kind runs the ReplicaSet controller's logic on ReplicationControllers. Their status has no
// terminatingReplicas, as upstream's.
var Kind = replicaset.Kind{
	GVK:          corev1.SchemeGroupVersion.WithKind("ReplicationController"),
	Component:    "replication-controller",
	New:          func() client.Object { return &corev1.ReplicationController{} },
	NewList:      func() client.ObjectList { return &corev1.ReplicationControllerList{} },
	ToReplicaSet: func(o client.Object) *appsv1.ReplicaSet { return ToReplicaSet(o.(*corev1.ReplicationController)) },
	SetStatus: func(o client.Object, s appsv1.ReplicaSetStatus) {
		o.(*corev1.ReplicationController).Status = FromReplicaSetStatus(s)
	},
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	return replicaset.SetupKind(mgr, cfg, Name, Kind)
}
