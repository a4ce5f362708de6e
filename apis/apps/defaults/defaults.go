package defaults

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// SetDefaults_Deployment defaults replicas to 1, the strategy to RollingUpdate with 25% max
// surge and unavailability, 10 kept revisions and a 600 second progress deadline.
func SetDefaults_Deployment(obj *appsv1.Deployment) {
	if obj.Spec.Replicas == nil {
		obj.Spec.Replicas = ptr.To[int32](1)
	}
	strategy := &obj.Spec.Strategy
	if strategy.Type == "" {
		strategy.Type = appsv1.RollingUpdateDeploymentStrategyType
	}
	if strategy.Type == appsv1.RollingUpdateDeploymentStrategyType {
		if strategy.RollingUpdate == nil {
			strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{}
		}
		if strategy.RollingUpdate.MaxUnavailable == nil {
			strategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromString("25%"))
		}
		if strategy.RollingUpdate.MaxSurge == nil {
			strategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromString("25%"))
		}
	}
	if obj.Spec.RevisionHistoryLimit == nil {
		obj.Spec.RevisionHistoryLimit = ptr.To[int32](10)
	}
	if obj.Spec.ProgressDeadlineSeconds == nil {
		obj.Spec.ProgressDeadlineSeconds = ptr.To[int32](600)
	}
}

// SetDefaults_ReplicaSet defaults replicas to 1.
func SetDefaults_ReplicaSet(obj *appsv1.ReplicaSet) {
	if obj.Spec.Replicas == nil {
		obj.Spec.Replicas = ptr.To[int32](1)
	}
}

// SetDefaults_StatefulSet defaults replicas to 1, OrderedReady pod management, a RollingUpdate
// strategy with partition 0 and maxUnavailable 1 (MaxUnavailableStatefulSet is on by default
// in v1.37), 10 kept revisions and a Retain/Retain PVC retention policy.
func SetDefaults_StatefulSet(obj *appsv1.StatefulSet) {
	if obj.Spec.PodManagementPolicy == "" {
		obj.Spec.PodManagementPolicy = appsv1.OrderedReadyPodManagement
	}
	update := &obj.Spec.UpdateStrategy
	if update.Type == "" {
		update.Type = appsv1.RollingUpdateStatefulSetStrategyType
		if update.RollingUpdate == nil {
			update.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{}
		}
	}
	if update.Type == appsv1.RollingUpdateStatefulSetStrategyType && update.RollingUpdate != nil {
		if update.RollingUpdate.Partition == nil {
			update.RollingUpdate.Partition = ptr.To[int32](0)
		}
		if update.RollingUpdate.MaxUnavailable == nil {
			update.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromInt32(1))
		}
	}
	if obj.Spec.PersistentVolumeClaimRetentionPolicy == nil {
		obj.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{}
	}
	policy := obj.Spec.PersistentVolumeClaimRetentionPolicy
	if policy.WhenDeleted == "" {
		policy.WhenDeleted = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	}
	if policy.WhenScaled == "" {
		policy.WhenScaled = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	}
	if obj.Spec.Replicas == nil {
		obj.Spec.Replicas = ptr.To[int32](1)
	}
	if obj.Spec.RevisionHistoryLimit == nil {
		obj.Spec.RevisionHistoryLimit = ptr.To[int32](10)
	}
	// Upstream's conversion writes apiVersion and kind into every claim template whenever it
	// returns a StatefulSet.
	for i := range obj.Spec.VolumeClaimTemplates {
		obj.Spec.VolumeClaimTemplates[i].APIVersion = "v1"
		obj.Spec.VolumeClaimTemplates[i].Kind = "PersistentVolumeClaim"
	}
}

// SetDefaults_DaemonSet defaults the update strategy to RollingUpdate with maxUnavailable 1 and
// maxSurge 0, and keeps 10 revisions. It also sets the template generation annotation to "0"
// when absent: upstream's conversion always writes it (from its internal templateGeneration),
// so the field manager records it as set by the client; the strategy then sets the real value.
func SetDefaults_DaemonSet(obj *appsv1.DaemonSet) {
	if _, ok := obj.Annotations[appsv1.DeprecatedTemplateGeneration]; !ok {
		if obj.Annotations == nil {
			obj.Annotations = map[string]string{}
		}
		obj.Annotations[appsv1.DeprecatedTemplateGeneration] = "0"
	}
	update := &obj.Spec.UpdateStrategy
	if update.Type == "" {
		update.Type = appsv1.RollingUpdateDaemonSetStrategyType
	}
	if update.Type == appsv1.RollingUpdateDaemonSetStrategyType {
		if update.RollingUpdate == nil {
			update.RollingUpdate = &appsv1.RollingUpdateDaemonSet{}
		}
		if update.RollingUpdate.MaxUnavailable == nil {
			update.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromInt32(1))
		}
		if update.RollingUpdate.MaxSurge == nil {
			update.RollingUpdate.MaxSurge = ptr.To(intstr.FromInt32(0))
		}
	}
	if obj.Spec.RevisionHistoryLimit == nil {
		obj.Spec.RevisionHistoryLimit = ptr.To[int32](10)
	}
}
