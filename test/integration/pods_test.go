package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
)

func testPod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
	}
}

// requireInvalid checks err is a 422 with a cause at field of the given reason.
func requireInvalid(t *testing.T, err error, fieldPath string, causeType metav1.CauseType) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("want 422 Invalid, got %v", err)
	}
	status := err.(apierrors.APIStatus).Status()
	for _, c := range status.Details.Causes {
		if c.Field == fieldPath && c.Type == causeType {
			return
		}
	}
	t.Fatalf("no cause %s at %s in %+v", causeType, fieldPath, status.Details.Causes)
}

func TestPodLifecycle(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	pods := testServer.Client(t).CoreV1().Pods(ns)

	created, err := pods.Create(ctx, testPod("web"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spec, c := created.Spec, created.Spec.Containers[0]
	if spec.RestartPolicy != corev1.RestartPolicyAlways || spec.DNSPolicy != corev1.DNSClusterFirst ||
		spec.SchedulerName != corev1.DefaultSchedulerName || ptr.Deref(spec.TerminationGracePeriodSeconds, 0) != 30 ||
		spec.SecurityContext == nil || !ptr.Deref(spec.EnableServiceLinks, false) {
		t.Errorf("pod spec defaults missing: %+v", spec)
	}
	if c.ImagePullPolicy != corev1.PullAlways || c.TerminationMessagePath != "/dev/termination-log" || c.TerminationMessagePolicy != corev1.TerminationMessageReadFile {
		t.Errorf("container defaults missing: %+v", c)
	}
	if created.Status.Phase != corev1.PodPending || created.Status.QOSClass != corev1.PodQOSBestEffort || created.Generation != 1 {
		t.Errorf("status = %+v, generation %d; want Pending, BestEffort, 1", created.Status, created.Generation)
	}

	list, err := pods.List(ctx, metav1.ListOptions{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	w, err := pods.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	// The image may change; status sent to the main resource is ignored.
	got, err := pods.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got.Spec.Containers[0].Image = "nginx:1.27"
	got.Status.Phase = corev1.PodRunning
	updated, err := pods.Update(ctx, got, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Spec.Containers[0].Image != "nginx:1.27" || updated.Status.Phase != corev1.PodPending || updated.Generation != 2 {
		t.Errorf("after update: image %q phase %q generation %d", updated.Spec.Containers[0].Image, updated.Status.Phase, updated.Generation)
	}
	select {
	case ev := <-w.ResultChan():
		if ev.Type != watch.Modified || ev.Object.(*corev1.Pod).Spec.Containers[0].Image != "nginx:1.27" {
			t.Errorf("watch event = %v %v", ev.Type, ev.Object)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event")
	}

	// Other spec fields are immutable.
	updated.Spec.RestartPolicy = corev1.RestartPolicyNever
	_, err = pods.Update(ctx, updated, metav1.UpdateOptions{})
	requireInvalid(t, err, "spec", metav1.CauseTypeForbidden)
	if !strings.Contains(err.Error(), "pod updates may not change fields other than") {
		t.Errorf("message = %v", err)
	}

	// A stale resourceVersion conflicts.
	stale := created.DeepCopy()
	stale.Labels["x"] = "y"
	if _, err := pods.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("stale update: want 409, got %v", err)
	}

	patched, err := pods.Patch(ctx, "web", types.MergePatchType, []byte(`{"metadata":{"labels":{"tier":"front"}}}`), metav1.PatchOptions{})
	if err != nil || patched.Labels["tier"] != "front" {
		t.Fatalf("patch: %v %v", patched.Labels, err)
	}

	// The status subresource writes status only.
	patched.Status.Phase = corev1.PodRunning
	patched.Status.PodIP, patched.Status.PodIPs = "10.0.0.5", []corev1.PodIP{{IP: "10.0.0.5"}}
	patched.Spec.ActiveDeadlineSeconds = ptr.To[int64](5)
	st, err := pods.UpdateStatus(ctx, patched, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status.Phase != corev1.PodRunning || st.Status.PodIP != "10.0.0.5" || st.Spec.ActiveDeadlineSeconds != nil || st.Status.QOSClass != corev1.PodQOSBestEffort {
		t.Errorf("after status update: phase %q ip %q deadline %v qos %q", st.Status.Phase, st.Status.PodIP, st.Spec.ActiveDeadlineSeconds, st.Status.QOSClass)
	}

	// Unscheduled pods are deleted at once.
	if err := pods.Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
}

func TestPodBindingAndGracefulDelete(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	pods := testServer.Client(t).CoreV1().Pods(ns)
	if _, err := pods.Create(ctx, testPod("bound"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "bound"}, Target: corev1.ObjectReference{Kind: "Node", Name: "node-1"}}
	if err := pods.Bind(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod, err := pods.Get(ctx, "bound", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pod.Spec.NodeName != "node-1" {
		t.Errorf("nodeName = %q", pod.Spec.NodeName)
	}
	scheduled := false
	for _, c := range pod.Status.Conditions {
		scheduled = scheduled || (c.Type == corev1.PodScheduled && c.Status == corev1.ConditionTrue)
	}
	if !scheduled {
		t.Errorf("no PodScheduled condition: %+v", pod.Status.Conditions)
	}
	binding.Target.Name = "node-2"
	if err := pods.Bind(ctx, binding, metav1.CreateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("second binding: want 409, got %v", err)
	}

	// Field selector on spec.nodeName.
	if _, err := pods.Create(ctx, testPod("pending"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	onNode, err := pods.List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=node-1"})
	if err != nil || len(onNode.Items) != 1 || onNode.Items[0].Name != "bound" {
		t.Errorf("spec.nodeName=node-1: %v %v", onNode, err)
	}
	unbound, err := pods.List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=,status.phase=Pending"})
	if err != nil || len(unbound.Items) != 1 || unbound.Items[0].Name != "pending" {
		t.Errorf("spec.nodeName=: %v %v", unbound, err)
	}
	if _, err := pods.List(ctx, metav1.ListOptions{FieldSelector: "spec.nope=x"}); !apierrors.IsBadRequest(err) {
		t.Errorf("unknown field selector: want 400, got %v", err)
	}

	// A bound pod stays, marked for deletion, until deleted with grace period 0.
	if err := pods.Delete(ctx, "bound", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	pod, err = pods.Get(ctx, "bound", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("graceful delete removed the pod: %v", err)
	}
	if pod.DeletionTimestamp == nil || ptr.Deref(pod.DeletionGracePeriodSeconds, 0) != 30 {
		t.Errorf("deletionTimestamp %v grace %v", pod.DeletionTimestamp, pod.DeletionGracePeriodSeconds)
	}
	if err := pods.Delete(ctx, "bound", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := pods.Get(ctx, "bound", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Errorf("pod not gone after grace 0: %v", err)
	}
}

func TestPodEviction(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	pods := client.CoreV1().Pods(ns)
	if _, err := pods.Create(ctx, testPod("victim"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := client.PolicyV1().Evictions(ns).Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "victim", Namespace: ns}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "victim", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("evicted pod: %v", err)
	}
	err = client.PolicyV1().Evictions(ns).Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "missing", Namespace: ns}})
	if !apierrors.IsNotFound(err) {
		t.Errorf("evicting a missing pod: want 404, got %v", err)
	}
}

func TestPodEphemeralContainers(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	pods := testServer.Client(t).CoreV1().Pods(ns)
	pod, err := pods.Create(ctx, testPod("debug"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", Image: "busybox"}, TargetContainerName: "app"}}
	pod.Labels["ignored"] = "yes"
	got, err := pods.UpdateEphemeralContainers(ctx, "debug", pod, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.EphemeralContainers) != 1 || got.Spec.EphemeralContainers[0].ImagePullPolicy != corev1.PullAlways || got.Labels["ignored"] != "" {
		t.Errorf("ephemeral containers = %+v, labels %v", got.Spec.EphemeralContainers, got.Labels)
	}
	got.Spec.EphemeralContainers = nil
	_, err = pods.UpdateEphemeralContainers(ctx, "debug", got, metav1.UpdateOptions{})
	requireInvalid(t, err, "spec.ephemeralContainers", metav1.CauseTypeForbidden)
}

func TestPodValidation(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	pods := testServer.Client(t).CoreV1().Pods(ns)

	noContainers := testPod("empty")
	noContainers.Spec.Containers = nil
	_, err := pods.Create(ctx, noContainers, metav1.CreateOptions{})
	requireInvalid(t, err, "spec.containers", metav1.CauseTypeFieldValueRequired)

	badRestart := testPod("restart")
	badRestart.Spec.RestartPolicy = "Sometimes"
	_, err = pods.Create(ctx, badRestart, metav1.CreateOptions{})
	requireInvalid(t, err, "spec.restartPolicy", metav1.CauseTypeFieldValueNotSupported)
	if !strings.Contains(err.Error(), `spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`) {
		t.Errorf("message = %v", err)
	}

	badMount := testPod("mount")
	badMount.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
	_, err = pods.Create(ctx, badMount, metav1.CreateOptions{})
	requireInvalid(t, err, "spec.containers[0].volumeMounts[0].name", metav1.CauseTypeFieldValueNotFound)
}

func TestPodTable(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	if _, err := client.CoreV1().Pods(ns).Create(ctx, testPod("web"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	table := &metav1.Table{}
	err := client.CoreV1().RESTClient().Get().Namespace(ns).Resource("pods").
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").Do(ctx).Into(table)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range table.ColumnDefinitions {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "Name,Ready,Status,Restarts,Age,IP,Node,Nominated Node,Readiness Gates" {
		t.Errorf("columns = %s", got)
	}
	if len(table.Rows) != 1 {
		t.Fatalf("rows = %v", table.Rows)
	}
	cells := table.Rows[0].Cells
	if cells[0] != "web" || cells[1] != "0/1" || cells[2] != "Pending" || cells[3] != "0" || cells[5] != "<none>" {
		t.Errorf("cells = %v", cells)
	}
}

func TestReplicationControllerAndPodTemplate(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	rcs := client.CoreV1().ReplicationControllers(ns)
	template := &corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}},
	}
	rc, err := rcs.Create(ctx, &corev1.ReplicationController{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec:       corev1.ReplicationControllerSpec{Template: template},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ptr.Deref(rc.Spec.Replicas, 0) != 1 || rc.Spec.Selector["app"] != "web" || rc.Labels["app"] != "web" ||
		rc.Spec.Template.Spec.Containers[0].ImagePullPolicy != corev1.PullIfNotPresent {
		t.Errorf("rc defaults: replicas %v selector %v labels %v", rc.Spec.Replicas, rc.Spec.Selector, rc.Labels)
	}

	scale, err := rcs.GetScale(ctx, "web", metav1.GetOptions{})
	if err != nil || scale.Spec.Replicas != 1 || scale.Status.Selector != "app=web" {
		t.Fatalf("scale = %+v, %v", scale, err)
	}
	scale.Spec.Replicas = 3
	if _, err := rcs.UpdateScale(ctx, "web", scale, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	rc, err = rcs.Get(ctx, "web", metav1.GetOptions{})
	if err != nil || ptr.Deref(rc.Spec.Replicas, 0) != 3 || rc.Generation != 2 {
		t.Fatalf("after scale: replicas %v generation %d, %v", rc.Spec.Replicas, rc.Generation, err)
	}
	_, err = rcs.UpdateScale(ctx, "web", &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: autoscalingv1.ScaleSpec{Replicas: -1}}, metav1.UpdateOptions{})
	requireInvalid(t, err, "spec.replicas", metav1.CauseTypeFieldValueInvalid)

	rc.Status.Replicas = 3
	rc.Spec.Replicas = ptr.To[int32](5)
	st, err := rcs.UpdateStatus(ctx, rc, metav1.UpdateOptions{})
	if err != nil || st.Status.Replicas != 3 || ptr.Deref(st.Spec.Replicas, 0) != 3 {
		t.Fatalf("status update: %+v, %v", st, err)
	}
	byReplicas, err := rcs.List(ctx, metav1.ListOptions{FieldSelector: "status.replicas=3"})
	if err != nil || len(byReplicas.Items) != 1 {
		t.Errorf("status.replicas=3: %v %v", byReplicas, err)
	}

	bad := st.DeepCopy()
	bad.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	_, err = rcs.Update(ctx, bad, metav1.UpdateOptions{})
	requireInvalid(t, err, "spec.template.spec.restartPolicy", metav1.CauseTypeFieldValueNotSupported)

	templates := client.CoreV1().PodTemplates(ns)
	pt, err := templates.Create(ctx, &corev1.PodTemplate{ObjectMeta: metav1.ObjectMeta{Name: "tpl"}, Template: *template}, metav1.CreateOptions{})
	if err != nil || pt.Template.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		t.Fatalf("pod template: %+v, %v", pt, err)
	}
	pt.Template.Spec.Containers = nil
	_, err = templates.Update(ctx, pt, metav1.UpdateOptions{})
	requireInvalid(t, err, "template.spec.containers", metav1.CauseTypeFieldValueRequired)
}

func TestPodDiscovery(t *testing.T) {
	list, err := testServer.Client(t).Discovery().ServerResourcesForGroupVersion("v1")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]metav1.APIResource{}
	for _, r := range list.APIResources {
		found[r.Name] = r
	}
	for _, name := range []string{"pods/status", "pods/binding", "pods/eviction", "pods/ephemeralcontainers", "bindings", "podtemplates",
		"replicationcontrollers/status", "replicationcontrollers/scale"} {
		if _, ok := found[name]; !ok {
			t.Errorf("%s not served", name)
		}
	}
	if r := found["pods"]; strings.Join(r.ShortNames, ",") != "po" || strings.Join(r.Categories, ",") != "all" {
		t.Errorf("pods: shortNames %v categories %v", r.ShortNames, r.Categories)
	}
	if r := found["replicationcontrollers"]; strings.Join(r.ShortNames, ",") != "rc" || strings.Join(r.Categories, ",") != "all" {
		t.Errorf("replicationcontrollers: shortNames %v categories %v", r.ShortNames, r.Categories)
	}
	if r := found["pods/eviction"]; r.Group != "policy" || r.Version != "v1" || r.Kind != "Eviction" {
		t.Errorf("pods/eviction kind %s/%s %s", r.Group, r.Version, r.Kind)
	}
}
