package serviceaccount

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

const volName = "kube-api-access-abcde"

func newPlugin(t *testing.T, objs ...runtime.Object) *Plugin {
	t.Helper()
	p := New()
	p.generateName = func(prefix string) string { return prefix + "abcde" }
	p.retryInterval = func() time.Duration { return time.Millisecond }
	admissiontest.Init(t, p, objs...)
	return p
}

func sa(name string, mutate ...func(*corev1.ServiceAccount)) *corev1.ServiceAccount {
	s := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}}
	for _, m := range mutate {
		m(s)
	}
	return s
}

func podRequest(op admission.Operation, sub string, pod *corev1.Pod) admissiontest.Request {
	r := admissiontest.Request{
		Op: op, Namespace: "ns", Object: pod, Subresource: sub,
		Resource: corev1.SchemeGroupVersion.WithResource("pods"), Kind: corev1.SchemeGroupVersion.WithKind("Pod"),
	}
	if op == admission.Update {
		r.OldObject = pod.DeepCopy()
	}
	return r
}

func basicPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Image: "i"}},
			Containers:     []corev1.Container{{Name: "c", Image: "i"}, {Name: "d", Image: "i"}},
		},
	}
}

var tokenMount = corev1.VolumeMount{Name: volName, ReadOnly: true, MountPath: MountPath}

func TestAdmitCreate(t *testing.T) {
	tests := []struct {
		name    string
		sas     []runtime.Object
		pod     func(*corev1.Pod)
		wantErr string
		check   func(t *testing.T, pod *corev1.Pod)
	}{
		{
			name: "defaults to default and mounts the token everywhere",
			sas:  []runtime.Object{sa("default")},
			check: func(t *testing.T, pod *corev1.Pod) {
				if pod.Spec.ServiceAccountName != "default" || pod.Spec.DeprecatedServiceAccount != "default" { //nolint:staticcheck
					t.Errorf("service account %q/%q", pod.Spec.ServiceAccountName, pod.Spec.DeprecatedServiceAccount) //nolint:staticcheck
				}
				want := []corev1.Volume{{Name: volName, VolumeSource: corev1.VolumeSource{Projected: TokenVolumeSource()}}}
				if diff := cmp.Diff(want, pod.Spec.Volumes); diff != "" {
					t.Errorf("volumes (-want +got):\n%s", diff)
				}
				for _, c := range append(pod.Spec.InitContainers, pod.Spec.Containers...) {
					if diff := cmp.Diff([]corev1.VolumeMount{tokenMount}, c.VolumeMounts); diff != "" {
						t.Errorf("container %s mounts (-want +got):\n%s", c.Name, diff)
					}
				}
			},
		},
		{
			name:    "missing default service account",
			wantErr: `pods "p" is forbidden: error looking up service account ns/default: serviceaccount "default" not found`,
		},
		{
			name:    "missing named service account",
			sas:     []runtime.Object{sa("default")},
			pod:     func(p *corev1.Pod) { p.Spec.ServiceAccountName = "robot" },
			wantErr: `pods "p" is forbidden: error looking up service account ns/robot: serviceaccount "robot" not found`,
		},
		{
			name: "pod opts out",
			sas:  []runtime.Object{sa("default")},
			pod:  func(p *corev1.Pod) { p.Spec.AutomountServiceAccountToken = ptr.To(false) },
			check: func(t *testing.T, pod *corev1.Pod) {
				if len(pod.Spec.Volumes) != 0 || len(pod.Spec.Containers[0].VolumeMounts) != 0 {
					t.Errorf("token mounted: %v", pod.Spec.Volumes)
				}
			},
		},
		{
			name: "service account opts out",
			sas:  []runtime.Object{sa("default", func(s *corev1.ServiceAccount) { s.AutomountServiceAccountToken = ptr.To(false) })},
			check: func(t *testing.T, pod *corev1.Pod) {
				if len(pod.Spec.Volumes) != 0 {
					t.Errorf("token mounted: %v", pod.Spec.Volumes)
				}
			},
		},
		{
			name: "pod opt-in beats service account opt-out",
			sas:  []runtime.Object{sa("default", func(s *corev1.ServiceAccount) { s.AutomountServiceAccountToken = ptr.To(false) })},
			pod:  func(p *corev1.Pod) { p.Spec.AutomountServiceAccountToken = ptr.To(true) },
			check: func(t *testing.T, pod *corev1.Pod) {
				if len(pod.Spec.Volumes) != 1 {
					t.Errorf("volumes %v", pod.Spec.Volumes)
				}
			},
		},
		{
			name: "existing mount at the path is kept",
			sas:  []runtime.Object{sa("default")},
			pod: func(p *corev1.Pod) {
				p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "mine", MountPath: MountPath}}
			},
			check: func(t *testing.T, pod *corev1.Pod) {
				if got := pod.Spec.Containers[0].VolumeMounts; len(got) != 1 || got[0].Name != "mine" {
					t.Errorf("container c mounts %v", got)
				}
				if got := pod.Spec.Containers[1].VolumeMounts; len(got) != 1 || got[0].Name != tokenMount.Name || got[0].MountPath != MountPath || !got[0].ReadOnly {
					t.Errorf("container d mounts %v", got)
				}
				if len(pod.Spec.Volumes) != 1 {
					t.Errorf("volumes %v", pod.Spec.Volumes)
				}
			},
		},
		{
			name: "every container mounts something there: no volume",
			sas:  []runtime.Object{sa("default")},
			pod: func(p *corev1.Pod) {
				m := []corev1.VolumeMount{{Name: "mine", MountPath: MountPath}}
				p.Spec.InitContainers[0].VolumeMounts = m
				p.Spec.Containers[0].VolumeMounts = m
				p.Spec.Containers[1].VolumeMounts = m
			},
			check: func(t *testing.T, pod *corev1.Pod) {
				if len(pod.Spec.Volumes) != 0 {
					t.Errorf("volumes %v", pod.Spec.Volumes)
				}
			},
		},
		{
			name: "existing kube-api-access volume reused",
			sas:  []runtime.Object{sa("default")},
			pod: func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{{Name: "kube-api-access-zzzzz", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
			},
			check: func(t *testing.T, pod *corev1.Pod) {
				if len(pod.Spec.Volumes) != 1 || pod.Spec.Volumes[0].EmptyDir == nil {
					t.Errorf("volumes %v", pod.Spec.Volumes)
				}
				if got := pod.Spec.Containers[0].VolumeMounts[0].Name; got != "kube-api-access-zzzzz" {
					t.Errorf("mount of %s", got)
				}
			},
		},
		{
			name: "image pull secrets copied",
			sas: []runtime.Object{sa("default", func(s *corev1.ServiceAccount) {
				s.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "reg"}}
			})},
			check: func(t *testing.T, pod *corev1.Pod) {
				if diff := cmp.Diff([]corev1.LocalObjectReference{{Name: "reg"}}, pod.Spec.ImagePullSecrets); diff != "" {
					t.Errorf("pull secrets (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "own image pull secrets kept",
			sas: []runtime.Object{sa("default", func(s *corev1.ServiceAccount) {
				s.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "reg"}}
			})},
			pod: func(p *corev1.Pod) { p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "own"}} },
			check: func(t *testing.T, pod *corev1.Pod) {
				if len(pod.Spec.ImagePullSecrets) != 1 || pod.Spec.ImagePullSecrets[0].Name != "own" {
					t.Errorf("pull secrets %v", pod.Spec.ImagePullSecrets)
				}
			},
		},
		{
			name: "enforced mountable secrets",
			sas: []runtime.Object{sa("default", func(s *corev1.ServiceAccount) {
				s.Annotations = map[string]string{EnforceMountableSecretsAnnotation: "true"}
				s.Secrets = []corev1.ObjectReference{{Name: "ok"}}
			})},
			pod: func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{
					{Name: "a", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "ok"}}},
					{Name: "b", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "nope"}}},
				}
			},
			wantErr: `pods "p" is forbidden: volume with secret.secretName="nope" is not allowed because service account default does not reference that secret`,
		},
		{
			name: "enforced: env of an init container",
			sas: []runtime.Object{sa("default", func(s *corev1.ServiceAccount) {
				s.Annotations = map[string]string{EnforceMountableSecretsAnnotation: "true"}
			})},
			pod: func(p *corev1.Pod) {
				p.Spec.InitContainers[0].Env = []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{
					SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}}}
			},
			wantErr: `pods "p" is forbidden: init container init with envVar X referencing secret.secretName="s" is not allowed because service account default does not reference that secret`,
		},
		{
			name: "annotation false does not enforce",
			sas: []runtime.Object{sa("default", func(s *corev1.ServiceAccount) {
				s.Annotations = map[string]string{EnforceMountableSecretsAnnotation: "false"}
			})},
			pod: func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{{Name: "b", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "nope"}}}}
			},
		},
		{
			name: "mirror pod untouched",
			pod: func(p *corev1.Pod) {
				p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
			},
			check: func(t *testing.T, pod *corev1.Pod) {
				if pod.Spec.ServiceAccountName != "" || len(pod.Spec.Volumes) != 0 {
					t.Errorf("mirror pod changed: %+v", pod.Spec)
				}
			},
		},
		{
			name: "mirror pod with service account",
			pod: func(p *corev1.Pod) {
				p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
				p.Spec.ServiceAccountName = "default"
			},
			wantErr: `pods "p" is forbidden: a mirror pod may not reference service accounts`,
		},
		{
			name: "mirror pod with secret",
			pod: func(p *corev1.Pod) {
				p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
				p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}}}}
			},
			wantErr: `pods "p" is forbidden: a mirror pod may not reference secrets`,
		},
		{
			name: "mirror pod with token projection",
			pod: func(p *corev1.Pod) {
				p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
				p.Spec.Volumes = []corev1.Volume{{Name: "t", VolumeSource: corev1.VolumeSource{Projected: TokenVolumeSource()}}}
			},
			wantErr: `pods "p" is forbidden: a mirror pod may not use ServiceAccountToken volume projections`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPlugin(t, tt.sas...)
			pod := basicPod()
			if tt.pod != nil {
				tt.pod(pod)
			}
			err := admissiontest.Run(p, podRequest(admission.Create, "", pod))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if !apierrors.IsForbidden(err) {
					t.Errorf("error is not Forbidden: %#v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, pod)
			}
		})
	}
}

// TestDefaultLookedUpLive: a default ServiceAccount the informer has not seen yet is found
// with live reads, which are retried for the default one only.
func TestDefaultLookedUpLive(t *testing.T) {
	p := New()
	p.retryInterval = func() time.Duration { return time.Millisecond }
	client := admissiontest.Init(t, p)
	// Created after the informer synced: the fake informer may or may not see it, the live
	// read does.
	if _, err := client.CoreV1().ServiceAccounts("ns").Create(context.Background(), sa("default"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := basicPod()
	if err := admissiontest.Run(p, podRequest(admission.Create, "", pod)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pod.Spec.Volumes[0].Name, VolumeNamePrefix) || len(pod.Spec.Volumes[0].Name) != len(VolumeNamePrefix)+5 {
		t.Errorf("volume name %q", pod.Spec.Volumes[0].Name)
	}

	p2 := New()
	p2.retryInterval = func() time.Duration { return time.Millisecond }
	client2 := admissiontest.Init(t, p2)
	if _, err := p2.serviceAccount(context.Background(), "ns", "default"); !apierrors.IsNotFound(err) {
		t.Fatalf("error %v, want NotFound", err)
	}
	gets := func() int {
		n := 0
		for _, a := range client2.Actions() {
			if a.GetVerb() == "get" && a.GetResource().Resource == "serviceaccounts" {
				n++
			}
		}
		return n
	}
	if n := gets(); n != defaultLookupAttempts {
		t.Errorf("%d live reads of the default ServiceAccount, want %d", n, defaultLookupAttempts)
	}
	before := gets()
	if _, err := p2.serviceAccount(context.Background(), "ns", "robot"); !apierrors.IsNotFound(err) {
		t.Fatalf("error %v, want NotFound", err)
	}
	if n := gets() - before; n != 1 {
		t.Errorf("%d live reads of another ServiceAccount, want 1", n)
	}
}

func TestUpdatesAndOtherResources(t *testing.T) {
	p := newPlugin(t) // no ServiceAccount at all
	pod := basicPod()
	if err := admissiontest.Run(p, podRequest(admission.Update, "", pod)); err != nil {
		t.Errorf("update: %v", err)
	}
	if pod.Spec.ServiceAccountName != "" {
		t.Error("update was mutated")
	}
	if err := admissiontest.Run(p, podRequest(admission.Update, "status", pod)); err != nil {
		t.Errorf("status update: %v", err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ns"}}
	err := admissiontest.Run(p, admissiontest.Request{
		Op: admission.Create, Namespace: "ns", Object: cm,
		Resource: corev1.SchemeGroupVersion.WithResource("configmaps"), Kind: corev1.SchemeGroupVersion.WithKind("ConfigMap"),
	})
	if err != nil {
		t.Errorf("configmap: %v", err)
	}
}

func TestEphemeralContainers(t *testing.T) {
	enforced := sa("default", func(s *corev1.ServiceAccount) {
		s.Annotations = map[string]string{EnforceMountableSecretsAnnotation: "true"}
		s.Secrets = []corev1.ObjectReference{{Name: "ok"}}
	})
	withEphemeral := func(secret string) *corev1.Pod {
		pod := basicPod()
		pod.Spec.ServiceAccountName = "default"
		pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "debug", Image: "i",
			EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: secret}}}},
		}}}
		return pod
	}
	tests := []struct {
		name    string
		sa      *corev1.ServiceAccount
		pod     *corev1.Pod
		wantErr string
	}{
		{name: "allowed secret", sa: enforced, pod: withEphemeral("ok")},
		{name: "not enforced", sa: sa("default"), pod: withEphemeral("nope")},
		{
			name: "other secret", sa: enforced, pod: withEphemeral("nope"),
			wantErr: `ephemeral container debug with envFrom referencing secret.secretName="nope" is not allowed because service account default does not reference that secret`,
		},
		{
			name: "no service account", sa: enforced, pod: basicPod(),
			wantErr: `pods "p" is forbidden: no service account specified for pod ns/p`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPlugin(t, tt.sa)
			err := admissiontest.Run(p, podRequest(admission.Update, "ephemeralcontainers", tt.pod))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSecretNames(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "pull"}, {Name: ""}},
		Containers: []corev1.Container{{Env: []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "env"}}}}}}},
		Volumes: []corev1.Volume{
			{VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "vol"}}},
			{VolumeSource: corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{NodePublishSecretRef: &corev1.LocalObjectReference{Name: "csi"}}}},
			{VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "proj"}}}}}}},
			{VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}}},
		},
	}}
	if diff := cmp.Diff([]string{"pull", "env", "vol", "csi", "proj"}, secretNames(pod)); diff != "" {
		t.Errorf("secret names (-want +got):\n%s", diff)
	}
}
