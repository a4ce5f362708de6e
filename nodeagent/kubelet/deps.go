package kubelet

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// VolumeManager makes a pod's volumes exist on the host (nodeagent/volumes.Manager).
type VolumeManager interface {
	// SetUp makes every volume of pod exist on the host, idempotently; called on every sync, so
	// configMap/secret/projected/downwardAPI contents that changed are rewritten (atomically).
	SetUp(ctx context.Context, pod *corev1.Pod) error
	// Mounts are the CRI mounts of container c (volumeMounts incl. subPath, subPathExpr expanded
	// with env, readOnly, propagation). The kubelet adds /etc/hosts and the termination log itself.
	Mounts(pod *corev1.Pod, c *corev1.Container, env map[string]string) ([]*runtimeapi.Mount, error)
	// TearDown removes the pod's volumes (unmounts tmpfs) once its containers are gone.
	TearDown(ctx context.Context, podUID types.UID) error
}

// EnvResolver computes a container's environment (nodeagent/envvars.Resolver).
type EnvResolver interface {
	// Env is container c's environment in order: service links (when enableServiceLinks),
	// envFrom, env (value with $(VAR) expansion, valueFrom configMapKeyRef/secretKeyRef/fieldRef/
	// resourceFieldRef); errors for missing non-optional refs as upstream words them.
	Env(ctx context.Context, pod *corev1.Pod, c *corev1.Container, podIP string, podIPs []string) ([]*runtimeapi.KeyValue, error)
}

// ProbeFailure is a container that failed its liveness or startup probe beyond the threshold.
type ProbeFailure struct {
	Pod       types.UID
	Container string
	// Probe is "Liveness" or "Startup".
	Probe   string
	Message string
}

// ProbeManager runs the pods' probes (nodeagent/prober.Manager).
type ProbeManager interface {
	// AddPod starts probe workers for pod's containers (liveness, readiness, startup);
	// RemovePod stops them. Idempotent.
	AddPod(pod *corev1.Pod)
	RemovePod(pod *corev1.Pod)
	// UpdatePodStatus sets Ready and Started on status's container statuses from probe results
	// (no readiness probe: ready once running; no startup probe: started once running).
	UpdatePodStatus(pod *corev1.Pod, status *corev1.PodStatus)
	// LivenessFailures delivers containers that failed liveness or startup beyond the
	// threshold; the kubelet then kills and restarts them.
	LivenessFailures() <-chan ProbeFailure
}

// HookRunner runs postStart/preStop handlers (exec via CRI ExecSync, httpGet, sleep)
// (nodeagent/prober.HookRunner). It returns an error message as upstream's
// FailedPostStartHook/FailedPreStopHook events word it.
type HookRunner interface {
	Run(ctx context.Context, pod *corev1.Pod, c *corev1.Container, containerID string, h *corev1.LifecycleHandler) (string, error)
}
