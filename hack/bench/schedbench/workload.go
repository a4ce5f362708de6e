package main

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// antiAffinityGroups is the number of groups of the antiaffinity workload: pods of a group
// repel each other per node, and a group holds at most half as many pods as there are nodes,
// so every pod has a choice of nodes to the end (10 nodes and 100 pods: 20 groups of 5).
func antiAffinityGroups(nodes, pods int) int {
	perGroup := max(nodes/2, 1)
	return max((pods+perGroup-1)/perGroup, 1)
}

// podFor is the i-th pod of a workload, shaped like scheduler_perf's pod-default.yaml; groups is
// antiAffinityGroups for the antiaffinity workload.
func podFor(workload string, i, groups int) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%06d", i), Labels: map[string]string{"app": "bench"}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:  "pause",
				Image: "registry.k8s.io/pause:3.10",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi"),
				}},
			}},
		},
	}
	switch workload {
	case "spread":
		pod.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
			MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone, WhenUnsatisfiable: corev1.DoNotSchedule,
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "bench"}},
		}}
	case "antiaffinity":
		group := fmt.Sprintf("g%d", i%groups)
		pod.Labels["group"] = group
		pod.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
				TopologyKey:   corev1.LabelHostname,
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"group": group}},
			}},
		}}
	}
	return pod
}
