package pod

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/core/defaults"
)

func newPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", Labels: map[string]string{"app": "web", "version": "v1"}},
		Spec: corev1.PodSpec{
			Containers:                    []corev1.Container{{Name: "app", Image: "nginx"}},
			TerminationGracePeriodSeconds: ptr.To[int64](30),
		},
	}
}

func TestPrepareForCreate(t *testing.T) {
	pod := newPod()
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "1.2.3.4"}
	pod.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/wait"}}
	pod.Spec.SchedulingGroup = &corev1.PodSchedulingGroup{PodGroupName: ptr.To("g")}
	pod.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule,
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, MatchLabelKeys: []string{"version"},
	}}
	defaults.SetObjectDefaults_Pod(pod)
	Strategy.PrepareForCreate(context.Background(), pod)
	if pod.Status.Phase != corev1.PodPending || pod.Status.PodIP != "" || pod.Status.QOSClass != corev1.PodQOSBestEffort || pod.Generation != 1 {
		t.Errorf("status %+v generation %d", pod.Status, pod.Generation)
	}
	if len(pod.Status.Conditions) != 1 || pod.Status.Conditions[0].Reason != corev1.PodReasonSchedulingGated {
		t.Errorf("conditions %+v", pod.Status.Conditions)
	}
	if pod.Spec.SchedulingGroup != nil {
		t.Error("schedulingGroup (GenericWorkload, off) must be dropped")
	}
	exprs := pod.Spec.TopologySpreadConstraints[0].LabelSelector.MatchExpressions
	if len(exprs) != 1 || exprs[0].Key != "version" || exprs[0].Values[0] != "v1" {
		t.Errorf("matchLabelKeys not merged: %+v", exprs)
	}
	if errs := Validate(pod); len(errs) != 0 {
		t.Errorf("validate: %v", errs)
	}
}

func TestPrepareForUpdate(t *testing.T) {
	old := newPod()
	old.Generation, old.ResourceVersion = 1, "5"
	old.Status.Phase = corev1.PodRunning
	old.Spec.Resources = &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}}
	pod := old.DeepCopy()
	pod.Spec.Resources = nil
	pod.Status.Phase = corev1.PodFailed
	Strategy.PrepareForUpdate(context.Background(), pod, old)
	if pod.Status.Phase != corev1.PodRunning || pod.Spec.Resources == nil || pod.Generation != 1 {
		t.Errorf("phase %s resources %v generation %d", pod.Status.Phase, pod.Spec.Resources, pod.Generation)
	}
	pod.Spec.Containers[0].Image = "nginx:2"
	Strategy.PrepareForUpdate(context.Background(), pod, old)
	if pod.Generation != 2 {
		t.Errorf("generation after spec change %d", pod.Generation)
	}
}

func TestStatusPrepareForUpdate(t *testing.T) {
	old := newPod()
	old.Status = corev1.PodStatus{Phase: corev1.PodPending, QOSClass: corev1.PodQOSBestEffort, ObservedGeneration: 3,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, ObservedGeneration: 3}}}
	old.OwnerReferences = []metav1.OwnerReference{{Name: "rs", UID: "1"}}
	pod := old.DeepCopy()
	pod.Spec.NodeName = "n"
	pod.Labels["new"] = "label"
	pod.OwnerReferences = nil
	pod.DeletionTimestamp = &metav1.Time{}
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}
	StatusStrategy.PrepareForUpdate(context.Background(), pod, old)
	if pod.Spec.NodeName != "" || pod.OwnerReferences == nil || pod.DeletionTimestamp != nil || pod.Labels["new"] != "label" {
		t.Errorf("status write changed more than status: %+v", pod.ObjectMeta)
	}
	if pod.Status.Phase != corev1.PodRunning || pod.Status.QOSClass != corev1.PodQOSBestEffort || pod.Status.ObservedGeneration != 3 || pod.Status.Conditions[0].ObservedGeneration != 3 {
		t.Errorf("status %+v", pod.Status)
	}
}

func TestEphemeralContainersPrepareForUpdate(t *testing.T) {
	old := newPod()
	old.Generation = 1
	pod := old.DeepCopy()
	pod.Spec.Containers[0].Image = "changed"
	pod.Labels["x"] = "y"
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", Image: "busybox"}}}
	EphemeralContainersStrategy.PrepareForUpdate(context.Background(), pod, old)
	if pod.Spec.Containers[0].Image != "nginx" || pod.Labels["x"] != "" || len(pod.Spec.EphemeralContainers) != 1 || pod.Generation != 2 {
		t.Errorf("pod after ephemeral update: %+v", pod)
	}
}

func TestCheckGracefulDelete(t *testing.T) {
	cases := []struct {
		name    string
		node    string
		phase   corev1.PodPhase
		grace   *int64
		options *int64
		want    int64
	}{
		{"unscheduled", "", corev1.PodPending, ptr.To[int64](30), nil, 0},
		{"scheduled uses the spec", "n", corev1.PodRunning, ptr.To[int64](30), nil, 30},
		{"scheduled uses the request", "n", corev1.PodRunning, ptr.To[int64](30), ptr.To[int64](5), 5},
		{"request of 0", "n", corev1.PodRunning, ptr.To[int64](30), ptr.To[int64](0), 0},
		{"succeeded", "n", corev1.PodSucceeded, ptr.To[int64](30), nil, 0},
		{"failed", "n", corev1.PodFailed, ptr.To[int64](30), ptr.To[int64](10), 0},
		{"negative", "n", corev1.PodRunning, ptr.To[int64](-1), nil, 1},
		{"no spec value", "n", corev1.PodRunning, nil, nil, 0},
	}
	for _, tc := range cases {
		pod := newPod()
		pod.Spec.NodeName, pod.Status.Phase, pod.Spec.TerminationGracePeriodSeconds = tc.node, tc.phase, tc.grace
		opts := &metav1.DeleteOptions{GracePeriodSeconds: tc.options}
		if !Strategy.CheckGracefulDelete(context.Background(), pod, opts) || *opts.GracePeriodSeconds != tc.want {
			t.Errorf("%s: grace %v, want %d", tc.name, opts.GracePeriodSeconds, tc.want)
		}
	}
	if Strategy.CheckGracefulDelete(context.Background(), newPod(), nil) {
		t.Error("nil options")
	}
}

func TestComputeQOS(t *testing.T) {
	rl := func(cpu, mem string) corev1.ResourceList {
		l := corev1.ResourceList{}
		if cpu != "" {
			l[corev1.ResourceCPU] = resource.MustParse(cpu)
		}
		if mem != "" {
			l[corev1.ResourceMemory] = resource.MustParse(mem)
		}
		return l
	}
	cases := []struct {
		name       string
		containers []corev1.ResourceRequirements
		init       []corev1.ResourceRequirements
		podLevel   *corev1.ResourceRequirements
		want       corev1.PodQOSClass
	}{
		{"none", []corev1.ResourceRequirements{{}}, nil, nil, corev1.PodQOSBestEffort},
		{"guaranteed", []corev1.ResourceRequirements{{Requests: rl("1", "1Gi"), Limits: rl("1", "1Gi")}}, nil, nil, corev1.PodQOSGuaranteed},
		{"cpu only", []corev1.ResourceRequirements{{Requests: rl("1", ""), Limits: rl("1", "")}}, nil, nil, corev1.PodQOSBurstable},
		{"requests below limits", []corev1.ResourceRequirements{{Requests: rl("500m", "1Gi"), Limits: rl("1", "1Gi")}}, nil, nil, corev1.PodQOSBurstable},
		{"mixed containers", []corev1.ResourceRequirements{{Requests: rl("1", "1Gi"), Limits: rl("1", "1Gi")}, {}}, nil, nil, corev1.PodQOSBurstable},
		{"init container counts", []corev1.ResourceRequirements{{Requests: rl("1", "1Gi"), Limits: rl("1", "1Gi")}}, []corev1.ResourceRequirements{{Requests: rl("1", "")}}, nil, corev1.PodQOSBurstable},
		{"only other resources", []corev1.ResourceRequirements{{Requests: corev1.ResourceList{corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")}}}, nil, nil, corev1.PodQOSBestEffort},
		{"pod level wins", []corev1.ResourceRequirements{{}}, nil, &corev1.ResourceRequirements{Requests: rl("1", "1Gi"), Limits: rl("1", "1Gi")}, corev1.PodQOSGuaranteed},
	}
	for _, tc := range cases {
		pod := &corev1.Pod{}
		for _, r := range tc.containers {
			pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Resources: r})
		}
		for _, r := range tc.init {
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, corev1.Container{Resources: r})
		}
		pod.Spec.Resources = tc.podLevel
		if got := ComputeQOS(pod); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestDropDisabledFields(t *testing.T) {
	spec := &corev1.PodSpec{
		Volumes:    []corev1.Volume{{Name: "d", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Mode: ptr.To[int32](0700)}}}},
		Containers: []corev1.Container{{Name: "c", VolumeMounts: []corev1.VolumeMount{{Name: "d", BindMountOptions: []string{"noexec"}}}}},
	}
	fresh := spec.DeepCopy()
	DropDisabledFields(fresh, nil)
	if fresh.Volumes[0].EmptyDir.Mode != nil || fresh.Containers[0].VolumeMounts[0].BindMountOptions != nil {
		t.Errorf("alpha fields kept on create: %+v", fresh)
	}
	kept := spec.DeepCopy()
	DropDisabledFields(kept, spec)
	if kept.Volumes[0].EmptyDir.Mode == nil || kept.Containers[0].VolumeMounts[0].BindMountOptions == nil {
		t.Errorf("alpha fields in use were dropped: %+v", kept)
	}
}

func TestSelectableFields(t *testing.T) {
	pod := newPod()
	pod.Spec.NodeName, pod.Spec.RestartPolicy, pod.Spec.HostNetwork = "n1", corev1.RestartPolicyAlways, true
	pod.Status.PodIPs = []corev1.PodIP{{IP: "10.0.0.1"}, {IP: "fd00::1"}}
	set := selectableFields(pod)
	for k, v := range map[string]string{"spec.nodeName": "n1", "spec.restartPolicy": "Always", "spec.hostNetwork": "true", "status.podIP": "10.0.0.1", "status.phase": ""} {
		if set[k] != v {
			t.Errorf("%s = %q, want %q", k, set[k], v)
		}
	}
}
