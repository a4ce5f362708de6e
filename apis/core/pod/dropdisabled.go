package pod

import (
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
)

// disabledFields clear, each, the fields of a feature that is off by default in v1.37
// (GenericWorkload, EvictionRequestAPI, GRPCContainerProbeTLS, EmptyDirVolumeMode,
// VolumeBindMountOptions, AtomicWriteVolumeUserFields).
var disabledFields = []func(*corev1.PodSpec){
	func(s *corev1.PodSpec) { s.SchedulingGroup = nil },
	func(s *corev1.PodSpec) { s.EvictionResponders = nil },
	func(s *corev1.PodSpec) {
		visitContainers(s, func(c *corev1.Container) {
			for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
				if p != nil && p.GRPC != nil {
					p.GRPC.Mode = nil
				}
			}
		})
	},
	func(s *corev1.PodSpec) {
		for i := range s.Volumes {
			if s.Volumes[i].EmptyDir != nil {
				s.Volumes[i].EmptyDir.Mode = nil
			}
		}
	},
	func(s *corev1.PodSpec) {
		visitContainers(s, func(c *corev1.Container) {
			for i := range c.VolumeMounts {
				c.VolumeMounts[i].BindMountOptions = nil
			}
		})
	},
	func(s *corev1.PodSpec) {
		for i := range s.Volumes {
			v := &s.Volumes[i].VolumeSource
			switch {
			case v.Secret != nil:
				v.Secret.DefaultUser = nil
				dropKeyToPathUsers(v.Secret.Items)
			case v.ConfigMap != nil:
				v.ConfigMap.DefaultUser = nil
				dropKeyToPathUsers(v.ConfigMap.Items)
			case v.DownwardAPI != nil:
				v.DownwardAPI.DefaultUser = nil
				for j := range v.DownwardAPI.Items {
					v.DownwardAPI.Items[j].User = nil
				}
			case v.Projected != nil:
				v.Projected.DefaultUser = nil
				for j := range v.Projected.Sources {
					src := &v.Projected.Sources[j]
					switch {
					case src.Secret != nil:
						dropKeyToPathUsers(src.Secret.Items)
					case src.DownwardAPI != nil:
						for k := range src.DownwardAPI.Items {
							src.DownwardAPI.Items[k].User = nil
						}
					case src.ConfigMap != nil:
						dropKeyToPathUsers(src.ConfigMap.Items)
					case src.ServiceAccountToken != nil:
						src.ServiceAccountToken.User = nil
					case src.ClusterTrustBundle != nil:
						src.ClusterTrustBundle.User = nil
					case src.PodCertificate != nil:
						src.PodCertificate.User = nil
					}
				}
			}
		}
	},
}

func dropKeyToPathUsers(items []corev1.KeyToPath) {
	for i := range items {
		items[i].User = nil
	}
}

func visitContainers(s *corev1.PodSpec, visit func(*corev1.Container)) {
	for i := range s.InitContainers {
		visit(&s.InitContainers[i])
	}
	for i := range s.Containers {
		visit(&s.Containers[i])
	}
	for i := range s.EphemeralContainers {
		visit((*corev1.Container)(&s.EphemeralContainers[i].EphemeralContainerCommon))
	}
}

// DropDisabledFields clears the fields of features that are off by default from spec, unless
// oldSpec (nil on create) already uses them, as upstream's DropDisabledPodFields does.
// Workload registries call it for their pod templates.
func DropDisabledFields(spec, oldSpec *corev1.PodSpec) {
	for _, drop := range disabledFields {
		if oldSpec != nil {
			dropped := oldSpec.DeepCopy()
			drop(dropped)
			if !apiequality.Semantic.DeepEqual(dropped, oldSpec) {
				continue // in use by the old object
			}
		}
		drop(spec)
	}
}
