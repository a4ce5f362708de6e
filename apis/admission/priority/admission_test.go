package priority

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

func class(name string, value int32, globalDefault bool, policy corev1.PreemptionPolicy) *schedulingv1.PriorityClass {
	return &schedulingv1.PriorityClass{
		ObjectMeta: metav1.ObjectMeta{Name: name}, Value: value, GlobalDefault: globalDefault,
		PreemptionPolicy: ptr.To(policy),
	}
}

var systemClusterCritical = class("system-cluster-critical", 2000000000, false, corev1.PreemptLowerPriority)

func pod(className string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"},
		Spec:       corev1.PodSpec{PriorityClassName: className, Containers: []corev1.Container{{Name: "c", Image: "i"}}},
	}
}

func podRequest(op admission.Operation, obj, old *corev1.Pod) admissiontest.Request {
	r := admissiontest.Request{
		Op: op, Namespace: "ns", Object: obj,
		Resource: corev1.SchemeGroupVersion.WithResource("pods"), Kind: corev1.SchemeGroupVersion.WithKind("Pod"),
	}
	if old != nil {
		r.OldObject = old
	}
	return r
}

func TestAdmitPod(t *testing.T) {
	never := corev1.PreemptNever
	tests := []struct {
		name         string
		classes      []runtime.Object
		pod          *corev1.Pod
		wantClass    string
		wantPriority int32
		wantPolicy   *corev1.PreemptionPolicy
		wantErr      string
	}{
		{name: "no class, no default", pod: pod(""), wantPriority: 0, wantPolicy: ptr.To(corev1.PreemptLowerPriority)},
		{
			name: "system class", classes: []runtime.Object{systemClusterCritical},
			pod: pod("system-cluster-critical"), wantClass: "system-cluster-critical", wantPriority: 2000000000, wantPolicy: ptr.To(corev1.PreemptLowerPriority),
		},
		{
			name: "global default", classes: []runtime.Object{class("low", 10, true, corev1.PreemptNever), class("high", 1000, false, corev1.PreemptLowerPriority)},
			pod: pod(""), wantClass: "low", wantPriority: 10, wantPolicy: &never,
		},
		{
			name: "lowest of two defaults", classes: []runtime.Object{class("a", 10, true, corev1.PreemptNever), class("b", 5, true, corev1.PreemptLowerPriority)},
			pod: pod(""), wantClass: "b", wantPriority: 5, wantPolicy: ptr.To(corev1.PreemptLowerPriority),
		},
		{
			name: "named class beats default", classes: []runtime.Object{class("low", 10, true, corev1.PreemptNever), class("high", 1000, false, corev1.PreemptLowerPriority)},
			pod: pod("high"), wantClass: "high", wantPriority: 1000, wantPolicy: ptr.To(corev1.PreemptLowerPriority),
		},
		{name: "unknown class", pod: pod("does-not-exist"), wantErr: "no PriorityClass with name does-not-exist was found"},
		{
			name: "matching priority given", classes: []runtime.Object{systemClusterCritical},
			pod: func() *corev1.Pod {
				p := pod("system-cluster-critical")
				p.Spec.Priority = ptr.To[int32](2000000000)
				return p
			}(),
			wantClass: "system-cluster-critical", wantPriority: 2000000000, wantPolicy: ptr.To(corev1.PreemptLowerPriority),
		},
		{
			name: "different priority given", classes: []runtime.Object{systemClusterCritical},
			pod:     func() *corev1.Pod { p := pod("system-cluster-critical"); p.Spec.Priority = ptr.To[int32](1); return p }(),
			wantErr: "the integer value of priority (1) must not be provided in pod spec; priority admission controller computed 2000000000 from the given PriorityClass name",
		},
		{
			name:    "different preemption policy given",
			pod:     func() *corev1.Pod { p := pod(""); p.Spec.PreemptionPolicy = &never; return p }(),
			wantErr: "the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			admissiontest.Init(t, p, tt.classes...)
			err := admissiontest.Run(p, podRequest(admission.Create, tt.pod, nil))
			if tt.wantErr != "" {
				if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want 403 %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			spec := tt.pod.Spec
			if spec.PriorityClassName != tt.wantClass || ptr.Deref(spec.Priority, -1) != tt.wantPriority || !ptr.Equal(spec.PreemptionPolicy, tt.wantPolicy) {
				t.Errorf("got class %q priority %v policy %v; want %q %d %v", spec.PriorityClassName,
					ptr.Deref(spec.Priority, -1), ptr.Deref(spec.PreemptionPolicy, ""), tt.wantClass, tt.wantPriority, ptr.Deref(tt.wantPolicy, ""))
			}
		})
	}
}

func TestAdmitPodMessage(t *testing.T) {
	p := New()
	admissiontest.Init(t, p)
	r := podRequest(admission.Create, pod("does-not-exist"), nil)
	r.Name = "missing-pc"
	err := admissiontest.Run(p, r)
	want := `pods "missing-pc" is forbidden: no PriorityClass with name does-not-exist was found`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

func TestUpdateKeepsPriority(t *testing.T) {
	p := New()
	admissiontest.Init(t, p)
	old := pod("")
	old.Spec.Priority, old.Spec.PreemptionPolicy = ptr.To[int32](7), ptr.To(corev1.PreemptNever)
	updated := pod("")
	if err := admissiontest.Run(p, podRequest(admission.Update, updated, old)); err != nil {
		t.Fatal(err)
	}
	if ptr.Deref(updated.Spec.Priority, 0) != 7 || ptr.Deref(updated.Spec.PreemptionPolicy, "") != corev1.PreemptNever {
		t.Errorf("update lost priority: %v %v", updated.Spec.Priority, updated.Spec.PreemptionPolicy)
	}
	// A subresource (status) is left alone.
	status := pod("")
	r := podRequest(admission.Update, status, old)
	r.Subresource = "status"
	if err := admissiontest.Run(p, r); err != nil || status.Spec.Priority != nil {
		t.Errorf("status update: err %v, priority %v", err, status.Spec.Priority)
	}
}

func TestValidatePriorityClass(t *testing.T) {
	existing := class("default", 100, true, corev1.PreemptLowerPriority)
	tests := []struct {
		name    string
		op      admission.Operation
		pc      *schedulingv1.PriorityClass
		wantErr bool
	}{
		{name: "second default on create", op: admission.Create, pc: class("other", 1, true, corev1.PreemptLowerPriority), wantErr: true},
		{name: "non-default on create", op: admission.Create, pc: class("other", 1, false, corev1.PreemptLowerPriority)},
		{name: "update of the default", op: admission.Update, pc: class("default", 100, true, corev1.PreemptLowerPriority)},
		{name: "another becomes default", op: admission.Update, pc: class("other", 1, true, corev1.PreemptLowerPriority), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			admissiontest.Init(t, p, existing)
			r := admissiontest.Request{
				Op: tt.op, Object: tt.pc,
				Resource: schedulingv1.SchemeGroupVersion.WithResource("priorityclasses"),
				Kind:     schedulingv1.SchemeGroupVersion.WithKind("PriorityClass"),
			}
			if tt.op == admission.Update {
				r.OldObject = tt.pc.DeepCopy()
			}
			err := admissiontest.Run(p, r)
			if tt.wantErr {
				want := `priorityclasses.scheduling.k8s.io "` + tt.pc.Name + `" is forbidden: PriorityClass default is already marked as default. Only one default can exist`
				if err == nil || err.Error() != want {
					t.Fatalf("err = %v, want %s", err, want)
				}
			} else if err != nil {
				t.Fatal(err)
			}
		})
	}
}
