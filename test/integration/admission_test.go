package integration

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

func admPod(name string, mutate ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

// admPoll creates objects until check accepts one (admission plugins read informers, which may
// lag behind an object the test has just created) and returns it.
func admPoll[T any](t *testing.T, create func(ctx context.Context) (T, error), check func(T) bool) T {
	t.Helper()
	var last T
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		obj, err := create(ctx)
		if err != nil {
			return false, err
		}
		last = obj
		return check(obj), nil
	})
	if err != nil {
		t.Fatalf("%v; last object: %+v", err, last)
	}
	return last
}

// TestAdmissionPodDefaults: Priority and DefaultTolerationSeconds complete a plain pod; a
// system class resolves to its value; an unknown class is 403.
func TestAdmissionPodDefaults(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	pods := testServer.Client(t).CoreV1().Pods(ns)

	pod, err := pods.Create(ctx, admPod("plain"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ptr.Deref(pod.Spec.Priority, -1) != 0 || ptr.Deref(pod.Spec.PreemptionPolicy, "") != corev1.PreemptLowerPriority || pod.Spec.PriorityClassName != "" {
		t.Errorf("priority %v, policy %v, class %q; want 0, PreemptLowerPriority, none",
			pod.Spec.Priority, pod.Spec.PreemptionPolicy, pod.Spec.PriorityClassName)
	}
	want := []corev1.Toleration{
		{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)},
		{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)},
	}
	if !slices.EqualFunc(pod.Spec.Tolerations, want, func(a, b corev1.Toleration) bool {
		return a.Key == b.Key && a.Operator == b.Operator && a.Effect == b.Effect && ptr.Equal(a.TolerationSeconds, b.TolerationSeconds)
	}) {
		t.Errorf("tolerations = %+v, want %+v", pod.Spec.Tolerations, want)
	}

	// An update that omits priority keeps it.
	pod.Spec.Priority, pod.Spec.PreemptionPolicy = nil, nil
	pod.Spec.Containers[0].Image = "nginx:1.27"
	if pod, err = pods.Update(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if ptr.Deref(pod.Spec.Priority, -1) != 0 || ptr.Deref(pod.Spec.PreemptionPolicy, "") != corev1.PreemptLowerPriority {
		t.Errorf("after update: priority %v, policy %v", pod.Spec.Priority, pod.Spec.PreemptionPolicy)
	}

	critical, err := pods.Create(ctx, admPod("critical", func(p *corev1.Pod) { p.Spec.PriorityClassName = "system-cluster-critical" }), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ptr.Deref(critical.Spec.Priority, -1) != 2000000000 || ptr.Deref(critical.Spec.PreemptionPolicy, "") != corev1.PreemptLowerPriority {
		t.Errorf("system-cluster-critical: priority %v, policy %v", critical.Spec.Priority, critical.Spec.PreemptionPolicy)
	}

	_, err = pods.Create(ctx, admPod("missing-pc", func(p *corev1.Pod) { p.Spec.PriorityClassName = "does-not-exist" }), metav1.CreateOptions{})
	if wantMsg := `pods "missing-pc" is forbidden: no PriorityClass with name does-not-exist was found`; !apierrors.IsForbidden(err) || err.Error() != wantMsg {
		t.Errorf("unknown class: err = %v, want 403 %s", err, wantMsg)
	}
}

// TestAdmissionStorage: a claim without a class gets the default StorageClass, and claims
// get the pvc-protection finalizer.
func TestAdmissionStorage(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t)
	ns := testServer.Namespace(t)

	sc, err := client.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: "adm-default-",
			Annotations:  map[string]string{"storageclass.kubernetes.io/is-default-class": "true"},
		},
		Provisioner: "example.com/none",
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// While it exists it is every new claim's class; other tests' claims must not get it.
	t.Cleanup(func() {
		_ = client.StorageV1().StorageClasses().Delete(context.Background(), sc.Name, metav1.DeleteOptions{})
	})

	pvcs := client.CoreV1().PersistentVolumeClaims(ns)
	claim := func(class *string) *corev1.PersistentVolumeClaim {
		return &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "data-"},
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
				StorageClassName: class,
			},
		}
	}
	pvc := admPoll(t, func(ctx context.Context) (*corev1.PersistentVolumeClaim, error) {
		return pvcs.Create(ctx, claim(nil), metav1.CreateOptions{})
	}, func(pvc *corev1.PersistentVolumeClaim) bool {
		return ptr.Deref(pvc.Spec.StorageClassName, "") == sc.Name
	})
	if !slices.Equal(pvc.Finalizers, []string{"kubernetes.io/pvc-protection"}) {
		t.Errorf("finalizers = %v, want [kubernetes.io/pvc-protection]", pvc.Finalizers)
	}

	// An explicit class, even "", is kept.
	explicit, err := pvcs.Create(ctx, claim(ptr.To("")), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ptr.Deref(explicit.Spec.StorageClassName, "x") != "" {
		t.Errorf("explicit empty class became %v", explicit.Spec.StorageClassName)
	}
}

// TestAdmissionLimitRange: a LimitRange's container defaults land in a new pod, and its bounds
// reject a pod with 403.
func TestAdmissionLimitRange(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t)
	ns := testServer.Namespace(t)
	_, err := client.CoreV1().LimitRanges(ns).Create(ctx, &corev1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: "limits"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type:           corev1.LimitTypeContainer,
			Default:        corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
			DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			Max:            corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
		}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pods := client.CoreV1().Pods(ns)
	pod := admPoll(t, func(ctx context.Context) (*corev1.Pod, error) {
		return pods.Create(ctx, admPod("", func(p *corev1.Pod) { p.GenerateName = "web-" }), metav1.CreateOptions{})
	}, func(p *corev1.Pod) bool { return len(p.Spec.Containers[0].Resources.Limits) > 0 })
	r := pod.Spec.Containers[0].Resources
	if r.Limits.Cpu().String() != "500m" || r.Limits.Memory().String() != "256Mi" ||
		r.Requests.Cpu().String() != "100m" || r.Requests.Memory().String() != "128Mi" {
		t.Errorf("resources = %+v", r)
	}
	if want := "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app"; pod.Annotations["kubernetes.io/limit-ranger"] != want {
		t.Errorf("annotation = %q, want %q", pod.Annotations["kubernetes.io/limit-ranger"], want)
	}
	if pod.Status.QOSClass != corev1.PodQOSBurstable {
		t.Errorf("qosClass = %s, want Burstable (from the defaulted resources)", pod.Status.QOSClass)
	}

	_, err = pods.Create(ctx, admPod("big", func(p *corev1.Pod) {
		p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}
	}), metav1.CreateOptions{})
	if want := `pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("err = %v, want 403 %s", err, want)
	}
}

// TestAdmissionPodSecurity: a namespace labelled to enforce the restricted level rejects a
// privileged pod; without labels everything is privileged.
func TestAdmissionPodSecurity(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t)
	privileged := func(p *corev1.Pod) {
		p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true)}
	}

	plain := testServer.Namespace(t)
	if _, err := client.CoreV1().Pods(plain).Create(ctx, admPod("priv", privileged), metav1.CreateOptions{}); err != nil {
		t.Fatalf("privileged pod in an unlabelled namespace: %v", err)
	}

	ns, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "test-restricted-",
		Labels:       map[string]string{"pod-security.kubernetes.io/enforce": "restricted"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CoreV1().Pods(ns.Name).Create(ctx, admPod("priv", privileged), metav1.CreateOptions{})
	wantPrefix := `pods "priv" is forbidden: violates PodSecurity "restricted:latest": `
	if !apierrors.IsForbidden(err) || !strings.HasPrefix(err.Error(), wantPrefix) || !strings.Contains(err.Error(), `privileged (container "app" must not set securityContext.privileged=true)`) {
		t.Errorf("err = %v, want 403 %s...privileged", err, wantPrefix)
	}

	_, err = client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "test-bogus-",
		Labels:       map[string]string{"pod-security.kubernetes.io/enforce": "bogus"},
	}}, metav1.CreateOptions{})
	requireInvalid(t, err, "metadata.labels[pod-security.kubernetes.io/enforce]", metav1.CauseTypeFieldValueInvalid)
}

// TestAdmissionNodeTaint: TaintNodesByCondition taints new nodes not-ready.
func TestAdmissionNodeTaint(t *testing.T) {
	ctx := context.Background()
	nodes := testServer.Client(t).CoreV1().Nodes()
	node, err := nodes.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{GenerateName: "adm-node-"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nodes.Delete(context.Background(), node.Name, metav1.DeleteOptions{}) })
	if len(node.Spec.Taints) != 1 || node.Spec.Taints[0].Key != "node.kubernetes.io/not-ready" || node.Spec.Taints[0].Effect != corev1.TaintEffectNoSchedule {
		t.Errorf("taints = %+v", node.Spec.Taints)
	}
}
