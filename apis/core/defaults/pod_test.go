package defaults

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func TestPodDefaults(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{
		Containers: []corev1.Container{{
			Name: "app", Image: "nginx",
			Ports:          []corev1.ContainerPort{{ContainerPort: 80}},
			Resources:      corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}},
			LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(80)}}},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}, PeriodSeconds: 5},
			Env:            []corev1.EnvVar{{Name: "NODE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}}},
		}},
		DeprecatedServiceAccount: "builder", //nolint:staticcheck
	}}
	SetObjectDefaults_Pod(pod)

	spec := pod.Spec
	want := corev1.PodSpec{
		RestartPolicy:                 corev1.RestartPolicyAlways,
		DNSPolicy:                     corev1.DNSClusterFirst,
		SchedulerName:                 "default-scheduler",
		TerminationGracePeriodSeconds: ptr.To[int64](30),
		SecurityContext:               &corev1.PodSecurityContext{},
		EnableServiceLinks:            ptr.To(true),
		ServiceAccountName:            "builder",
		DeprecatedServiceAccount:      "builder",
	}
	got := spec
	got.Containers = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pod spec defaults (-want +got):\n%s", diff)
	}
	c := spec.Containers[0]
	if c.ImagePullPolicy != corev1.PullAlways || c.TerminationMessagePath != "/dev/termination-log" || c.TerminationMessagePolicy != corev1.TerminationMessageReadFile {
		t.Errorf("container defaults: %+v", c)
	}
	if c.Ports[0].Protocol != corev1.ProtocolTCP || c.Ports[0].HostPort != 0 {
		t.Errorf("port defaults: %+v", c.Ports[0])
	}
	if q := c.Resources.Requests[corev1.ResourceCPU]; q.String() != "100m" {
		t.Errorf("requests default to limits: %v", c.Resources.Requests)
	}
	wantLiveness := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(80), Scheme: corev1.URISchemeHTTP}},
		TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3}
	if diff := cmp.Diff(wantLiveness, c.LivenessProbe); diff != "" {
		t.Errorf("liveness probe (-want +got):\n%s", diff)
	}
	if c.ReadinessProbe.PeriodSeconds != 5 || c.ReadinessProbe.TimeoutSeconds != 1 {
		t.Errorf("readiness probe: %+v", c.ReadinessProbe)
	}
	if c.Env[0].ValueFrom.FieldRef.APIVersion != "v1" {
		t.Errorf("fieldRef apiVersion: %+v", c.Env[0].ValueFrom.FieldRef)
	}
}

func TestPodOnlyDefaults(t *testing.T) {
	spec := corev1.PodSpec{
		HostNetwork:                   true,
		TerminationGracePeriodSeconds: ptr.To[int64](-5),
		Containers:                    []corev1.Container{{Name: "app", Image: "nginx:1.27", Ports: []corev1.ContainerPort{{ContainerPort: 8080}}}},
	}
	pod := &corev1.Pod{Spec: *spec.DeepCopy(), Status: corev1.PodStatus{PodIP: "10.0.0.1"}}
	SetObjectDefaults_Pod(pod)
	if *pod.Spec.TerminationGracePeriodSeconds != 1 || pod.Spec.Containers[0].Ports[0].HostPort != 8080 {
		t.Errorf("pod: grace %d hostPort %d", *pod.Spec.TerminationGracePeriodSeconds, pod.Spec.Containers[0].Ports[0].HostPort)
	}
	if len(pod.Status.PodIPs) != 1 || pod.Status.PodIPs[0].IP != "10.0.0.1" {
		t.Errorf("podIPs from podIP: %v", pod.Status.PodIPs)
	}
	// Templates get the pod spec defaults but not the pod-only ones.
	tpl := &corev1.PodTemplate{Template: corev1.PodTemplateSpec{Spec: *spec.DeepCopy()}}
	SetObjectDefaults_PodTemplate(tpl)
	ts := tpl.Template.Spec
	if *ts.TerminationGracePeriodSeconds != -5 || ts.Containers[0].Ports[0].HostPort != 0 || ts.EnableServiceLinks != nil || ts.RestartPolicy != corev1.RestartPolicyAlways {
		t.Errorf("template: %+v", ts)
	}
	if ts.Containers[0].ImagePullPolicy != corev1.PullIfNotPresent {
		t.Errorf("template pull policy: %v", ts.Containers[0].ImagePullPolicy)
	}
}

func TestImagePullPolicy(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	cases := map[string]corev1.PullPolicy{
		"nginx":                         corev1.PullAlways,
		"nginx:latest":                  corev1.PullAlways,
		"library/nginx":                 corev1.PullAlways,
		"registry.example.com:5000/app": corev1.PullAlways,
		"nginx:1.27":                    corev1.PullIfNotPresent,
		"nginx@" + digest:               corev1.PullIfNotPresent,
		"nginx:latest@" + digest:        corev1.PullAlways,
		"localhost:5000/app:v1":         corev1.PullIfNotPresent,
		"Nginx":                         corev1.PullIfNotPresent, // not a valid reference
		"nginx:bad tag":                 corev1.PullIfNotPresent,
		"":                              corev1.PullIfNotPresent,
	}
	for image, want := range cases {
		c := &corev1.Container{Image: image}
		SetDefaults_Container(c)
		if c.ImagePullPolicy != want {
			t.Errorf("%q: pull policy %s, want %s", image, c.ImagePullPolicy, want)
		}
	}
	c := &corev1.Container{Image: "nginx", ImagePullPolicy: corev1.PullNever}
	SetDefaults_Container(c)
	if c.ImagePullPolicy != corev1.PullNever {
		t.Errorf("explicit policy overwritten: %s", c.ImagePullPolicy)
	}
}

func TestVolumeDefaults(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{Volumes: []corev1.Volume{
		{Name: "none"},
		{Name: "secret", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s"}}},
		{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{DefaultMode: ptr.To[int32](0400)}}},
		{Name: "dapi", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{}}},
		{Name: "proj", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "t"}}}}}},
		{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/x"}}},
		{Name: "image", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "tools:v1"}}},
	}}}
	SetObjectDefaults_Pod(pod)
	v := pod.Spec.Volumes
	if v[0].EmptyDir == nil {
		t.Error("a volume without source is an emptyDir")
	}
	if *v[1].Secret.DefaultMode != 0644 || *v[2].ConfigMap.DefaultMode != 0400 || *v[3].DownwardAPI.DefaultMode != 0644 || *v[4].Projected.DefaultMode != 0644 {
		t.Errorf("modes: %v %v %v %v", *v[1].Secret.DefaultMode, *v[2].ConfigMap.DefaultMode, *v[3].DownwardAPI.DefaultMode, *v[4].Projected.DefaultMode)
	}
	if *v[4].Projected.Sources[0].ServiceAccountToken.ExpirationSeconds != 3600 {
		t.Errorf("token expiration: %v", *v[4].Projected.Sources[0].ServiceAccountToken.ExpirationSeconds)
	}
	if v[5].HostPath.Type == nil || *v[5].HostPath.Type != corev1.HostPathUnset {
		t.Errorf("hostPath type: %v", v[5].HostPath.Type)
	}
	if v[6].Image.PullPolicy != corev1.PullIfNotPresent {
		t.Errorf("image volume pull policy: %v", v[6].Image.PullPolicy)
	}
}

func TestReplicationControllerDefaults(t *testing.T) {
	template := &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}
	rc := &corev1.ReplicationController{Spec: corev1.ReplicationControllerSpec{Template: template.DeepCopy()}}
	SetObjectDefaults_ReplicationController(rc)
	if *rc.Spec.Replicas != 1 || rc.Spec.Selector["app"] != "web" || rc.Labels["app"] != "web" {
		t.Errorf("rc defaults: replicas %v selector %v labels %v", rc.Spec.Replicas, rc.Spec.Selector, rc.Labels)
	}
	if rc.Spec.Template.Spec.DNSPolicy != corev1.DNSClusterFirst || rc.Spec.Template.Spec.Containers[0].ImagePullPolicy != corev1.PullAlways {
		t.Errorf("template defaults: %+v", rc.Spec.Template.Spec)
	}
	kept := &corev1.ReplicationController{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"owner": "me"}},
		Spec:       corev1.ReplicationControllerSpec{Replicas: ptr.To[int32](0), Selector: map[string]string{"tier": "x"}, Template: template.DeepCopy()},
	}
	SetObjectDefaults_ReplicationController(kept)
	if *kept.Spec.Replicas != 0 || kept.Spec.Selector["tier"] != "x" || kept.Labels["owner"] != "me" || len(kept.Labels) != 1 {
		t.Errorf("set fields overwritten: %+v %v", kept.Spec, kept.Labels)
	}
}

func TestResourceListRounding(t *testing.T) {
	list := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0.0001"), corev1.ResourceMemory: resource.MustParse("1.5Gi")}
	SetDefaults_ResourceList(&list)
	if q := list[corev1.ResourceCPU]; q.String() != "1m" {
		t.Errorf("cpu rounded to %s", q.String())
	}
	if q := list[corev1.ResourceMemory]; q.String() != "1536Mi" {
		t.Errorf("memory = %s", q.String())
	}
}
