package cri

// Labels and annotations the kubelet puts on CRI sandboxes and containers. They are upstream's
// names (pkg/kubelet/types/labels.go, pkg/kubelet/kuberuntime/labels.go), so that crictl, log
// collectors and people reading `crictl ps` see what they would see on a kubelet's node, and so
// that every part of the node agent (pod sync, logs, exec, stats, adoption after a restart) finds
// a pod's sandbox and containers the same way.
const (
	LabelPodName       = "io.kubernetes.pod.name"
	LabelPodNamespace  = "io.kubernetes.pod.namespace"
	LabelPodUID        = "io.kubernetes.pod.uid"
	LabelContainerName = "io.kubernetes.container.name"
	// LabelContainerType is "init", "ephemeral" or absent for regular containers (sidecars are
	// init containers).
	LabelContainerType = "io.kubernetes.container.type"

	AnnotationContainerHash            = "io.kubernetes.container.hash"
	AnnotationContainerRestartCount    = "io.kubernetes.container.restartCount"
	AnnotationTerminationMessagePath   = "io.kubernetes.container.terminationMessagePath"
	AnnotationTerminationMessagePolicy = "io.kubernetes.container.terminationMessagePolicy"
	AnnotationPreStopHandler           = "io.kubernetes.container.preStopHandler"
	AnnotationContainerPorts           = "io.kubernetes.container.ports"
	AnnotationPodDeletionGracePeriod   = "io.kubernetes.pod.deletionGracePeriod"
	AnnotationPodTerminationGrace      = "io.kubernetes.pod.terminationGracePeriod"
)

// ContainerTypeInit and ContainerTypeEphemeral are the values of LabelContainerType.
const (
	ContainerTypeInit      = "init"
	ContainerTypeEphemeral = "ephemeral"
)

// PodLabels are the labels of a pod's sandbox; a container's also carry LabelContainerName.
func PodLabels(namespace, name, uid string) map[string]string {
	return map[string]string{LabelPodNamespace: namespace, LabelPodName: name, LabelPodUID: uid}
}
