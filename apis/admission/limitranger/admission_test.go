package limitranger

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/kubernetes/fake"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

func rl(pairs ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i+1 < len(pairs); i += 2 {
		l[corev1.ResourceName(pairs[i])] = resource.MustParse(pairs[i+1])
	}
	return l
}

func limitRange(items ...corev1.LimitRangeItem) *corev1.LimitRange {
	return &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "limits", Namespace: "ns"}, Spec: corev1.LimitRangeSpec{Limits: items}}
}

func container(name string, requests, limits corev1.ResourceList) corev1.Container {
	return corev1.Container{Name: name, Image: "i", Resources: corev1.ResourceRequirements{Requests: requests, Limits: limits}}
}

func podOf(containers ...corev1.Container) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: corev1.PodSpec{Containers: containers}}
}

func podRequest(op admission.Operation, pod *corev1.Pod) admissiontest.Request {
	r := admissiontest.Request{
		Op: op, Namespace: "ns", Object: pod,
		Resource: corev1.SchemeGroupVersion.WithResource("pods"), Kind: corev1.SchemeGroupVersion.WithKind("Pod"),
	}
	if op == admission.Update {
		r.OldObject = pod.DeepCopy()
	}
	return r
}

func TestDefaults(t *testing.T) {
	defaults := limitRange(corev1.LimitRangeItem{
		Type:           corev1.LimitTypeContainer,
		Default:        rl("cpu", "500m", "memory", "256Mi"),
		DefaultRequest: rl("cpu", "100m", "memory", "128Mi"),
	})
	tests := []struct {
		name           string
		pod            *corev1.Pod
		want           []corev1.ResourceRequirements
		wantInit       []corev1.ResourceRequirements
		wantAnnotation string
	}{
		{
			name:           "all defaulted",
			pod:            podOf(container("app", nil, nil)),
			want:           []corev1.ResourceRequirements{{Requests: rl("cpu", "100m", "memory", "128Mi"), Limits: rl("cpu", "500m", "memory", "256Mi")}},
			wantAnnotation: "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app",
		},
		{
			name:           "own values kept",
			pod:            podOf(container("app", rl("cpu", "200m"), rl("memory", "1Gi"))),
			want:           []corev1.ResourceRequirements{{Requests: rl("cpu", "200m", "memory", "128Mi"), Limits: rl("cpu", "500m", "memory", "1Gi")}},
			wantAnnotation: "LimitRanger plugin set: memory request for container app; cpu limit for container app",
		},
		{
			name: "nothing to set",
			pod:  podOf(container("app", rl("cpu", "200m", "memory", "1Gi"), rl("cpu", "1", "memory", "1Gi"))),
			want: []corev1.ResourceRequirements{{Requests: rl("cpu", "200m", "memory", "1Gi"), Limits: rl("cpu", "1", "memory", "1Gi")}},
		},
		{
			name: "init containers",
			pod: func() *corev1.Pod {
				p := podOf(container("app", rl("cpu", "100m", "memory", "128Mi"), rl("cpu", "500m", "memory", "256Mi")))
				p.Spec.InitContainers = []corev1.Container{container("init", nil, nil)}
				return p
			}(),
			want:           []corev1.ResourceRequirements{{Requests: rl("cpu", "100m", "memory", "128Mi"), Limits: rl("cpu", "500m", "memory", "256Mi")}},
			wantInit:       []corev1.ResourceRequirements{{Requests: rl("cpu", "100m", "memory", "128Mi"), Limits: rl("cpu", "500m", "memory", "256Mi")}},
			wantAnnotation: "LimitRanger plugin set: cpu, memory request for init container init; cpu, memory limit for init container init",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			admissiontest.Init(t, p, defaults)
			if err := admissiontest.Run(p, podRequest(admission.Create, tt.pod)); err != nil {
				t.Fatal(err)
			}
			var got, gotInit []corev1.ResourceRequirements
			for _, c := range tt.pod.Spec.Containers {
				got = append(got, c.Resources)
			}
			for _, c := range tt.pod.Spec.InitContainers {
				gotInit = append(gotInit, c.Resources)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("containers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantInit, gotInit); diff != "" {
				t.Errorf("init containers (-want +got):\n%s", diff)
			}
			if a := tt.pod.Annotations[Annotation]; a != tt.wantAnnotation {
				t.Errorf("annotation = %q, want %q", a, tt.wantAnnotation)
			}
		})
	}
}

func TestPodUpdateIgnored(t *testing.T) {
	p := New()
	admissiontest.Init(t, p, limitRange(corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Default: rl("cpu", "1"), Min: rl("cpu", "2")}))
	pod := podOf(container("app", nil, nil))
	if err := admissiontest.Run(p, podRequest(admission.Update, pod)); err != nil || pod.Spec.Containers[0].Resources.Limits != nil {
		t.Errorf("update: err %v, resources %v", err, pod.Spec.Containers[0].Resources)
	}
}

func TestValidatePod(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	tests := []struct {
		name    string
		item    corev1.LimitRangeItem
		pod     *corev1.Pod
		wantErr string
	}{
		{
			name: "container within bounds",
			item: corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Min: rl("cpu", "100m"), Max: rl("cpu", "1")},
			pod:  podOf(container("app", rl("cpu", "200m"), rl("cpu", "500m"))),
		},
		{
			name:    "container min without request",
			item:    corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Min: rl("memory", "64Mi")},
			pod:     podOf(container("app", nil, nil)),
			wantErr: "minimum memory usage per Container is 64Mi.  No request is specified",
		},
		{
			name:    "container below min",
			item:    corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Min: rl("cpu", "100m")},
			pod:     podOf(container("app", rl("cpu", "50m"), nil)),
			wantErr: "minimum cpu usage per Container is 100m, but request is 50m",
		},
		{
			name:    "container limit below min",
			item:    corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Min: rl("cpu", "100m")},
			pod:     podOf(container("app", rl("cpu", "100m"), rl("cpu", "50m"))),
			wantErr: "minimum cpu usage per Container is 100m, but limit is 50m",
		},
		{
			name:    "container max without limit",
			item:    corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Max: rl("cpu", "1")},
			pod:     podOf(container("app", rl("cpu", "100m"), nil)),
			wantErr: "maximum cpu usage per Container is 1.  No limit is specified",
		},
		{
			name:    "container above max",
			item:    corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Max: rl("cpu", "1")},
			pod:     podOf(container("app", nil, rl("cpu", "2"))),
			wantErr: "maximum cpu usage per Container is 1, but limit is 2",
		},
		{
			name:    "ratio exceeded",
			item:    corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, MaxLimitRequestRatio: rl("cpu", "2")},
			pod:     podOf(container("app", rl("cpu", "100m"), rl("cpu", "300m"))),
			wantErr: "cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000",
		},
		{
			name:    "ratio without request",
			item:    corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, MaxLimitRequestRatio: rl("cpu", "2")},
			pod:     podOf(container("app", nil, rl("cpu", "300m"))),
			wantErr: "cpu max limit to request ratio per Container is 2, but no request is specified or request is 0",
		},
		{
			name: "ratio within",
			item: corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, MaxLimitRequestRatio: rl("cpu", "2")},
			pod:  podOf(container("app", rl("cpu", "100m"), rl("cpu", "200m"))),
		},
		{
			name:    "two errors aggregated",
			item:    corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Max: rl("cpu", "1")},
			pod:     podOf(container("a", nil, rl("cpu", "2")), container("b", nil, rl("cpu", "3"))),
			wantErr: "[maximum cpu usage per Container is 1, but limit is 2, maximum cpu usage per Container is 1, but limit is 3]",
		},
		{
			name:    "pod total above max",
			item:    corev1.LimitRangeItem{Type: corev1.LimitTypePod, Max: rl("cpu", "1")},
			pod:     podOf(container("a", nil, rl("cpu", "600m")), container("b", nil, rl("cpu", "600m"))),
			wantErr: "maximum cpu usage per Pod is 1, but limit is 1200m",
		},
		{
			name: "pod total counts the largest init container",
			item: corev1.LimitRangeItem{Type: corev1.LimitTypePod, Max: rl("cpu", "1")},
			pod: func() *corev1.Pod {
				p := podOf(container("a", nil, rl("cpu", "500m")))
				p.Spec.InitContainers = []corev1.Container{container("init", nil, rl("cpu", "2"))}
				return p
			}(),
			wantErr: "maximum cpu usage per Pod is 1, but limit is 2",
		},
		{
			name: "pod total adds sidecars",
			item: corev1.LimitRangeItem{Type: corev1.LimitTypePod, Max: rl("cpu", "1")},
			pod: func() *corev1.Pod {
				p := podOf(container("a", nil, rl("cpu", "600m")))
				sidecar := container("sidecar", nil, rl("cpu", "600m"))
				sidecar.RestartPolicy = &always
				p.Spec.InitContainers = []corev1.Container{sidecar}
				return p
			}(),
			wantErr: "maximum cpu usage per Pod is 1, but limit is 1200m",
		},
		{
			name: "pod-level resources override",
			item: corev1.LimitRangeItem{Type: corev1.LimitTypePod, Max: rl("cpu", "1")},
			pod: func() *corev1.Pod {
				p := podOf(container("a", nil, nil))
				p.Spec.Resources = &corev1.ResourceRequirements{Limits: rl("cpu", "800m")}
				return p
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			admissiontest.Init(t, p, limitRange(tt.item))
			err := admissiontest.Run(p, podRequest(admission.Create, tt.pod))
			checkErr(t, err, "pods", tt.wantErr)
		})
	}
}

func checkErr(t *testing.T, err error, resource, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	full := resource + ` "p" is forbidden: ` + want
	if !apierrors.IsForbidden(err) || err.Error() != full {
		t.Fatalf("err = %v, want 403 %s", err, full)
	}
}

func TestValidateClaim(t *testing.T) {
	bounds := limitRange(corev1.LimitRangeItem{Type: corev1.LimitTypePersistentVolumeClaim, Min: rl("storage", "1Gi"), Max: rl("storage", "10Gi")})
	claim := func(requests corev1.ResourceList) *corev1.PersistentVolumeClaim {
		return &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"},
			Spec:       corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: requests}},
		}
	}
	tests := []struct {
		name    string
		op      admission.Operation
		pvc     *corev1.PersistentVolumeClaim
		wantErr string
	}{
		{name: "within", pvc: claim(rl("storage", "5Gi"))},
		{name: "below min", pvc: claim(rl("storage", "500Mi")), wantErr: "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi"},
		{name: "above max", pvc: claim(rl("storage", "20Gi")), wantErr: "maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi"},
		{name: "above max on update", op: admission.Update, pvc: claim(rl("storage", "20Gi")), wantErr: "maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			admissiontest.Init(t, p, bounds)
			op := tt.op
			if op == "" {
				op = admission.Create
			}
			r := admissiontest.Request{
				Op: op, Namespace: "ns", Object: tt.pvc,
				Resource: corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims"),
				Kind:     corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"),
			}
			if op == admission.Update {
				r.OldObject = claim(rl("storage", "5Gi"))
			}
			checkErr(t, admissiontest.Run(p, r), "persistentvolumeclaims", tt.wantErr)
		})
	}

	// A claim being deleted (finalizers) may still be updated.
	p := New()
	admissiontest.Init(t, p, bounds)
	old := claim(rl("storage", "20Gi"))
	old.DeletionTimestamp = ptr.To(metav1.Now())
	err := admissiontest.Run(p, admissiontest.Request{
		Op: admission.Update, Namespace: "ns", Object: claim(rl("storage", "20Gi")), OldObject: old,
		Resource: corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims"),
		Kind:     corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"),
	})
	if err != nil {
		t.Errorf("update of a deleted claim: %v", err)
	}
}

// TestLiveLookup: when the informer has nothing for the namespace (it may lag), LimitRanger
// lists live.
func TestLiveLookup(t *testing.T) {
	p := New()
	p.SetExternalKubeClientSet(fake.NewClientset(limitRange(corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Default: rl("cpu", "1")})))
	p.lister = corelisters.NewLimitRangeLister(cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}))
	pod := podOf(container("app", nil, nil))
	if err := admissiontest.Run(p, podRequest(admission.Create, pod)); err != nil {
		t.Fatal(err)
	}
	if got := pod.Spec.Containers[0].Resources.Limits; !cmp.Equal(got, rl("cpu", "1")) {
		t.Errorf("limits = %v", got)
	}
}

func TestOtherKindsIgnored(t *testing.T) {
	p := New()
	admissiontest.Init(t, p, limitRange(corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Min: rl("cpu", "1")}))
	pod := podOf(container("app", nil, nil))
	r := podRequest(admission.Update, pod)
	r.Subresource = "status"
	if err := admissiontest.Run(p, r); err != nil {
		t.Errorf("status: %v", err)
	}
	err := admissiontest.Run(p, admissiontest.Request{
		Op: admission.Create, Namespace: "ns", Object: &corev1.ConfigMap{},
		Resource: corev1.SchemeGroupVersion.WithResource("configmaps"), Kind: corev1.SchemeGroupVersion.WithKind("ConfigMap"),
	})
	if err != nil {
		t.Errorf("configmap: %v", err)
	}
}
