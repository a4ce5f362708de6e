package validation

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// The expected warnings are those kube-apiserver v1.37 returns for the same template.
func TestWarningsForPodTemplate(t *testing.T) {
	tmpl := &corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		TerminationGracePeriodSeconds: ptr.To[int64](-5),
		NodeSelector:                  map[string]string{"beta.kubernetes.io/arch": "amd64"},
		ImagePullSecrets:              []corev1.LocalObjectReference{{Name: "regcred"}, {Name: "regcred"}, {Name: ""}},
		TopologySpreadConstraints:     []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "failure-domain.beta.kubernetes.io/zone", WhenUnsatisfiable: corev1.DoNotSchedule}},
		Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{
			{Weight: 10, PodAffinityTerm: corev1.PodAffinityTerm{TopologyKey: "kubernetes.io/hostname"}}}}},
		Containers: []corev1.Container{
			{Name: "a", Env: []corev1.EnvVar{{Name: "X", Value: "1"}, {Name: "X", Value: "2"}},
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1500m")}},
				Ports:     []corev1.ContainerPort{{Name: "http", ContainerPort: 80, HostIP: "127.0.0.1", Protocol: corev1.ProtocolTCP}}},
			{Name: "b", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 81, Protocol: corev1.ProtocolTCP}}},
		},
		Volumes: []corev1.Volume{{Name: "repo", VolumeSource: corev1.VolumeSource{GitRepo: &corev1.GitRepoVolumeSource{Repository: "https://example.com/repo.git"}}}},
	}}
	want := []string{
		`template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod`,
		`template.spec.containers[0].env[1]: hides previous definition of "X", which may be dropped when using apply`,
		`template.spec.containers[0].ports[0]: hostIP set without hostPort: {Name:http HostPort:0 ContainerPort:80 Protocol:TCP HostIP:127.0.0.1}`,
		`template.spec.containers[0].resources.requests[memory]: fractional byte value "1500m" is invalid, must be an integer`,
		`template.spec.containers[1].ports[0]: duplicate port name "http" with template.spec.containers[0].ports[0], services and probes that select ports by name will use template.spec.containers[0].ports[0]`,
		`template.spec.imagePullSecrets[1].name: duplicate name "regcred"`,
		`template.spec.imagePullSecrets[2].name: invalid empty name ""`,
		`template.spec.nodeSelector[beta.kubernetes.io/arch]: deprecated since v1.14; use "kubernetes.io/arch" instead`,
		`template.spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1`,
		`template.spec.topologySpreadConstraints[0].labelSelector: a null labelSelector results in matching no pod`,
		`template.spec.topologySpreadConstraints[0].topologyKey: failure-domain.beta.kubernetes.io/zone is deprecated since v1.17; use "topology.kubernetes.io/zone" instead`,
		`template.spec.volumes[0].gitRepo: deprecated in v1.11, and disabled by default in v1.33+`,
	}
	got := WarningsForPodTemplate(field.NewPath("template"), tmpl)
	gotSet := map[string]bool{}
	for _, w := range got {
		gotSet[w] = true
	}
	for _, w := range want {
		if !gotSet[w] {
			t.Errorf("missing warning %s", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d warnings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

func TestWarningsForPod(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{
			"scheduler.alpha.kubernetes.io/critical-pod":                    "",
			corev1.SeccompPodAnnotationKey:                                  "runtime/default",
			corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + "a": "runtime/default",
		}},
		Spec: corev1.PodSpec{
			Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
					{Key: "node-role.kubernetes.io/master", Operator: corev1.NodeSelectorOpExists}}}}}}},
			Containers: []corev1.Container{{Name: "a", Ports: []corev1.ContainerPort{{ContainerPort: 80, Protocol: "TCP"}}},
				{Name: "b", Ports: []corev1.ContainerPort{{ContainerPort: 80, Protocol: "TCP"}, {ContainerPort: 80, HostPort: 8080, Protocol: "TCP"}}}},
			Volumes: []corev1.Volume{{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s",
				Items: []corev1.KeyToPath{{Key: "a", Path: "dir"}, {Key: "b", Path: "dir/file"}}}}}},
		},
	}
	want := []string{
		`metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead`,
		`metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the "seccompProfile" field instead`,
		`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key: node-role.kubernetes.io/master is use "node-role.kubernetes.io/control-plane" instead`,
		`spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]`,
		`spec.containers[1].ports[1]: overlapping port definition with spec.containers[0].ports[0]`,
		`spec.containers[1].ports[1]: overlapping port definition with spec.containers[1].ports[0]`,
		`volume "s" (Secret "s"): overlapping paths: "dir/file" with "dir"`,
	}
	got := WarningsForPod(pod)
	if strings.Join(got, "\n") != strings.Join(sortedLike(got, want), "\n") || len(got) != len(want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sortedLike returns want if got holds the same strings, else nil.
func sortedLike(got, want []string) []string {
	set := map[string]int{}
	for _, w := range want {
		set[w]++
	}
	for _, g := range got {
		set[g]--
	}
	for _, n := range set {
		if n != 0 {
			return nil
		}
	}
	return got
}
