package integration

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// wlInvalid fails unless err is a 422 with a cause at fieldPath.
func wlInvalid(t *testing.T, err error, fieldPath string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("want 422 Invalid at %s, got %v", fieldPath, err)
	}
	for _, c := range err.(apierrors.APIStatus).Status().Details.Causes {
		if c.Field == fieldPath {
			return
		}
	}
	t.Fatalf("no cause at %s in %v", fieldPath, err)
}

func wlTemplate(labels map[string]string, restart corev1.RestartPolicy) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{
			RestartPolicy: restart,
			Containers:    []corev1.Container{{Name: "app", Image: "registry.example/app:1"}},
		},
	}
}

func wlDeployment(name string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"tier": "web"}},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: wlTemplate(labels, ""),
		},
	}
}

// wlTable GETs absPath as a Table and returns its column names and first row.
func wlTable(t *testing.T, c kubernetes.Interface, absPath string) ([]string, []any) {
	t.Helper()
	table := &metav1.Table{}
	err := c.CoreV1().RESTClient().Get().AbsPath(absPath).
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").Do(context.Background()).Into(table)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, col := range table.ColumnDefinitions {
		if col.Priority == 0 {
			names = append(names, col.Name)
		}
	}
	if len(table.Rows) == 0 {
		t.Fatalf("no rows in %s", absPath)
	}
	return names, table.Rows[0].Cells
}

func wlExpectEvent(t *testing.T, w watch.Interface, typ watch.EventType, check func(runtime.Object) bool) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("watch closed before %s", typ)
			}
			if ev.Type == typ && check(ev.Object) {
				return
			}
		case <-timeout:
			t.Fatalf("no %s event", typ)
		}
	}
}

func TestWorkloadsDeploymentLifecycle(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	deployments := client.AppsV1().Deployments(ns)

	w, err := deployments.Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	d := wlDeployment("web")
	d.Status.Replicas = 5 // ignored on create
	created, err := deployments.Create(ctx, d, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := created.Spec
	if *s.Replicas != 1 || s.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType ||
		s.Strategy.RollingUpdate.MaxSurge.String() != "25%" || s.Strategy.RollingUpdate.MaxUnavailable.String() != "25%" ||
		*s.RevisionHistoryLimit != 10 || *s.ProgressDeadlineSeconds != 600 {
		t.Errorf("defaults: %+v", s)
	}
	if tpl := s.Template.Spec; tpl.RestartPolicy != corev1.RestartPolicyAlways || tpl.DNSPolicy != corev1.DNSClusterFirst ||
		tpl.Containers[0].ImagePullPolicy != corev1.PullIfNotPresent || tpl.Containers[0].TerminationMessagePolicy != corev1.TerminationMessageReadFile {
		t.Errorf("pod template defaults: %+v", tpl)
	}
	if created.Generation != 1 || created.Status.Replicas != 0 {
		t.Errorf("generation %d, status %+v", created.Generation, created.Status)
	}
	wlExpectEvent(t, w, watch.Added, func(o runtime.Object) bool { return o.(*appsv1.Deployment).Name == "web" })

	list, err := deployments.List(ctx, metav1.ListOptions{LabelSelector: "tier=web", FieldSelector: "metadata.name=web"})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}

	// A label change is no spec change; a spec change bumps the generation.
	created.Labels["extra"] = "1"
	updated, err := deployments.Update(ctx, created, metav1.UpdateOptions{})
	if err != nil || updated.Generation != 1 {
		t.Fatalf("label update: generation %v, %v", updated, err)
	}
	updated.Spec.Template.Spec.Containers[0].Image = "registry.example/app:2"
	updated.Status.Replicas = 9 // ignored on the main resource
	updated, err = deployments.Update(ctx, updated, metav1.UpdateOptions{})
	if err != nil || updated.Generation != 2 || updated.Status.Replicas != 0 {
		t.Fatalf("spec update: %+v, %v", updated, err)
	}
	wlExpectEvent(t, w, watch.Modified, func(o runtime.Object) bool { return o.(*appsv1.Deployment).Generation == 2 })

	// Conflict: created is stale.
	created.Spec.Paused = true
	if _, err := deployments.Update(ctx, created, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("stale update: want 409, got %v", err)
	}

	// Status isolation: /status takes the status and nothing of the spec.
	updated.Status = appsv1.DeploymentStatus{Replicas: 1, ReadyReplicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1, ObservedGeneration: 2}
	updated.Spec.Paused = true
	st, err := deployments.UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if err != nil || st.Status.ReadyReplicas != 1 || st.Spec.Paused || st.Generation != 2 {
		t.Fatalf("status update: %+v, %v", st, err)
	}
	st.Status.ReadyReplicas = 3
	_, err = deployments.UpdateStatus(ctx, st, metav1.UpdateOptions{})
	wlInvalid(t, err, "status.readyReplicas")

	// Patch.
	patched, err := deployments.Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"minReadySeconds":5}}`), metav1.PatchOptions{})
	if err != nil || patched.Spec.MinReadySeconds != 5 || patched.Generation != 3 {
		t.Fatalf("patch: %+v, %v", patched, err)
	}

	// Table.
	columns, cells := wlTable(t, client, "/apis/apps/v1/namespaces/"+ns+"/deployments/web")
	if !slices.Equal(columns, []string{"Name", "Ready", "Up-to-date", "Available", "Age"}) || cells[1] != "1/1" || len(cells) != 8 {
		t.Errorf("table: %v %v", columns, cells)
	}

	if err := deployments.Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	wlExpectEvent(t, w, watch.Deleted, func(o runtime.Object) bool { return o.(*appsv1.Deployment).Name == "web" })
	if _, err := deployments.Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("get after delete: %v", err)
	}
}

func TestWorkloadsValidation(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	deployments := client.AppsV1().Deployments(ns)

	d := wlDeployment("mismatch")
	d.Spec.Template.Labels = map[string]string{"app": "other"}
	_, err := deployments.Create(ctx, d, metav1.CreateOptions{})
	wlInvalid(t, err, "spec.template.metadata.labels")

	d = wlDeployment("noselector")
	d.Spec.Selector = nil
	_, err = deployments.Create(ctx, d, metav1.CreateOptions{})
	wlInvalid(t, err, "spec.selector")

	d = wlDeployment("zero")
	d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxSurge: ptr.To(intstr.FromInt32(0)), MaxUnavailable: ptr.To(intstr.FromInt32(0))}
	_, err = deployments.Create(ctx, d, metav1.CreateOptions{})
	wlInvalid(t, err, "spec.strategy.rollingUpdate.maxUnavailable")

	d = wlDeployment("onfailure")
	d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	_, err = deployments.Create(ctx, d, metav1.CreateOptions{})
	wlInvalid(t, err, "spec.template.spec.restartPolicy")

	d = wlDeployment("container")
	d.Spec.Template.Spec.Containers[0].Name = "Bad_Name"
	_, err = deployments.Create(ctx, d, metav1.CreateOptions{})
	wlInvalid(t, err, "spec.template.spec.containers[0].name")

	// The selector of apps/v1 workloads is immutable.
	created, err := deployments.Create(ctx, wlDeployment("fixed"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Spec.Selector.MatchLabels["more"] = "x"
	created.Spec.Template.Labels["more"] = "x"
	_, err = deployments.Update(ctx, created, metav1.UpdateOptions{})
	wlInvalid(t, err, "spec.selector")
}

func TestWorkloadsScale(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	apps := testServer.Client(t).AppsV1()
	labels := map[string]string{"app": "scaled"}

	type scaler struct {
		get      func(name string) (*autoscalingv1.Scale, error)
		update   func(name string, s *autoscalingv1.Scale) (*autoscalingv1.Scale, error)
		replicas func(name string) int32
	}
	cases := map[string]scaler{
		"deployments": {
			get: func(n string) (*autoscalingv1.Scale, error) {
				return apps.Deployments(ns).GetScale(ctx, n, metav1.GetOptions{})
			},
			update: func(n string, s *autoscalingv1.Scale) (*autoscalingv1.Scale, error) {
				return apps.Deployments(ns).UpdateScale(ctx, n, s, metav1.UpdateOptions{})
			},
			replicas: func(n string) int32 {
				d, err := apps.Deployments(ns).Get(ctx, n, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return *d.Spec.Replicas
			},
		},
		"replicasets": {
			get: func(n string) (*autoscalingv1.Scale, error) {
				return apps.ReplicaSets(ns).GetScale(ctx, n, metav1.GetOptions{})
			},
			update: func(n string, s *autoscalingv1.Scale) (*autoscalingv1.Scale, error) {
				return apps.ReplicaSets(ns).UpdateScale(ctx, n, s, metav1.UpdateOptions{})
			},
			replicas: func(n string) int32 {
				rs, err := apps.ReplicaSets(ns).Get(ctx, n, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return *rs.Spec.Replicas
			},
		},
		"statefulsets": {
			get: func(n string) (*autoscalingv1.Scale, error) {
				return apps.StatefulSets(ns).GetScale(ctx, n, metav1.GetOptions{})
			},
			update: func(n string, s *autoscalingv1.Scale) (*autoscalingv1.Scale, error) {
				return apps.StatefulSets(ns).UpdateScale(ctx, n, s, metav1.UpdateOptions{})
			},
			replicas: func(n string) int32 {
				ss, err := apps.StatefulSets(ns).Get(ctx, n, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return *ss.Spec.Replicas
			},
		},
	}
	selector := &metav1.LabelSelector{MatchLabels: labels}
	if _, err := apps.Deployments(ns).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "scaled"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](2), Selector: selector, Template: wlTemplate(labels, "")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := apps.ReplicaSets(ns).Create(ctx, &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "scaled"},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](2), Selector: selector, Template: wlTemplate(labels, "")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := apps.StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "scaled"},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](2), Selector: selector, Template: wlTemplate(labels, ""), ServiceName: "scaled"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for resource, c := range cases {
		t.Run(resource, func(t *testing.T) {
			scale, err := c.get("scaled")
			if err != nil {
				t.Fatal(err)
			}
			if scale.Spec.Replicas != 2 || scale.Status.Selector != "app=scaled" || scale.Name != "scaled" {
				t.Errorf("scale = %+v", scale)
			}
			scale.Spec.Replicas = 5
			updated, err := c.update("scaled", scale)
			if err != nil || updated.Spec.Replicas != 5 {
				t.Fatalf("update scale: %+v, %v", updated, err)
			}
			if got := c.replicas("scaled"); got != 5 {
				t.Errorf("spec.replicas = %d after scaling", got)
			}
			updated.Spec.Replicas = -1
			_, err = c.update("scaled", updated)
			wlInvalid(t, err, "spec.replicas")
			// A stale resourceVersion in the Scale is a conflict.
			scale.Spec.Replicas = 1
			if _, err := c.update("scaled", scale); !apierrors.IsConflict(err) {
				t.Errorf("stale scale: want 409, got %v", err)
			}
			if _, err := c.get("missing"); !apierrors.IsNotFound(err) {
				t.Errorf("scale of a missing object: %v", err)
			}
		})
	}
}

func TestWorkloadsStatefulSetAndDaemonSet(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	labels := map[string]string{"app": "db"}

	sets := client.AppsV1().StatefulSets(ns)
	ss, err := sets.Create(ctx, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Spec: appsv1.StatefulSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: wlTemplate(labels, ""), ServiceName: "db",
		VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		}}},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ss.Spec.PodManagementPolicy != appsv1.OrderedReadyPodManagement || *ss.Spec.UpdateStrategy.RollingUpdate.Partition != 0 ||
		ss.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted != appsv1.RetainPersistentVolumeClaimRetentionPolicyType || *ss.Spec.Replicas != 1 {
		t.Errorf("statefulset defaults: %+v", ss.Spec)
	}
	ss.Spec.Replicas = ptr.To[int32](3)
	ss.Spec.ServiceName = "other"
	_, err = sets.Update(ctx, ss, metav1.UpdateOptions{})
	wlInvalid(t, err, "spec.serviceName")
	ss.Spec.ServiceName = "db"
	if ss, err = sets.Update(ctx, ss, metav1.UpdateOptions{}); err != nil || ss.Generation != 2 {
		t.Fatalf("scale statefulset: %+v, %v", ss, err)
	}
	bad := ss.DeepCopy()
	bad.ObjectMeta = metav1.ObjectMeta{Name: "db.example"}
	_, err = sets.Create(ctx, bad, metav1.CreateOptions{})
	wlInvalid(t, err, "metadata.name")

	daemonSets := client.AppsV1().DaemonSets(ns)
	ds, err := daemonSets.Create(ctx, &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent"}, Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: wlTemplate(labels, ""),
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Annotations[appsv1.DeprecatedTemplateGeneration] != "1" || ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.IntValue() != 1 {
		t.Errorf("daemonset: annotations %v, strategy %+v", ds.Annotations, ds.Spec.UpdateStrategy)
	}
	ds.Spec.Template.Spec.Containers[0].Image = "registry.example/agent:2"
	if ds, err = daemonSets.Update(ctx, ds, metav1.UpdateOptions{}); err != nil || ds.Annotations[appsv1.DeprecatedTemplateGeneration] != "2" || ds.Generation != 2 {
		t.Fatalf("daemonset template update: %+v, %v", ds, err)
	}
	ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromInt32(1))
	_, err = daemonSets.Update(ctx, ds, metav1.UpdateOptions{})
	wlInvalid(t, err, "spec.updateStrategy.rollingUpdate.maxSurge")

	revisions := client.AppsV1().ControllerRevisions(ns)
	rev, err := revisions.Create(ctx, &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{Name: "agent-1", OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: ds.UID, Controller: ptr.To(true)}}},
		Data:       runtime.RawExtension{Raw: []byte(`{"spec":{}}`)}, Revision: 1,
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rev.Data = runtime.RawExtension{Raw: []byte(`{"spec":{"x":1}}`)}
	_, err = revisions.Update(ctx, rev, metav1.UpdateOptions{})
	wlInvalid(t, err, "data")
	_, err = revisions.Create(ctx, &appsv1.ControllerRevision{ObjectMeta: metav1.ObjectMeta{Name: "empty"}}, metav1.CreateOptions{})
	wlInvalid(t, err, "data")
	_, cells := wlTable(t, client, "/apis/apps/v1/namespaces/"+ns+"/controllerrevisions/agent-1")
	if cells[1] != "daemonset.apps/agent" {
		t.Errorf("controllerrevision table cells %v", cells)
	}
}

func TestWorkloadsJobs(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	jobs := client.BatchV1().Jobs(ns)

	job, err := jobs.Create(ctx, &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "pi"}, Spec: batchv1.JobSpec{
		Template: wlTemplate(map[string]string{"app": "pi"}, corev1.RestartPolicyNever),
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	uid := string(job.UID)
	wantLabels := map[string]string{"app": "pi", "controller-uid": uid, "job-name": "pi", batchv1.ControllerUidLabel: uid, batchv1.JobNameLabel: "pi"}
	for k, v := range wantLabels {
		if job.Spec.Template.Labels[k] != v {
			t.Errorf("template label %s = %q", k, job.Spec.Template.Labels[k])
		}
	}
	if job.Spec.Selector.MatchLabels[batchv1.ControllerUidLabel] != uid || job.Labels["app"] != "pi" {
		t.Errorf("selector %v, labels %v", job.Spec.Selector, job.Labels)
	}
	s := job.Spec
	if *s.Completions != 1 || *s.Parallelism != 1 || *s.BackoffLimit != 6 || *s.CompletionMode != batchv1.NonIndexedCompletion ||
		*s.Suspend || *s.PodReplacementPolicy != batchv1.TerminatingOrFailed || *s.ManualSelector || job.Generation != 1 {
		t.Errorf("job defaults: %+v", s)
	}

	// The template is immutable; parallelism is not.
	job.Spec.Template.Spec.Containers[0].Image = "registry.example/app:2"
	_, err = jobs.Update(ctx, job, metav1.UpdateOptions{})
	wlInvalid(t, err, "spec.template")
	job.Spec.Template.Spec.Containers[0].Image = "registry.example/app:1"
	job.Spec.Parallelism = ptr.To[int32](2)
	if job, err = jobs.Update(ctx, job, metav1.UpdateOptions{}); err != nil || job.Generation != 2 {
		t.Fatalf("parallelism update: %+v, %v", job, err)
	}

	// Status, and the status.successful field selector.
	now := metav1.Now()
	job.Status = batchv1.JobStatus{StartTime: &now, CompletionTime: &now, Succeeded: 1,
		Conditions: []batchv1.JobCondition{{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue}, {Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}
	if job, err = jobs.UpdateStatus(ctx, job, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	job.Status.Succeeded = 0
	_, err = jobs.UpdateStatus(ctx, job, metav1.UpdateOptions{})
	wlInvalid(t, err, "status.succeeded")
	list, err := jobs.List(ctx, metav1.ListOptions{FieldSelector: "status.successful=1"})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("field selector: %v, %v", list, err)
	}
	columns, cells := wlTable(t, client, "/apis/batch/v1/namespaces/"+ns+"/jobs/pi")
	if !slices.Equal(columns, []string{"Name", "Status", "Completions", "Duration", "Age"}) || cells[1] != "Complete" || cells[2] != "1/1" {
		t.Errorf("job table %v %v", columns, cells)
	}

	_, err = jobs.Create(ctx, &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "always"}, Spec: batchv1.JobSpec{
		Template: wlTemplate(nil, corev1.RestartPolicyAlways),
	}}, metav1.CreateOptions{})
	wlInvalid(t, err, "spec.template.spec.restartPolicy")
	_, err = jobs.Create(ctx, &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "manual"}, Spec: batchv1.JobSpec{
		ManualSelector: ptr.To(true), Template: wlTemplate(nil, corev1.RestartPolicyNever),
	}}, metav1.CreateOptions{})
	wlInvalid(t, err, "spec.selector")

	cronJobs := client.BatchV1().CronJobs(ns)
	cj, err := cronJobs.Create(ctx, &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "nightly"}, Spec: batchv1.CronJobSpec{
		Schedule: "0 3 * * *", TimeZone: ptr.To("Europe/Berlin"),
		JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: wlTemplate(nil, corev1.RestartPolicyOnFailure)}},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cj.Spec.ConcurrencyPolicy != batchv1.AllowConcurrent || *cj.Spec.Suspend || *cj.Spec.SuccessfulJobsHistoryLimit != 3 || *cj.Spec.FailedJobsHistoryLimit != 1 {
		t.Errorf("cronjob defaults: %+v", cj.Spec)
	}
	columns, cells = wlTable(t, client, "/apis/batch/v1/namespaces/"+ns+"/cronjobs/nightly")
	if !slices.Equal(columns, []string{"Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"}) || cells[2] != "Europe/Berlin" || cells[3] != "False" {
		t.Errorf("cronjob table %v %v", columns, cells)
	}
	for name, mutate := range map[string]func(*batchv1.CronJob){
		"spec.schedule": func(c *batchv1.CronJob) { c.Spec.Schedule = "61 * * * *" },
		"spec.timeZone": func(c *batchv1.CronJob) { c.Spec.TimeZone = ptr.To("Nowhere/Town") },
	} {
		bad := cj.DeepCopy()
		mutate(bad)
		_, err := cronJobs.Update(ctx, bad, metav1.UpdateOptions{})
		wlInvalid(t, err, name)
	}
}

func TestWorkloadsHorizontalPodAutoscalers(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	v2 := client.AutoscalingV2().HorizontalPodAutoscalers(ns)
	v1 := client.AutoscalingV1().HorizontalPodAutoscalers(ns)
	target := autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}

	// Created as v2, read as v1.
	created, err := v2.Create(ctx, &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "from-v2"}, Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
		ScaleTargetRef: target, MaxReplicas: 5,
		Metrics: []autoscalingv2.MetricSpec{
			{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](70)}}},
			{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricSource{Metric: autoscalingv2.MetricIdentifier{Name: "qps"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr.To(resource.MustParse("10"))}}},
		},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *created.Spec.MinReplicas != 1 || created.Generation != 1 {
		t.Errorf("v2 defaults: %+v", created)
	}
	asV1, err := v1.Get(ctx, "from-v2", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ptr.Deref(asV1.Spec.TargetCPUUtilizationPercentage, 0) != 70 || asV1.Spec.MaxReplicas != 5 || asV1.Spec.ScaleTargetRef.Name != "web" {
		t.Errorf("v1 view: %+v", asV1.Spec)
	}
	var other []autoscalingv1.MetricSpec
	if err := json.Unmarshal([]byte(asV1.Annotations["autoscaling.alpha.kubernetes.io/metrics"]), &other); err != nil || len(other) != 1 || other[0].Pods.MetricName != "qps" {
		t.Errorf("v1 metrics annotation %q: %v", asV1.Annotations["autoscaling.alpha.kubernetes.io/metrics"], err)
	}
	// A v1 update keeps the v2-only metric.
	asV1.Spec.MaxReplicas = 6
	if _, err := v1.Update(ctx, asV1, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	back, err := v2.Get(ctx, "from-v2", metav1.GetOptions{})
	if err != nil || back.Spec.MaxReplicas != 6 || len(back.Spec.Metrics) != 2 || len(back.Annotations) != 0 || back.Generation != 2 {
		t.Fatalf("v2 after v1 update: %+v, %v", back, err)
	}

	// Created as v1, read as v2.
	fromV1, err := v1.Create(ctx, &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "from-v1"}, Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
		ScaleTargetRef: autoscalingv1.CrossVersionObjectReference(target), MaxReplicas: 3, TargetCPUUtilizationPercentage: ptr.To[int32](50),
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *fromV1.Spec.MinReplicas != 1 || *fromV1.Spec.TargetCPUUtilizationPercentage != 50 {
		t.Errorf("v1 create: %+v", fromV1.Spec)
	}
	asV2, err := v2.Get(ctx, "from-v1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m := asV2.Spec.Metrics; len(m) != 1 || m[0].Resource == nil || m[0].Resource.Name != corev1.ResourceCPU || *m[0].Resource.Target.AverageUtilization != 50 {
		t.Errorf("v2 view of a v1 HPA: %+v", asV2.Spec.Metrics)
	}
	list, err := v1.List(ctx, metav1.ListOptions{})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("v1 list: %v, %v", list, err)
	}

	// Status isolation through v1.
	fromV1.Status.CurrentReplicas = 2
	fromV1.Spec.MaxReplicas = 9
	st, err := v1.UpdateStatus(ctx, fromV1, metav1.UpdateOptions{})
	if err != nil || st.Status.CurrentReplicas != 2 || st.Spec.MaxReplicas != 3 {
		t.Fatalf("v1 status: %+v, %v", st, err)
	}

	// Validation.
	_, err = v1.Create(ctx, &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "bad"}, Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
		ScaleTargetRef: autoscalingv1.CrossVersionObjectReference{Kind: "Deployment", Name: "web"}, MinReplicas: ptr.To[int32](4), MaxReplicas: 2,
	}}, metav1.CreateOptions{})
	wlInvalid(t, err, "spec.maxReplicas")
	_, err = v2.Create(ctx, &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "bad"}, Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
		ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Name: "web"}, MaxReplicas: 2,
	}}, metav1.CreateOptions{})
	wlInvalid(t, err, "spec.scaleTargetRef.kind")

	// Tables from both versions.
	for _, version := range []string{"v2", "v1"} {
		columns, cells := wlTable(t, client, "/apis/autoscaling/"+version+"/namespaces/"+ns+"/horizontalpodautoscalers/from-v1")
		if !slices.Equal(columns, []string{"Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"}) ||
			cells[1] != "Deployment/web" || cells[2] != "cpu: <unknown>/50%" || cells[3] != "1" {
			t.Errorf("%s table %v %v", version, columns, cells)
		}
	}
}

func TestWorkloadsPodDisruptionBudgets(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	pdbs := client.PolicyV1().PodDisruptionBudgets(ns)

	pdb, err := pdbs.Create(ctx, &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: policyv1.PodDisruptionBudgetSpec{
		MinAvailable: ptr.To(intstr.FromString("50%")), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		UnhealthyPodEvictionPolicy: ptr.To(policyv1.AlwaysAllow),
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pdb.Generation != 1 {
		t.Errorf("generation = %d", pdb.Generation)
	}
	columns, cells := wlTable(t, client, "/apis/policy/v1/namespaces/"+ns+"/poddisruptionbudgets/web")
	if !slices.Equal(columns, []string{"Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"}) || cells[1] != "50%" || cells[2] != "N/A" {
		t.Errorf("pdb table %v %v", columns, cells)
	}

	// Updates need a resourceVersion.
	noVersion := pdb.DeepCopy()
	noVersion.ResourceVersion = ""
	noVersion.Spec.MinAvailable = ptr.To(intstr.FromInt32(1))
	_, err = pdbs.Update(ctx, noVersion, metav1.UpdateOptions{})
	wlInvalid(t, err, "metadata.resourceVersion")

	pdb.Spec.MaxUnavailable = ptr.To(intstr.FromInt32(1))
	_, err = pdbs.Update(ctx, pdb, metav1.UpdateOptions{})
	wlInvalid(t, err, "spec")
	pdb.Spec.MaxUnavailable = nil
	pdb.Spec.UnhealthyPodEvictionPolicy = ptr.To(policyv1.UnhealthyPodEvictionPolicyType("Sometimes"))
	_, err = pdbs.Update(ctx, pdb, metav1.UpdateOptions{})
	wlInvalid(t, err, "spec.unhealthyPodEvictionPolicy")

	pdb.Spec.UnhealthyPodEvictionPolicy = nil
	pdb.Status = policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2}
	st, err := pdbs.UpdateStatus(ctx, pdb, metav1.UpdateOptions{})
	if err != nil || st.Status.DisruptionsAllowed != 1 || st.Spec.UnhealthyPodEvictionPolicy == nil {
		t.Fatalf("pdb status: %+v, %v", st, err)
	}
}

func TestWorkloadsDiscovery(t *testing.T) {
	disco := testServer.Client(t).Discovery()
	want := map[string]map[string]struct {
		shortNames []string
		all        bool
	}{
		"apps/v1": {
			"deployments": {[]string{"deploy"}, true}, "replicasets": {[]string{"rs"}, true},
			"statefulsets": {[]string{"sts"}, true}, "daemonsets": {[]string{"ds"}, true}, "controllerrevisions": {nil, false},
		},
		"batch/v1":       {"jobs": {nil, true}, "cronjobs": {[]string{"cj"}, true}},
		"autoscaling/v2": {"horizontalpodautoscalers": {[]string{"hpa"}, true}},
		"autoscaling/v1": {"horizontalpodautoscalers": {[]string{"hpa"}, true}},
		"policy/v1":      {"poddisruptionbudgets": {[]string{"pdb"}, false}},
	}
	subresources := map[string][]string{
		"apps/v1":  {"deployments/scale", "deployments/status", "replicasets/scale", "statefulsets/scale", "daemonsets/status"},
		"batch/v1": {"jobs/status", "cronjobs/status"}, "autoscaling/v1": {"horizontalpodautoscalers/status"},
		"policy/v1": {"poddisruptionbudgets/status"},
	}
	for gv, resources := range want {
		list, err := disco.ServerResourcesForGroupVersion(gv)
		if err != nil {
			t.Fatalf("%s: %v", gv, err)
		}
		found := map[string]metav1.APIResource{}
		for _, r := range list.APIResources {
			found[r.Name] = r
		}
		for name, w := range resources {
			r, ok := found[name]
			if !ok {
				t.Errorf("%s/%s not served", gv, name)
				continue
			}
			if !slices.Equal(r.ShortNames, w.shortNames) || slices.Contains(r.Categories, "all") != w.all || !r.Namespaced {
				t.Errorf("%s/%s: shortNames %v categories %v namespaced %v", gv, name, r.ShortNames, r.Categories, r.Namespaced)
			}
		}
		for _, sub := range subresources[gv] {
			if _, ok := found[sub]; !ok {
				t.Errorf("%s/%s not served", gv, sub)
			}
		}
	}
}
