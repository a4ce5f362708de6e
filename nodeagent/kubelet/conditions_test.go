package kubelet

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func running(name string, ready bool) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, Ready: ready, Started: ptr.To(true), ContainerID: "containerd://" + name,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func exited(name string, code int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, Ready: code == 0, ContainerID: "containerd://" + name,
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}}
}

func waiting(name, reason string, lastExit *int32) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
	if lastExit != nil {
		cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: *lastExit}
	}
	return cs
}

func specPod(policy corev1.RestartPolicy, inits []corev1.Container, names ...string) *corev1.Pod {
	pod := &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: policy, InitContainers: inits}}
	for _, n := range names {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: n})
	}
	return pod
}

var sidecar = corev1.Container{Name: "side", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)}

func TestPodPhase(t *testing.T) {
	one := int32(1)
	tests := []struct {
		name        string
		pod         *corev1.Pod
		init, main  []corev1.ContainerStatus
		terminal    bool
		initialized bool
		want        corev1.PodPhase
	}{
		{"creating", specPod(corev1.RestartPolicyAlways, nil, "a"), nil, []corev1.ContainerStatus{waiting("a", "ContainerCreating", nil)}, false, true, corev1.PodPending},
		{"running", specPod(corev1.RestartPolicyAlways, nil, "a", "b"), nil, []corev1.ContainerStatus{running("a", true), exited("b", 0)}, false, true, corev1.PodRunning},
		{"unknown container", specPod(corev1.RestartPolicyAlways, nil, "a", "b"), nil, []corev1.ContainerStatus{running("a", true)}, false, true, corev1.PodPending},
		{"never: succeeded", specPod(corev1.RestartPolicyNever, nil, "a"), nil, []corev1.ContainerStatus{exited("a", 0)}, false, true, corev1.PodSucceeded},
		{"never: failed", specPod(corev1.RestartPolicyNever, nil, "a", "b"), nil, []corev1.ContainerStatus{exited("a", 0), exited("b", 2)}, false, true, corev1.PodFailed},
		{"onfailure: restarting", specPod(corev1.RestartPolicyOnFailure, nil, "a"), nil, []corev1.ContainerStatus{exited("a", 2)}, false, true, corev1.PodRunning},
		{"onfailure: succeeded", specPod(corev1.RestartPolicyOnFailure, nil, "a"), nil, []corev1.ContainerStatus{exited("a", 0)}, false, true, corev1.PodSucceeded},
		{"always: crash loop is running", specPod(corev1.RestartPolicyAlways, nil, "a"), nil, []corev1.ContainerStatus{waiting("a", "CrashLoopBackOff", &one)}, false, true, corev1.PodRunning},
		{"always: all exited is running", specPod(corev1.RestartPolicyAlways, nil, "a"), nil, []corev1.ContainerStatus{exited("a", 0)}, false, true, corev1.PodRunning},
		{"always: terminal after deletion", specPod(corev1.RestartPolicyAlways, nil, "a"), nil, []corev1.ContainerStatus{exited("a", 137)}, true, true, corev1.PodFailed},
		{"terminal success", specPod(corev1.RestartPolicyAlways, nil, "a"), nil, []corev1.ContainerStatus{exited("a", 0)}, true, true, corev1.PodSucceeded},
		{"init running", specPod(corev1.RestartPolicyAlways, []corev1.Container{{Name: "i"}}, "a"),
			[]corev1.ContainerStatus{running("i", false)}, []corev1.ContainerStatus{waiting("a", "PodInitializing", nil)}, false, false, corev1.PodPending},
		{"init failed, never", specPod(corev1.RestartPolicyNever, []corev1.Container{{Name: "i"}}, "a"),
			[]corev1.ContainerStatus{exited("i", 1)}, []corev1.ContainerStatus{waiting("a", "PodInitializing", nil)}, false, false, corev1.PodFailed},
		{"init failed, always retries", specPod(corev1.RestartPolicyAlways, []corev1.Container{{Name: "i"}}, "a"),
			[]corev1.ContainerStatus{exited("i", 1)}, []corev1.ContainerStatus{waiting("a", "PodInitializing", nil)}, false, false, corev1.PodPending},
		{"sidecar not started", specPod(corev1.RestartPolicyAlways, []corev1.Container{sidecar}, "a"),
			[]corev1.ContainerStatus{{Name: "side", Started: ptr.To(false), State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}},
			[]corev1.ContainerStatus{waiting("a", "PodInitializing", nil)}, false, false, corev1.PodPending},
		{"sidecar with job done", specPod(corev1.RestartPolicyNever, []corev1.Container{sidecar}, "a"),
			[]corev1.ContainerStatus{running("side", true)}, []corev1.ContainerStatus{exited("a", 0)}, false, true, corev1.PodRunning},
		{"sidecar stopped, job done", specPod(corev1.RestartPolicyNever, []corev1.Container{sidecar}, "a"),
			[]corev1.ContainerStatus{exited("side", 137)}, []corev1.ContainerStatus{exited("a", 0)}, true, true, corev1.PodSucceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := podPhase(tt.pod, tt.init, tt.main, tt.terminal, tt.initialized); got != tt.want {
				t.Errorf("phase %s, want %s", got, tt.want)
			}
		})
	}
}

func TestShouldRestart(t *testing.T) {
	never := ptr.To(corev1.ContainerRestartPolicyNever)
	rules := &corev1.Container{Name: "c", RestartPolicy: never, RestartPolicyRules: []corev1.ContainerRestartRule{{
		Action:    corev1.ContainerRestartRuleActionRestart,
		ExitCodes: &corev1.ContainerRestartRuleOnExitCodes{Operator: corev1.ContainerRestartRuleOnExitCodesOpIn, Values: []int32{42}},
	}}}
	tests := []struct {
		name   string
		policy corev1.RestartPolicy
		c      *corev1.Container
		code   int32
		want   bool
	}{
		{"always", corev1.RestartPolicyAlways, &corev1.Container{}, 0, true},
		{"onfailure success", corev1.RestartPolicyOnFailure, &corev1.Container{}, 0, false},
		{"onfailure failure", corev1.RestartPolicyOnFailure, &corev1.Container{}, 1, true},
		{"never", corev1.RestartPolicyNever, &corev1.Container{}, 1, false},
		{"sidecar", corev1.RestartPolicyNever, &sidecar, 0, true},
		{"rule matches", corev1.RestartPolicyAlways, rules, 42, true},
		{"rule does not match, container Never", corev1.RestartPolicyAlways, rules, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: tt.policy}}
			if got := shouldRestart(pod, tt.c, tt.code); got != tt.want {
				t.Errorf("shouldRestart = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPodConditions(t *testing.T) {
	now := time.Unix(1000, 0)
	earlier := metav1.NewTime(time.Unix(500, 0))
	pod := specPod(corev1.RestartPolicyAlways, []corev1.Container{{Name: "i"}, sidecar}, "a", "b")
	pod.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "example.com/lb"}}
	pod.Generation = 3
	get := func(conds []corev1.PodCondition, typ corev1.PodConditionType) corev1.PodCondition {
		for _, c := range conds {
			if c.Type == typ {
				return c
			}
		}
		t.Fatalf("no %s condition", typ)
		return corev1.PodCondition{}
	}

	// Initializing: the regular init container runs.
	s := &corev1.PodStatus{Phase: corev1.PodPending,
		InitContainerStatuses: []corev1.ContainerStatus{running("i", false), waiting("side", "PodInitializing", nil)},
		ContainerStatuses:     []corev1.ContainerStatus{waiting("a", "PodInitializing", nil), waiting("b", "PodInitializing", nil)}}
	conds := podConditions(pod, &corev1.PodStatus{}, s, "", now)
	if c := get(conds, corev1.PodInitialized); c.Status != corev1.ConditionFalse || c.Reason != "ContainersNotInitialized" ||
		c.Message != "containers with incomplete status: [i side]" || c.ObservedGeneration != 3 {
		t.Errorf("Initialized %+v", c)
	}
	if c := get(conds, corev1.ContainersReady); c.Message != "containers with unready status: [side a b]" {
		t.Errorf("ContainersReady %+v", c)
	}
	if c := get(conds, corev1.PodReadyToStartContainers); c.Status != corev1.ConditionTrue {
		t.Errorf("PodReadyToStartContainers %+v", c)
	}

	// All ready, but the readiness gate's condition is missing, then False, then True.
	s = &corev1.PodStatus{Phase: corev1.PodRunning,
		InitContainerStatuses: []corev1.ContainerStatus{exited("i", 0), running("side", true)},
		ContainerStatuses:     []corev1.ContainerStatus{running("a", true), running("b", true)}}
	old := &corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: earlier}}}
	conds = podConditions(pod, old, s, "", now)
	if c := get(conds, corev1.PodInitialized); c.Status != corev1.ConditionTrue || !c.LastTransitionTime.Equal(&earlier) {
		t.Errorf("Initialized %+v", c)
	}
	if c := get(conds, corev1.ContainersReady); c.Status != corev1.ConditionTrue || c.LastTransitionTime.Unix() != 1000 {
		t.Errorf("ContainersReady %+v", c)
	}
	if c := get(conds, corev1.PodReady); c.Status != corev1.ConditionFalse || c.Reason != "ReadinessGatesNotReady" ||
		c.Message != `corresponding condition of pod readiness gate "example.com/lb" does not exist.` {
		t.Errorf("Ready %+v", c)
	}
	old.Conditions = append(old.Conditions, corev1.PodCondition{Type: "example.com/lb", Status: corev1.ConditionFalse})
	if c := get(podConditions(pod, old, s, "", now), corev1.PodReady); c.Message != `the status of pod readiness gate "example.com/lb" is not "True", but False` {
		t.Errorf("Ready %+v", c)
	}
	old.Conditions[1].Status = corev1.ConditionTrue
	if c := get(podConditions(pod, old, s, "", now), corev1.PodReady); c.Status != corev1.ConditionTrue {
		t.Errorf("Ready %+v", c)
	}
	merged := mergeForeignConditions(old.Conditions, conds)
	if merged[0].Type != "example.com/lb" || len(merged) != len(conds)+1 {
		t.Errorf("foreign conditions not kept first: %+v", merged)
	}

	// Succeeded.
	s = &corev1.PodStatus{Phase: corev1.PodSucceeded,
		InitContainerStatuses: []corev1.ContainerStatus{exited("i", 0), exited("side", 0)},
		ContainerStatuses:     []corev1.ContainerStatus{exited("a", 0), exited("b", 0)}}
	conds = podConditions(pod, &corev1.PodStatus{}, s, "pod sandbox is not ready", now)
	if c := get(conds, corev1.PodReady); c.Reason != "PodCompleted" || c.Status != corev1.ConditionFalse {
		t.Errorf("Ready %+v", c)
	}
	if c := get(conds, corev1.PodInitialized); c.Reason != "PodCompleted" || c.Status != corev1.ConditionTrue {
		t.Errorf("Initialized %+v", c)
	}
	if c := get(conds, corev1.PodReadyToStartContainers); c.Status != corev1.ConditionFalse || c.Reason != "PodSandboxNotReady" || c.Message != "pod sandbox is not ready" {
		t.Errorf("PodReadyToStartContainers %+v", c)
	}
}
