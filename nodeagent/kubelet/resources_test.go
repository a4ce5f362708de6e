package kubelet

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func res(req, lim map[string]string) corev1.ResourceRequirements {
	r := corev1.ResourceRequirements{}
	for k, v := range req {
		if r.Requests == nil {
			r.Requests = corev1.ResourceList{}
		}
		r.Requests[corev1.ResourceName(k)] = resource.MustParse(v)
	}
	for k, v := range lim {
		if r.Limits == nil {
			r.Limits = corev1.ResourceList{}
		}
		r.Limits[corev1.ResourceName(k)] = resource.MustParse(v)
	}
	return r
}

func podWith(rs ...corev1.ResourceRequirements) *corev1.Pod {
	pod := &corev1.Pod{}
	for _, r := range rs {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "c", Resources: r})
	}
	return pod
}

func TestPodQOS(t *testing.T) {
	full := map[string]string{"cpu": "1", "memory": "1Gi"}
	tests := []struct {
		name string
		pod  *corev1.Pod
		want corev1.PodQOSClass
	}{
		{"nothing", podWith(corev1.ResourceRequirements{}), corev1.PodQOSBestEffort},
		{"requests equal limits", podWith(res(full, full)), corev1.PodQOSGuaranteed},
		{"limits only count as requests missing", podWith(res(nil, full)), corev1.PodQOSBurstable},
		{"request below limit", podWith(res(map[string]string{"cpu": "500m", "memory": "1Gi"}, full)), corev1.PodQOSBurstable},
		{"memory only", podWith(res(map[string]string{"memory": "1Gi"}, map[string]string{"memory": "1Gi"})), corev1.PodQOSBurstable},
		{"one container without", podWith(res(full, full), corev1.ResourceRequirements{}), corev1.PodQOSBurstable},
		{"other resources ignored", podWith(res(map[string]string{"ephemeral-storage": "1Gi"}, nil)), corev1.PodQOSBestEffort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := podQOS(tt.pod); got != tt.want {
				t.Errorf("podQOS = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestContainerResources(t *testing.T) {
	const gi = int64(1 << 30)
	tests := []struct {
		name                         string
		pod                          *corev1.Pod
		shares, quota, period, limit int64
		oom                          int64
	}{
		{"best effort", podWith(corev1.ResourceRequirements{}), 2, 0, 0, 0, 1000},
		{"guaranteed", podWith(res(map[string]string{"cpu": "250m", "memory": "256Mi"}, map[string]string{"cpu": "250m", "memory": "256Mi"})),
			256, 25000, 100000, 256 << 20, -997},
		{"limit only sets shares", podWith(res(nil, map[string]string{"cpu": "2"})), 2048, 200000, 100000, 0, 999},
		{"tiny limit has minimum quota", podWith(res(map[string]string{"cpu": "1m"}, map[string]string{"cpu": "1m"})), 2, 1000, 100000, 0, 999},
		{"burstable memory request", podWith(res(map[string]string{"memory": "512Mi"}, nil)), 2, 0, 0, 0, 500},
		{"burstable huge request floors at 3", podWith(res(map[string]string{"memory": "2Gi"}, nil)), 2, 0, 0, 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := containerResources(tt.pod, &tt.pod.Spec.Containers[0], gi)
			if r.CpuShares != tt.shares || r.CpuQuota != tt.quota || r.CpuPeriod != tt.period || r.MemoryLimitInBytes != tt.limit || r.OomScoreAdj != tt.oom {
				t.Errorf("got shares %d quota %d period %d memory %d oom %d", r.CpuShares, r.CpuQuota, r.CpuPeriod, r.MemoryLimitInBytes, r.OomScoreAdj)
			}
		})
	}
}

func TestMilliCPUToShares(t *testing.T) {
	for in, want := range map[int64]int64{0: 2, 1: 2, 100: 102, 1000: 1024, 1 << 30: 262144} {
		if got := milliCPUToShares(in); got != want {
			t.Errorf("milliCPUToShares(%d) = %d, want %d", in, got, want)
		}
	}
}
