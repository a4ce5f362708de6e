package runtimeclass

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/kubernetes/fake"
	nodelisters "k8s.io/client-go/listers/node/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

var (
	overhead      = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}
	gpuToleration = corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}
	kata          = &nodev1.RuntimeClass{
		ObjectMeta: metav1.ObjectMeta{Name: "kata"}, Handler: "kata",
		Overhead: &nodev1.Overhead{PodFixed: overhead},
		Scheduling: &nodev1.Scheduling{
			NodeSelector: map[string]string{"runtime": "kata"},
			Tolerations:  []corev1.Toleration{gpuToleration},
		},
	}
	runc = &nodev1.RuntimeClass{ObjectMeta: metav1.ObjectMeta{Name: "runc"}, Handler: "runc"}
)

func pod(runtimeClass string, mutate ...func(*corev1.PodSpec)) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}
	if runtimeClass != "" {
		p.Spec.RuntimeClassName = ptr.To(runtimeClass)
	}
	for _, m := range mutate {
		m(&p.Spec)
	}
	return p
}

func request(p *corev1.Pod) admissiontest.Request {
	return admissiontest.Request{
		Op: admission.Create, Namespace: "ns", Object: p,
		Resource: corev1.SchemeGroupVersion.WithResource("pods"), Kind: corev1.SchemeGroupVersion.WithKind("Pod"),
	}
}

func TestAdmit(t *testing.T) {
	tests := []struct {
		name    string
		pod     *corev1.Pod
		want    *corev1.Pod
		wantErr string
	}{
		{name: "no runtime class", pod: pod(""), want: pod("")},
		{name: "class without overhead or scheduling", pod: pod("runc"), want: pod("runc")},
		{
			name: "overhead and scheduling copied", pod: pod("kata"),
			want: pod("kata", func(s *corev1.PodSpec) {
				s.Overhead, s.NodeSelector, s.Tolerations = overhead, map[string]string{"runtime": "kata"}, []corev1.Toleration{gpuToleration}
			}),
		},
		{
			name: "selectors merged", pod: pod("kata", func(s *corev1.PodSpec) { s.NodeSelector = map[string]string{"zone": "a"} }),
			want: pod("kata", func(s *corev1.PodSpec) {
				s.Overhead, s.NodeSelector, s.Tolerations = overhead, map[string]string{"zone": "a", "runtime": "kata"}, []corev1.Toleration{gpuToleration}
			}),
		},
		{
			name: "pod's broader toleration kept",
			pod:  pod("kata", func(s *corev1.PodSpec) { s.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}} }),
			want: pod("kata", func(s *corev1.PodSpec) {
				s.Overhead, s.NodeSelector, s.Tolerations = overhead, map[string]string{"runtime": "kata"}, []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
			}),
		},
		{
			name:    "selector conflict",
			pod:     pod("kata", func(s *corev1.PodSpec) { s.NodeSelector = map[string]string{"runtime": "runc"} }),
			wantErr: `pods "p" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[runtime] = kata; pod.spec.nodeSelector[runtime] = runc`,
		},
		{
			name:    "own overhead differs",
			pod:     pod("kata", func(s *corev1.PodSpec) { s.Overhead = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")} }),
			wantErr: `pods "p" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead`,
		},
		{
			name:    "overhead without class overhead",
			pod:     pod("runc", func(s *corev1.PodSpec) { s.Overhead = overhead }),
			wantErr: `pods "p" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead`,
		},
		{
			name:    "overhead without class",
			pod:     pod("", func(s *corev1.PodSpec) { s.Overhead = overhead }),
			wantErr: `pods "p" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead`,
		},
		{name: "unknown class", pod: pod("missing"), wantErr: `pods "p" is forbidden: pod rejected: RuntimeClass "missing" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			admissiontest.Init(t, p, kata, runc)
			err := admissiontest.Run(p, request(tt.pod))
			if tt.wantErr != "" {
				if !apierrors.IsForbidden(err) || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want 403 %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tt.pod); diff != "" {
				t.Errorf("pod (-want +got):\n%s", diff)
			}
		})
	}
	if kata.Scheduling.NodeSelector["zone"] != "" {
		t.Error("the informer's RuntimeClass was modified")
	}
}

// TestLiveLookup: a RuntimeClass the informer has not seen yet is fetched.
func TestLiveLookup(t *testing.T) {
	p := New()
	p.SetExternalKubeClientSet(fake.NewClientset(kata))
	p.lister = nodelisters.NewRuntimeClassLister(cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{}))
	got := pod("kata")
	if err := admissiontest.Run(p, request(got)); err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(got.Spec.Overhead, overhead) {
		t.Errorf("overhead = %v", got.Spec.Overhead)
	}
}

func TestMergeTolerations(t *testing.T) {
	all := corev1.Toleration{Operator: corev1.TolerationOpExists}
	a := corev1.Toleration{Key: "a", Operator: corev1.TolerationOpEqual, Value: "1", Effect: corev1.TaintEffectNoSchedule}
	aAnyEffect := corev1.Toleration{Key: "a", Operator: corev1.TolerationOpEqual, Value: "1"}
	b := corev1.Toleration{Key: "b", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](60)}
	bLonger := corev1.Toleration{Key: "b", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](120)}
	tests := []struct {
		name          string
		first, second []corev1.Toleration
		want          []corev1.Toleration
	}{
		{name: "disjoint", first: []corev1.Toleration{a}, second: []corev1.Toleration{b}, want: []corev1.Toleration{a, b}},
		{name: "duplicate kept once", first: []corev1.Toleration{a}, second: []corev1.Toleration{a}, want: []corev1.Toleration{a}},
		{name: "superset later wins", first: []corev1.Toleration{a}, second: []corev1.Toleration{aAnyEffect}, want: []corev1.Toleration{aAnyEffect}},
		{name: "tolerate all", first: []corev1.Toleration{a, b}, second: []corev1.Toleration{all}, want: []corev1.Toleration{all}},
		{name: "longer seconds is the superset", first: []corev1.Toleration{bLonger}, second: []corev1.Toleration{b}, want: []corev1.Toleration{bLonger}},
		{name: "empty", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, MergeTolerations(tt.first, tt.second)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
