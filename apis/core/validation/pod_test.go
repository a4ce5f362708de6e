package validation

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// validPod is a pod as it looks after defaulting.
func validPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", ResourceVersion: "1"},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "app", Image: "nginx", ImagePullPolicy: corev1.PullAlways,
				TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
				Ports:        []corev1.ContainerPort{{Name: "http", ContainerPort: 80, Protocol: corev1.ProtocolTCP}},
				VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}},
			}},
			Volumes:                       []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
			RestartPolicy:                 corev1.RestartPolicyAlways,
			DNSPolicy:                     corev1.DNSClusterFirst,
			TerminationGracePeriodSeconds: ptr.To[int64](30),
			SecurityContext:               &corev1.PodSecurityContext{},
			SchedulerName:                 corev1.DefaultSchedulerName,
		},
	}
}

func validContainer(name string) corev1.Container {
	c := validPod().Spec.Containers[0]
	c.Name, c.Ports, c.VolumeMounts = name, nil, nil
	return c
}

func probe() *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(80)}},
		TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3}
}

// hasError reports whether errs hold an error of type typ at path.
func hasError(errs field.ErrorList, typ field.ErrorType, path string) bool {
	for _, e := range errs {
		if e.Type == typ && e.Field == path {
			return true
		}
	}
	return false
}

func TestValidatePodCreate(t *testing.T) {
	if errs := ValidatePodCreate(validPod(), PodValidationOptions{ResourceIsPod: true}); len(errs) != 0 {
		t.Fatalf("valid pod: %v", errs)
	}
	c0 := "spec.containers[0]"
	cases := []struct {
		name   string
		mutate func(p *corev1.Pod)
		typ    field.ErrorType
		field  string
	}{
		{"no containers", func(p *corev1.Pod) { p.Spec.Containers = nil }, field.ErrorTypeRequired, "spec.containers"},
		{"container name", func(p *corev1.Pod) { p.Spec.Containers[0].Name = "Bad_Name" }, field.ErrorTypeInvalid, c0 + ".name"},
		{"container name missing", func(p *corev1.Pod) { p.Spec.Containers[0].Name = "" }, field.ErrorTypeRequired, c0 + ".name"},
		{"duplicate container", func(p *corev1.Pod) { p.Spec.Containers = append(p.Spec.Containers, validContainer("app")) }, field.ErrorTypeDuplicate, "spec.containers[1].name"},
		{"init container name clash", func(p *corev1.Pod) { p.Spec.InitContainers = []corev1.Container{validContainer("app")} }, field.ErrorTypeDuplicate, "spec.initContainers[0].name"},
		{"ephemeral on create", func(p *corev1.Pod) {
			p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon(validContainer("dbg"))}}
		}, field.ErrorTypeForbidden, "spec.ephemeralContainers"},
		{"image missing", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "" }, field.ErrorTypeRequired, c0 + ".image"},
		{"image whitespace", func(p *corev1.Pod) { p.Spec.Containers[0].Image = " nginx" }, field.ErrorTypeInvalid, c0 + ".image"},
		{"pull policy", func(p *corev1.Pod) { p.Spec.Containers[0].ImagePullPolicy = "Sometimes" }, field.ErrorTypeNotSupported, c0 + ".imagePullPolicy"},
		{"termination message policy", func(p *corev1.Pod) { p.Spec.Containers[0].TerminationMessagePolicy = "" }, field.ErrorTypeRequired, c0 + ".terminationMessagePolicy"},
		{"containerPort missing", func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 0 }, field.ErrorTypeRequired, c0 + ".ports[0].containerPort"},
		{"containerPort range", func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 70000 }, field.ErrorTypeInvalid, c0 + ".ports[0].containerPort"},
		{"protocol", func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].Protocol = "ICMP" }, field.ErrorTypeNotSupported, c0 + ".ports[0].protocol"},
		{"port name", func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].Name = "Not A Name" }, field.ErrorTypeInvalid, c0 + ".ports[0].name"},
		{"duplicate port name", func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports, corev1.ContainerPort{Name: "http", ContainerPort: 81, Protocol: corev1.ProtocolTCP})
		}, field.ErrorTypeDuplicate, c0 + ".ports[1].name"},
		{"host port conflict", func(p *corev1.Pod) {
			c := validContainer("two")
			c.Ports = []corev1.ContainerPort{{ContainerPort: 81, HostPort: 8080, Protocol: corev1.ProtocolTCP}}
			p.Spec.Containers[0].Ports[0].HostPort = 8080
			p.Spec.Containers = append(p.Spec.Containers, c)
		}, field.ErrorTypeDuplicate, "spec.containers[1].ports[0].hostPort"},
		{"env name missing", func(p *corev1.Pod) { p.Spec.Containers[0].Env = []corev1.EnvVar{{Value: "x"}} }, field.ErrorTypeRequired, c0 + ".env[0].name"},
		{"env name", func(p *corev1.Pod) { p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A=B"}} }, field.ErrorTypeInvalid, c0 + ".env[0].name"},
		{"env valueFrom empty", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{}}}
		}, field.ErrorTypeInvalid, c0 + ".env[0].valueFrom"},
		{"env valueFrom two sources", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{
				FieldRef:        &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"},
				ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, Key: "k"},
			}}}
		}, field.ErrorTypeInvalid, c0 + ".env[0].valueFrom"},
		{"env valueFrom and value", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", Value: "x", ValueFrom: &corev1.EnvVarSource{
				FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}}}
		}, field.ErrorTypeInvalid, c0 + ".env[0].valueFrom"},
		{"env fieldRef path", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{
				FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.labels"}}}}
		}, field.ErrorTypeNotSupported, c0 + ".env[0].valueFrom.fieldRef.fieldPath"},
		{"env configMapKeyRef key", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{
				ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}}}}
		}, field.ErrorTypeRequired, c0 + ".env[0].valueFrom.configMapKeyRef.key"},
		{"env resourceFieldRef", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{
				ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.gpu"}}}}
		}, field.ErrorTypeNotSupported, c0 + ".env[0].valueFrom.resourceFieldRef.resource"},
		{"envFrom no source", func(p *corev1.Pod) { p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{Prefix: "P_"}} }, field.ErrorTypeInvalid, c0 + ".envFrom"},
		{"envFrom name", func(p *corev1.Pod) {
			p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{}}}
		}, field.ErrorTypeRequired, c0 + ".envFrom[0].secretRef.name"},
		{"mount of unknown volume", func(p *corev1.Pod) { p.Spec.Containers[0].VolumeMounts[0].Name = "other" }, field.ErrorTypeNotFound, c0 + ".volumeMounts[0].name"},
		{"mountPath missing", func(p *corev1.Pod) { p.Spec.Containers[0].VolumeMounts[0].MountPath = "" }, field.ErrorTypeRequired, c0 + ".volumeMounts[0].mountPath"},
		{"mountPath duplicate", func(p *corev1.Pod) {
			p.Spec.Containers[0].VolumeMounts = append(p.Spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "data", MountPath: "/data"})
		}, field.ErrorTypeInvalid, c0 + ".volumeMounts[1].mountPath"},
		{"subPath backsteps", func(p *corev1.Pod) { p.Spec.Containers[0].VolumeMounts[0].SubPath = "../x" }, field.ErrorTypeInvalid, c0 + ".volumeMounts.subPath"},
		{"bidirectional unprivileged", func(p *corev1.Pod) {
			p.Spec.Containers[0].VolumeMounts[0].MountPropagation = ptr.To(corev1.MountPropagationBidirectional)
		}, field.ErrorTypeForbidden, c0 + ".volumeMounts.mountPropagation"},
		{"requests above limits", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")},
			}
		}, field.ErrorTypeInvalid, c0 + ".resources.requests"},
		{"resource name", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{"foo": resource.MustParse("1")}
		}, field.ErrorTypeInvalid, c0 + ".resources.limits[foo]"},
		{"negative quantity", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("-1")}
		}, field.ErrorTypeInvalid, c0 + ".resources.requests[memory]"},
		{"extended resource without limit", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{"example.com/gpu": resource.MustParse("1")}
		}, field.ErrorTypeRequired, c0 + ".resources.limits"},
		{"probe without handler", func(p *corev1.Pod) {
			p.Spec.Containers[0].LivenessProbe = probe()
			p.Spec.Containers[0].LivenessProbe.TCPSocket = nil
		}, field.ErrorTypeRequired, c0 + ".livenessProbe"},
		{"probe with two handlers", func(p *corev1.Pod) {
			p.Spec.Containers[0].ReadinessProbe = probe()
			p.Spec.Containers[0].ReadinessProbe.Exec = &corev1.ExecAction{Command: []string{"true"}}
		}, field.ErrorTypeForbidden, c0 + ".readinessProbe.tcpSocket"},
		{"liveness successThreshold", func(p *corev1.Pod) {
			p.Spec.Containers[0].LivenessProbe = probe()
			p.Spec.Containers[0].LivenessProbe.SuccessThreshold = 2
		}, field.ErrorTypeInvalid, c0 + ".livenessProbe.successThreshold"},
		{"negative period", func(p *corev1.Pod) {
			p.Spec.Containers[0].StartupProbe = probe()
			p.Spec.Containers[0].StartupProbe.PeriodSeconds = -1
		}, field.ErrorTypeInvalid, c0 + ".startupProbe.periodSeconds"},
		{"httpGet port", func(p *corev1.Pod) {
			p.Spec.Containers[0].ReadinessProbe = probe()
			p.Spec.Containers[0].ReadinessProbe.TCPSocket = nil
			p.Spec.Containers[0].ReadinessProbe.HTTPGet = &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(0), Scheme: corev1.URISchemeHTTP}
		}, field.ErrorTypeInvalid, c0 + ".readinessProbe.httpGet.port"},
		{"preStop sleep beyond grace", func(p *corev1.Pod) {
			p.Spec.Containers[0].Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 31}}}
		}, field.ErrorTypeInvalid, c0 + ".lifecycle.preStop.sleep"},
		{"stop signal without os", func(p *corev1.Pod) {
			p.Spec.Containers[0].Lifecycle = &corev1.Lifecycle{StopSignal: ptr.To(corev1.Signal("SIGTERM"))}
		}, field.ErrorTypeForbidden, c0 + ".lifecycle.stopSignal"},
		{"init container probe", func(p *corev1.Pod) {
			c := validContainer("init")
			c.LivenessProbe = probe()
			p.Spec.InitContainers = []corev1.Container{c}
		}, field.ErrorTypeForbidden, "spec.initContainers[0].livenessProbe"},
		{"init container restart policy", func(p *corev1.Pod) {
			c := validContainer("init")
			c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicy("Sometimes"))
			p.Spec.InitContainers = []corev1.Container{c}
		}, field.ErrorTypeNotSupported, "spec.initContainers[0].restartPolicy"},
		{"restart rules without policy", func(p *corev1.Pod) {
			p.Spec.Containers[0].RestartPolicyRules = []corev1.ContainerRestartRule{{Action: corev1.ContainerRestartRuleActionRestart}}
		}, field.ErrorTypeRequired, c0 + ".restartPolicy"},
		{"container securityContext runAsUser", func(p *corev1.Pod) {
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{RunAsUser: ptr.To[int64](-1)}
		}, field.ErrorTypeInvalid, c0 + ".securityContext.runAsUser"},
		{"seccomp localhost without profile", func(p *corev1.Pod) {
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost}}
		}, field.ErrorTypeRequired, c0 + ".securityContext.seccompProfile.localhostProfile"},
		{"privileged without escalation", func(p *corev1.Pod) {
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true), AllowPrivilegeEscalation: ptr.To(false)}
		}, field.ErrorTypeInvalid, c0 + ".securityContext"},
		{"pod runAsUser", func(p *corev1.Pod) { p.Spec.SecurityContext.RunAsUser = ptr.To[int64](-5) }, field.ErrorTypeInvalid, "spec.securityContext.runAsUser"},
		{"sysctl with hostNetwork", func(p *corev1.Pod) {
			p.Spec.HostNetwork = true
			p.Spec.Containers[0].Ports[0].HostPort = 80
			p.Spec.SecurityContext.Sysctls = []corev1.Sysctl{{Name: "net.ipv4.ip_forward", Value: "1"}}
		}, field.ErrorTypeInvalid, "spec.securityContext.sysctls[0].name"},
		{"hostNetwork hostPort", func(p *corev1.Pod) { p.Spec.HostNetwork = true }, field.ErrorTypeInvalid, c0 + ".ports[0].hostPort"},
		{"volume name", func(p *corev1.Pod) { p.Spec.Volumes[0].Name = "Data" }, field.ErrorTypeInvalid, "spec.volumes[0].name"},
		{"volume duplicate", func(p *corev1.Pod) { p.Spec.Volumes = append(p.Spec.Volumes, p.Spec.Volumes[0]) }, field.ErrorTypeDuplicate, "spec.volumes[1].name"},
		{"volume without source", func(p *corev1.Pod) { p.Spec.Volumes[0].EmptyDir = nil }, field.ErrorTypeRequired, "spec.volumes[0]"},
		{"volume with two sources", func(p *corev1.Pod) {
			p.Spec.Volumes[0].HostPath = &corev1.HostPathVolumeSource{Path: "/tmp"}
		}, field.ErrorTypeForbidden, "spec.volumes[0].hostPath"},
		{"configMap volume name", func(p *corev1.Pod) {
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}
		}, field.ErrorTypeRequired, "spec.volumes[0].configMap.name"},
		{"secret defaultMode", func(p *corev1.Pod) {
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s", DefaultMode: ptr.To[int32](01000)}}
		}, field.ErrorTypeInvalid, "spec.volumes[0].secret.defaultMode"},
		{"secret item path", func(p *corev1.Pod) {
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s", Items: []corev1.KeyToPath{{Key: "k", Path: "/abs"}}}}
		}, field.ErrorTypeInvalid, "spec.volumes[0].secret.items[0].path"},
		{"hostPath backsteps", func(p *corev1.Pod) {
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/a/../b"}}
		}, field.ErrorTypeInvalid, "spec.volumes[0].hostPath.path"},
		{"hostPath type", func(p *corev1.Pod) {
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/a", Type: ptr.To(corev1.HostPathType("Pipe"))}}
		}, field.ErrorTypeNotSupported, "spec.volumes[0].hostPath.type"},
		{"pvc claimName", func(p *corev1.Pod) {
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{}}
		}, field.ErrorTypeRequired, "spec.volumes[0].persistentVolumeClaim.claimName"},
		{"downwardAPI path", func(p *corev1.Pod) {
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{
				{Path: "/abs", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}}}}
		}, field.ErrorTypeInvalid, "spec.volumes[0].downwardAPI.path"},
		{"projected duplicate paths", func(p *corev1.Pod) {
			items := []corev1.KeyToPath{{Key: "k", Path: "same"}}
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "a"}, Items: items}},
				{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "b"}, Items: items}},
			}}}
		}, field.ErrorTypeInvalid, "spec.volumes[0].projected"},
		{"service account token without service account", func(p *corev1.Pod) {
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To[int64](3600)}},
			}}}
		}, field.ErrorTypeForbidden, "spec.volumes[0].projected.sources[0].serviceAccountToken"},
		{"restartPolicy", func(p *corev1.Pod) { p.Spec.RestartPolicy = "Sometimes" }, field.ErrorTypeNotSupported, "spec.restartPolicy"},
		{"restartPolicy missing", func(p *corev1.Pod) { p.Spec.RestartPolicy = "" }, field.ErrorTypeRequired, "spec.restartPolicy"},
		{"dnsPolicy", func(p *corev1.Pod) { p.Spec.DNSPolicy = "Cluster" }, field.ErrorTypeNotSupported, "spec.dnsPolicy"},
		{"dnsPolicy None without config", func(p *corev1.Pod) { p.Spec.DNSPolicy = corev1.DNSNone }, field.ErrorTypeRequired, "spec.dnsConfig"},
		{"dnsConfig nameservers", func(p *corev1.Pod) {
			p.Spec.DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"}}
		}, field.ErrorTypeInvalid, "spec.dnsConfig.nameservers"},
		{"dnsConfig option", func(p *corev1.Pod) {
			p.Spec.DNSConfig = &corev1.PodDNSConfig{Options: []corev1.PodDNSConfigOption{{}}}
		}, field.ErrorTypeRequired, "spec.dnsConfig.options[0]"},
		{"nodeSelector key", func(p *corev1.Pod) { p.Spec.NodeSelector = map[string]string{"bad key": "x"} }, field.ErrorTypeInvalid, "spec.nodeSelector"},
		{"toleration operator", func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpEqual, Value: "x"}}
		}, field.ErrorTypeInvalid, "spec.tolerations[0].operator"},
		{"toleration seconds", func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule, TolerationSeconds: ptr.To[int64](5)}}
		}, field.ErrorTypeInvalid, "spec.tolerations[0].effect"},
		{"toleration effect", func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: "NoRun"}}
		}, field.ErrorTypeNotSupported, "spec.tolerations[0].effect"},
		{"node affinity without terms", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{}}}
		}, field.ErrorTypeRequired, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"},
		{"node affinity operator", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: "Near"}}}}}}}
		}, field.ErrorTypeInvalid, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator"},
		{"preferred weight", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 0}}}}
		}, field.ErrorTypeInvalid, "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight"},
		{"pod affinity topologyKey", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}}}}}
		}, field.ErrorTypeRequired, "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey"},
		{"pod anti-affinity selector", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{TopologyKey: "zone", LabelSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "In"}}}}}}}
		}, field.ErrorTypeRequired, "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].values"},
		{"topology spread maxSkew", func(p *corev1.Pod) {
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule}}
		}, field.ErrorTypeInvalid, "spec.topologySpreadConstraints[0].maxSkew"},
		{"topology spread whenUnsatisfiable", func(p *corev1.Pod) {
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: "Maybe"}}
		}, field.ErrorTypeNotSupported, "spec.topologySpreadConstraints[0].whenUnsatisfiable"},
		{"topology spread duplicate", func(p *corev1.Pod) {
			c := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule}
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{c, c}
		}, field.ErrorTypeDuplicate, "spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}"},
		{"hostAliases ip", func(p *corev1.Pod) { p.Spec.HostAliases = []corev1.HostAlias{{IP: "999.1.1.1"}} }, field.ErrorTypeInvalid, "spec.hostAliases[0].ip"},
		{"hostAliases hostname", func(p *corev1.Pod) {
			p.Spec.HostAliases = []corev1.HostAlias{{IP: "10.0.0.1", Hostnames: []string{"Not_Valid"}}}
		}, field.ErrorTypeInvalid, "spec.hostAliases[0].hostnames[0]"},
		{"terminationGracePeriodSeconds negative", func(p *corev1.Pod) { p.Spec.TerminationGracePeriodSeconds = ptr.To[int64](-1) }, field.ErrorTypeInvalid, "spec.terminationGracePeriodSeconds"},
		{"terminationGracePeriodSeconds missing", func(p *corev1.Pod) { p.Spec.TerminationGracePeriodSeconds = nil }, field.ErrorTypeRequired, "spec.terminationGracePeriodSeconds"},
		{"activeDeadlineSeconds", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](0) }, field.ErrorTypeInvalid, "spec.activeDeadlineSeconds"},
		{"priorityClassName", func(p *corev1.Pod) { p.Spec.PriorityClassName = "High!" }, field.ErrorTypeInvalid, "spec.priorityClassName"},
		{"serviceAccountName", func(p *corev1.Pod) {
			p.Spec.ServiceAccountName, p.Spec.DeprecatedServiceAccount = "Bad_SA", "Bad_SA" //nolint:staticcheck
		}, field.ErrorTypeInvalid, "spec.serviceAccountName"},
		{"deprecatedServiceAccount", func(p *corev1.Pod) { p.Spec.ServiceAccountName = "sa" }, field.ErrorTypeInvalid, "spec.deprecatedServiceAccount"},
		{"hostname", func(p *corev1.Pod) { p.Spec.Hostname = "a.b" }, field.ErrorTypeInvalid, "spec.hostname"},
		{"subdomain", func(p *corev1.Pod) { p.Spec.Subdomain = "Sub" }, field.ErrorTypeInvalid, "spec.subdomain"},
		{"nodeName", func(p *corev1.Pod) { p.Spec.NodeName = "Node_1" }, field.ErrorTypeInvalid, "spec.nodeName"},
		{"readiness gate", func(p *corev1.Pod) {
			p.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "bad type"}}
		}, field.ErrorTypeInvalid, "spec.readinessGates[0].conditionType"},
		{"os name", func(p *corev1.Pod) { p.Spec.OS = &corev1.PodOS{Name: "plan9"} }, field.ErrorTypeNotSupported, "spec.os"},
		{"deletion cost annotation", func(p *corev1.Pod) {
			p.Annotations = map[string]string{corev1.PodDeletionCost: "+1"}
		}, field.ErrorTypeInvalid, "metadata.annotations[controller.kubernetes.io/pod-deletion-cost]"},
		{"pod name", func(p *corev1.Pod) { p.Name = "Web" }, field.ErrorTypeInvalid, "metadata.name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pod := validPod()
			tc.mutate(pod)
			errs := ValidatePodCreate(pod, PodValidationOptions{ResourceIsPod: true})
			if !hasError(errs, tc.typ, tc.field) {
				t.Errorf("want %s at %s, got %v", tc.typ, tc.field, errs)
			}
		})
	}
}

func TestValidPodVariants(t *testing.T) {
	cases := map[string]func(p *corev1.Pod){
		"sidecar with probes": func(p *corev1.Pod) {
			c := validContainer("sidecar")
			c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
			c.LivenessProbe, c.ReadinessProbe, c.StartupProbe = probe(), probe(), probe()
			p.Spec.InitContainers = []corev1.Container{c}
		},
		"env sources": func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{
				{Name: "A", Value: "x"},
				{Name: "B", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.labels['app']"}}},
				{Name: "C", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}}},
				{Name: "1.relaxed-name", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}},
			}
			p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}}}
		},
		"guaranteed resources": func(p *corev1.Pod) {
			list := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("1Gi"), "example.com/gpu": resource.MustParse("1")}
			p.Spec.Containers[0].Resources = corev1.ResourceRequirements{Limits: list, Requests: list}
		},
		"scheduling": func(p *corev1.Pod) {
			p.Spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
			p.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}, {Key: "k", Value: "v", Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](10)}}
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
				Weight: 100, PodAffinityTerm: corev1.PodAffinityTerm{TopologyKey: "kubernetes.io/hostname", LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
			}}}}
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.ScheduleAnyway, LabelSelector: &metav1.LabelSelector{}}}
		},
		"volumes": func(p *corev1.Pod) {
			p.Spec.ServiceAccountName, p.Spec.DeprecatedServiceAccount = "default", "default" //nolint:staticcheck
			p.Spec.Volumes = append(p.Spec.Volumes,
				corev1.Volume{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, DefaultMode: ptr.To[int32](0644)}}},
				corev1.Volume{Name: "token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To[int64](3600)}},
					{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "ns", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
				}}}},
			)
		},
		"dns none": func(p *corev1.Pod) {
			p.Spec.DNSPolicy = corev1.DNSNone
			p.Spec.DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"1.1.1.1"}, Searches: []string{"svc.cluster.local."}}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			pod := validPod()
			mutate(pod)
			if errs := ValidatePodCreate(pod, PodValidationOptions{ResourceIsPod: true}); len(errs) != 0 {
				t.Errorf("unexpected errors: %v", errs)
			}
		})
	}
}

func TestValidatePodTemplateSpec(t *testing.T) {
	template := &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: validPod().Spec}
	if errs := ValidatePodTemplateSpec(template, field.NewPath("spec", "template"), PodValidationOptions{}); len(errs) != 0 {
		t.Fatalf("valid template: %v", errs)
	}
	// Templates may leave hostPort 0 with hostNetwork; pods may not.
	template.Spec.HostNetwork = true
	if errs := ValidatePodTemplateSpec(template, field.NewPath("spec", "template"), PodValidationOptions{}); len(errs) != 0 {
		t.Errorf("hostNetwork template: %v", errs)
	}
	template.Labels = map[string]string{"app": "bad value!"}
	template.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon(validContainer("dbg"))}}
	template.Spec.Containers = nil
	errs := ValidatePodTemplateSpec(template, field.NewPath("spec", "template"), PodValidationOptions{})
	for _, want := range []struct {
		typ  field.ErrorType
		path string
	}{
		{field.ErrorTypeInvalid, "spec.template.labels"},
		{field.ErrorTypeForbidden, "spec.template.spec.ephemeralContainers"},
		{field.ErrorTypeRequired, "spec.template.spec.containers"},
	} {
		if !hasError(errs, want.typ, want.path) {
			t.Errorf("want %s at %s, got %v", want.typ, want.path, errs)
		}
	}
}

func TestValidatePodUpdate(t *testing.T) {
	old := validPod()
	old.ResourceVersion = "1"
	old.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](10)}}
	old.Spec.ActiveDeadlineSeconds = ptr.To[int64](100)
	cases := []struct {
		name   string
		mutate func(p *corev1.Pod)
		typ    field.ErrorType
		field  string
	}{
		{"image", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx:2" }, "", ""},
		{"lower deadline", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](50) }, "", ""},
		{"added toleration", func(p *corev1.Pod) {
			p.Spec.Tolerations = append(p.Spec.Tolerations, corev1.Toleration{Operator: corev1.TolerationOpExists})
		}, "", ""},
		{"toleration seconds", func(p *corev1.Pod) { p.Spec.Tolerations[0].TolerationSeconds = ptr.To[int64](20) }, "", ""},
		{"labels", func(p *corev1.Pod) { p.Labels = map[string]string{"a": "b"} }, "", ""},
		{"restartPolicy", func(p *corev1.Pod) { p.Spec.RestartPolicy = corev1.RestartPolicyNever }, field.ErrorTypeForbidden, "spec"},
		{"removed toleration", func(p *corev1.Pod) { p.Spec.Tolerations = nil }, field.ErrorTypeForbidden, "spec.tolerations"},
		{"higher deadline", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](200) }, field.ErrorTypeInvalid, "spec.activeDeadlineSeconds"},
		{"removed deadline", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = nil }, field.ErrorTypeInvalid, "spec.activeDeadlineSeconds"},
		{"added container", func(p *corev1.Pod) { p.Spec.Containers = append(p.Spec.Containers, validContainer("two")) }, field.ErrorTypeForbidden, "spec.containers"},
		{"image removed", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "" }, field.ErrorTypeRequired, "spec.containers[0].image"},
		{"name", func(p *corev1.Pod) { p.Name = "other" }, field.ErrorTypeInvalid, "metadata.name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pod := old.DeepCopy()
			tc.mutate(pod)
			errs := ValidatePodUpdate(pod, old, PodValidationOptions{ResourceIsPod: true})
			if tc.typ == "" {
				if len(errs) != 0 {
					t.Errorf("unexpected errors: %v", errs)
				}
				return
			}
			if !hasError(errs, tc.typ, tc.field) {
				t.Errorf("want %s at %s, got %v", tc.typ, tc.field, errs)
			}
		})
	}
	pod := old.DeepCopy()
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	errs := ValidatePodUpdate(pod, old, PodValidationOptions{ResourceIsPod: true})
	if len(errs) == 0 || !strings.HasPrefix(errs[0].Detail, "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n") {
		t.Errorf("message = %v", errs)
	}
}

func TestValidatePodUpdateGated(t *testing.T) {
	old := validPod()
	old.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/gate"}}
	old.Spec.NodeSelector = map[string]string{"zone": "a"}
	pod := old.DeepCopy()
	pod.Spec.SchedulingGates = nil
	pod.Spec.NodeSelector["disk"] = "ssd"
	if errs := ValidatePodUpdate(pod, old, PodValidationOptions{ResourceIsPod: true}); len(errs) != 0 {
		t.Errorf("gated pod: removing gates and adding node selectors: %v", errs)
	}
	pod.Spec.NodeSelector["zone"] = "b"
	if errs := ValidatePodUpdate(pod, old, PodValidationOptions{ResourceIsPod: true}); !hasError(errs, field.ErrorTypeInvalid, "spec.nodeSelector") {
		t.Errorf("changed node selector: %v", errs)
	}
	pod = old.DeepCopy()
	pod.Spec.SchedulingGates = append(pod.Spec.SchedulingGates, corev1.PodSchedulingGate{Name: "example.com/other"})
	if errs := ValidatePodUpdate(pod, old, PodValidationOptions{ResourceIsPod: true}); !hasError(errs, field.ErrorTypeForbidden, "spec.schedulingGates[1].name") {
		t.Errorf("added gate: %v", errs)
	}
}

func TestValidatePodStatusUpdate(t *testing.T) {
	old := validPod()
	old.Status = corev1.PodStatus{Phase: corev1.PodPending, QOSClass: corev1.PodQOSBestEffort}
	cases := []struct {
		name   string
		mutate func(p *corev1.Pod)
		typ    field.ErrorType
		field  string
	}{
		{"running with ip", func(p *corev1.Pod) {
			p.Status.Phase, p.Status.PodIP, p.Status.PodIPs = corev1.PodRunning, "10.0.0.1", []corev1.PodIP{{IP: "10.0.0.1"}}
		}, "", ""},
		{"node name", func(p *corev1.Pod) { p.Spec.NodeName = "n" }, field.ErrorTypeForbidden, "status.nodeName"},
		{"podIPs without podIP", func(p *corev1.Pod) { p.Status.PodIPs = []corev1.PodIP{{IP: "10.0.0.1"}} }, field.ErrorTypeInvalid, "status.podIPs"},
		{"two ipv4", func(p *corev1.Pod) {
			p.Status.PodIP, p.Status.PodIPs = "10.0.0.1", []corev1.PodIP{{IP: "10.0.0.1"}, {IP: "10.0.0.2"}}
		}, field.ErrorTypeInvalid, "status.podIPs"},
		{"qos class", func(p *corev1.Pod) { p.Status.QOSClass = corev1.PodQOSGuaranteed }, field.ErrorTypeInvalid, "status.qosClass"},
		{"condition type", func(p *corev1.Pod) {
			p.Status.Conditions = []corev1.PodCondition{{Type: "bad type", Status: corev1.ConditionTrue}}
		}, field.ErrorTypeInvalid, "status.conditions[0].Type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pod := old.DeepCopy()
			tc.mutate(pod)
			errs := ValidatePodStatusUpdate(pod, old, PodValidationOptions{ResourceIsPod: true})
			if tc.typ == "" {
				if len(errs) != 0 {
					t.Errorf("unexpected errors: %v", errs)
				}
				return
			}
			if !hasError(errs, tc.typ, tc.field) {
				t.Errorf("want %s at %s, got %v", tc.typ, tc.field, errs)
			}
		})
	}

	// A container of a Never pod may not come back from terminated.
	old.Spec.RestartPolicy = corev1.RestartPolicyNever
	old.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1}}}}
	pod := old.DeepCopy()
	pod.Status.ContainerStatuses[0].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	if errs := ValidatePodStatusUpdate(pod, old, PodValidationOptions{}); !hasError(errs, field.ErrorTypeForbidden, "status.containerStatuses[0].state") {
		t.Errorf("terminated to running: %v", errs)
	}
}

func TestValidatePodEphemeralContainersUpdate(t *testing.T) {
	old := validPod()
	ec := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon(validContainer("dbg")), TargetContainerName: "app"}
	pod := old.DeepCopy()
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{ec}
	if errs := ValidatePodEphemeralContainersUpdate(pod, old, PodValidationOptions{ResourceIsPod: true}); len(errs) != 0 {
		t.Fatalf("adding an ephemeral container: %v", errs)
	}
	withPorts := pod.DeepCopy()
	withPorts.Spec.EphemeralContainers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}}
	withPorts.Spec.EphemeralContainers[0].TargetContainerName = "nope"
	errs := ValidatePodEphemeralContainersUpdate(withPorts, old, PodValidationOptions{ResourceIsPod: true})
	if !hasError(errs, field.ErrorTypeForbidden, "spec.ephemeralContainers[0].ports") || !hasError(errs, field.ErrorTypeNotFound, "spec.ephemeralContainers[0].targetContainerName") {
		t.Errorf("ports and target: %v", errs)
	}
	removed := old.DeepCopy()
	if errs := ValidatePodEphemeralContainersUpdate(removed, pod, PodValidationOptions{ResourceIsPod: true}); !hasError(errs, field.ErrorTypeForbidden, "spec.ephemeralContainers") {
		t.Errorf("removing: %v", errs)
	}
	dup := pod.DeepCopy()
	dup.Spec.EphemeralContainers[0].Name = "app"
	if errs := ValidatePodEphemeralContainersUpdate(dup, old, PodValidationOptions{ResourceIsPod: true}); !hasError(errs, field.ErrorTypeDuplicate, "spec.ephemeralContainers[0].name") {
		t.Errorf("name clash: %v", errs)
	}
}

func TestValidatePodBinding(t *testing.T) {
	cases := []struct {
		target corev1.ObjectReference
		typ    field.ErrorType
		field  string
	}{
		{corev1.ObjectReference{Name: "node-1"}, "", ""},
		{corev1.ObjectReference{Kind: "Node", Name: "node-1"}, "", ""},
		{corev1.ObjectReference{Kind: "Pod", Name: "x"}, field.ErrorTypeNotSupported, "target.kind"},
		{corev1.ObjectReference{Kind: "Node"}, field.ErrorTypeRequired, "target.name"},
		{corev1.ObjectReference{Name: "Bad_Node"}, field.ErrorTypeInvalid, "target.name"},
	}
	for _, tc := range cases {
		errs := ValidatePodBinding(&corev1.Binding{Target: tc.target})
		if tc.typ == "" && len(errs) != 0 || tc.typ != "" && !hasError(errs, tc.typ, tc.field) {
			t.Errorf("%+v: got %v", tc.target, errs)
		}
	}
}

func TestOptionsForPodSpecs(t *testing.T) {
	old := validPod()
	old.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpLt, Value: "5"}}
	if opts := OptionsForPodSpecs(&old.Spec, &old.Spec, &old.ObjectMeta); !opts.AllowTaintTolerationComparisonOperators {
		t.Error("Lt in the old spec must stay allowed")
	}
	if opts := OptionsForPodSpecs(&old.Spec, nil, nil); opts.AllowTaintTolerationComparisonOperators {
		t.Error("new specs get the default rules")
	}
	errs := ValidatePodCreate(old, PodValidationOptions{ResourceIsPod: true})
	if !hasError(errs, field.ErrorTypeNotSupported, "spec.tolerations[0].operator") {
		t.Errorf("Lt on create: %v", errs)
	}
}
