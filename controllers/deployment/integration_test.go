package deployment_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/deployment"
)

func TestCreateRollsOut(t *testing.T) {
	c, ns := start(t)
	ctx := context.Background()
	d, err := c.AppsV1().Deployments(ns).Create(ctx, newDeployment(ns, "web", 3, "nginx:1"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d = rollOut(t, c, ns, "web")

	hash := deployment.ComputeHash(&d.Spec.Template, nil)
	rss := replicaSets(t, c, ns)
	rs, ok := rss["web-"+hash]
	if !ok || len(rss) != 1 {
		t.Fatalf("ReplicaSets %s, want only web-%s", describe(rss), hash)
	}
	if rs.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != hash || rs.Spec.Selector.MatchLabels[appsv1.DefaultDeploymentUniqueLabelKey] != hash ||
		rs.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != hash {
		t.Errorf("ReplicaSet labels %v, selector %v, template labels %v: want pod-template-hash %s", rs.Labels, rs.Spec.Selector, rs.Spec.Template.Labels, hash)
	}
	wantAnnotations := map[string]string{
		deployment.RevisionAnnotation:        "1",
		deployment.DesiredReplicasAnnotation: "3",
		deployment.MaxReplicasAnnotation:     "4", // 25% surge of 3, rounded up
	}
	for k, v := range wantAnnotations {
		if rs.Annotations[k] != v {
			t.Errorf("ReplicaSet annotation %s = %q, want %q", k, rs.Annotations[k], v)
		}
	}
	if ref := metav1.GetControllerOf(rs); ref == nil || ref.UID != d.UID || ref.Kind != "Deployment" {
		t.Errorf("ReplicaSet controller %+v, want the Deployment", ref)
	}
	if d.Annotations[deployment.RevisionAnnotation] != "1" {
		t.Errorf("Deployment revision %q, want 1", d.Annotations[deployment.RevisionAnnotation])
	}
	if s := d.Status; s.ReadyReplicas != 3 || s.UnavailableReplicas != 0 || ptr.Deref(s.TerminatingReplicas, -1) != 0 {
		t.Errorf("status %+v", s)
	}
	avail := condition(d, appsv1.DeploymentAvailable)
	if avail == nil || avail.Status != corev1.ConditionTrue || avail.Reason != deployment.MinimumReplicasAvailable || avail.Message != "Deployment has minimum availability." {
		t.Errorf("Available condition %+v", avail)
	}
	prog := condition(d, appsv1.DeploymentProgressing)
	if want := fmt.Sprintf("ReplicaSet %q has successfully progressed.", rs.Name); prog.Status != corev1.ConditionTrue || prog.Message != want {
		t.Errorf("Progressing condition %+v, want message %q", prog, want)
	}
	if msgs := events(t, c, ns, "ScalingReplicaSet"); !hasMessage(msgs, fmt.Sprintf("Scaled up replica set %s from 0 to 3", rs.Name)) {
		t.Errorf("ScalingReplicaSet events %q", msgs)
	}
}

func TestRollingUpdate(t *testing.T) {
	c, ns := start(t)
	ctx := context.Background()
	d := newDeployment(ns, "roll", 4, "nginx:1")
	d.Spec.Strategy = appsv1.DeploymentStrategy{
		Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxSurge:       ptr.To(intOrString(1)),
			MaxUnavailable: ptr.To(intOrString(0)),
		},
	}
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rollOut(t, c, ns, "roll")
	old := rsOfImage(t, c, ns, "nginx:1")

	update(t, c, ns, "roll", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "nginx:2" })
	// With maxUnavailable 0 and maxSurge 1, one new pod comes first and no old one goes yet.
	eventually(t, "the new ReplicaSet", func(ctx context.Context) (bool, error) {
		for _, rs := range replicaSets(t, c, ns) {
			if rs.Spec.Template.Spec.Containers[0].Image == "nginx:2" {
				if n := ptr.Deref(rs.Spec.Replicas, -1); n != 1 {
					return false, fmt.Errorf("new ReplicaSet created with %d replicas, want 1 (maxSurge)", n)
				}
				return true, nil
			}
		}
		return false, nil
	})
	if cur := rsOfImage(t, c, ns, "nginx:1"); ptr.Deref(cur.Spec.Replicas, -1) != 4 {
		t.Errorf("old ReplicaSet scaled to %d before a new pod was available", ptr.Deref(cur.Spec.Replicas, -1))
	}
	got := rollOut(t, c, ns, "roll")
	newRS := rsOfImage(t, c, ns, "nginx:2")
	old = rsOfImage(t, c, ns, "nginx:1")
	if ptr.Deref(newRS.Spec.Replicas, -1) != 4 || ptr.Deref(old.Spec.Replicas, -1) != 0 {
		t.Errorf("after the rollout: %s", describe(replicaSets(t, c, ns)))
	}
	if got.Annotations[deployment.RevisionAnnotation] != "2" || newRS.Annotations[deployment.RevisionAnnotation] != "2" {
		t.Errorf("revisions: deployment %q, new ReplicaSet %q, want 2", got.Annotations[deployment.RevisionAnnotation], newRS.Annotations[deployment.RevisionAnnotation])
	}
	if msgs := events(t, c, ns, "ScalingReplicaSet"); !hasMessage(msgs, fmt.Sprintf("Scaled down replica set %s from 1 to 0", old.Name)) {
		t.Errorf("ScalingReplicaSet events %q", msgs)
	}

	// kubectl rollout restart: a template annotation makes a third ReplicaSet.
	update(t, c, ns, "roll", func(d *appsv1.Deployment) {
		d.Spec.Template.Annotations = map[string]string{"kubectl.kubernetes.io/restartedAt": time.Now().Format(time.RFC3339)}
	})
	got = rollOut(t, c, ns, "roll")
	if rss := replicaSets(t, c, ns); len(rss) != 3 || got.Annotations[deployment.RevisionAnnotation] != "3" {
		t.Errorf("after a restart: %s, deployment revision %s", describe(rss), got.Annotations[deployment.RevisionAnnotation])
	}
}

func intOrString(n int) intstr.IntOrString { return intstr.FromInt(n) }

func TestRecreate(t *testing.T) {
	c, ns := start(t)
	ctx := context.Background()
	d := newDeployment(ns, "rec", 2, "nginx:1")
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rollOut(t, c, ns, "rec")
	update(t, c, ns, "rec", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "nginx:2" })

	// The old pods are terminating (nothing removes them yet): no new ReplicaSet may start.
	eventually(t, "the old pods to terminate", func(ctx context.Context) (bool, error) {
		pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		terminating := 0
		for _, p := range pods.Items {
			if p.DeletionTimestamp != nil {
				terminating++
			}
		}
		return terminating == 2, nil
	})
	d, err := c.AppsV1().Deployments(ns).Get(ctx, "rec", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the status to count the terminating pods", func(ctx context.Context) (bool, error) {
		d, err = c.AppsV1().Deployments(ns).Get(ctx, "rec", metav1.GetOptions{})
		return err == nil && ptr.Deref(d.Status.TerminatingReplicas, 0) == 2, err
	})
	if rss := replicaSets(t, c, ns); len(rss) != 1 {
		t.Fatalf("a new ReplicaSet started while old pods were terminating: %s", describe(rss))
	}
	got := rollOut(t, c, ns, "rec")
	if rss := replicaSets(t, c, ns); len(rss) != 2 || ptr.Deref(rsOfImage(t, c, ns, "nginx:2").Spec.Replicas, -1) != 2 {
		t.Errorf("after the rollout: %s", describe(rss))
	}
	if got.Annotations[deployment.RevisionAnnotation] != "2" {
		t.Errorf("revision %q, want 2", got.Annotations[deployment.RevisionAnnotation])
	}
}

func TestPauseAndResume(t *testing.T) {
	c, ns := start(t)
	ctx := context.Background()
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, newDeployment(ns, "pause", 2, "nginx:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rollOut(t, c, ns, "pause")
	update(t, c, ns, "pause", func(d *appsv1.Deployment) {
		d.Spec.Paused = true
		d.Spec.Template.Spec.Containers[0].Image = "nginx:2"
	})
	eventually(t, "the paused condition", func(ctx context.Context) (bool, error) {
		d, err := c.AppsV1().Deployments(ns).Get(ctx, "pause", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		cond := condition(d, appsv1.DeploymentProgressing)
		return d.Status.ObservedGeneration == d.Generation && cond != nil && cond.Reason == deployment.PausedDeployReason &&
			cond.Status == corev1.ConditionUnknown && cond.Message == "Deployment is paused", nil
	})
	if rss := replicaSets(t, c, ns); len(rss) != 1 {
		t.Fatalf("a paused Deployment rolled out: %s", describe(rss))
	}

	// Scaling still works while paused.
	update(t, c, ns, "pause", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](3) })
	eventually(t, "scaling while paused", func(ctx context.Context) (bool, error) {
		kubelet(t, c, ns)
		rs := rsOfImage(t, c, ns, "nginx:1")
		return ptr.Deref(rs.Spec.Replicas, -1) == 3 && rs.Status.AvailableReplicas == 3, nil
	})
	if rss := replicaSets(t, c, ns); len(rss) != 1 {
		t.Fatalf("a paused Deployment rolled out: %s", describe(rss))
	}

	update(t, c, ns, "pause", func(d *appsv1.Deployment) { d.Spec.Paused = false })
	got := rollOut(t, c, ns, "pause")
	if rs := rsOfImage(t, c, ns, "nginx:2"); ptr.Deref(rs.Spec.Replicas, -1) != 3 || got.Annotations[deployment.RevisionAnnotation] != "2" {
		t.Errorf("after resuming: %s", describe(replicaSets(t, c, ns)))
	}
}

// TestRollbackByTemplate does what kubectl rollout undo does: copy an old ReplicaSet's
// template into the Deployment.
func TestRollbackByTemplate(t *testing.T) {
	c, ns := start(t)
	ctx := context.Background()
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, newDeployment(ns, "undo", 2, "nginx:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rollOut(t, c, ns, "undo")
	first := rsOfImage(t, c, ns, "nginx:1")
	update(t, c, ns, "undo", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "nginx:2" })
	rollOut(t, c, ns, "undo")

	update(t, c, ns, "undo", func(d *appsv1.Deployment) {
		d.Spec.Template = *first.Spec.Template.DeepCopy()
		delete(d.Spec.Template.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	})
	got := rollOut(t, c, ns, "undo")
	rss := replicaSets(t, c, ns)
	back := rss[first.Name]
	if len(rss) != 2 || back == nil || ptr.Deref(back.Spec.Replicas, -1) != 2 {
		t.Fatalf("after the rollback: %s, want %s back at 2", describe(rss), first.Name)
	}
	if back.Annotations[deployment.RevisionAnnotation] != "3" || back.Annotations[deployment.RevisionHistoryAnnotation] != "1" {
		t.Errorf("rolled-back ReplicaSet revision %q history %q, want 3 and 1",
			back.Annotations[deployment.RevisionAnnotation], back.Annotations[deployment.RevisionHistoryAnnotation])
	}
	if got.Annotations[deployment.RevisionAnnotation] != "3" {
		t.Errorf("deployment revision %q, want 3", got.Annotations[deployment.RevisionAnnotation])
	}
}

func TestRevisionHistoryLimit(t *testing.T) {
	c, ns := start(t)
	ctx := context.Background()
	d := newDeployment(ns, "hist", 1, "nginx:1")
	d.Spec.RevisionHistoryLimit = ptr.To[int32](1)
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rollOut(t, c, ns, "hist")
	for _, image := range []string{"nginx:2", "nginx:3", "nginx:4"} {
		update(t, c, ns, "hist", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = image })
		rollOut(t, c, ns, "hist")
	}
	eventually(t, "old ReplicaSets to be cleaned up", func(ctx context.Context) (bool, error) {
		return len(replicaSets(t, c, ns)) == 2, nil
	})
	rss := replicaSets(t, c, ns)
	for _, image := range []string{"nginx:3", "nginx:4"} {
		found := false
		for _, rs := range rss {
			found = found || rs.Spec.Template.Spec.Containers[0].Image == image
		}
		if !found {
			t.Errorf("the ReplicaSet of %s was deleted; left: %s", image, describe(rss))
		}
	}
}

// TestHashCollision: a ReplicaSet not of the Deployment holds the name its template hashes
// to; the Deployment counts a collision and takes the next name.
func TestHashCollision(t *testing.T) {
	c, ns := start(t)
	ctx := context.Background()
	// Create the Deployment paused, only to learn its defaulted template.
	d := newDeployment(ns, "coll", 1, "nginx:1")
	d.Spec.Paused = true
	d, err := c.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	taken := deployment.ComputeHash(&d.Spec.Template, nil)
	squatter := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "coll-" + taken, Labels: map[string]string{"app": "other"}},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To[int32](0),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "other"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "other"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "other"}}},
			},
		},
	}
	if _, err := c.AppsV1().ReplicaSets(ns).Create(ctx, squatter, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	update(t, c, ns, "coll", func(d *appsv1.Deployment) { d.Spec.Paused = false })
	got := rollOut(t, c, ns, "coll")
	if ptr.Deref(got.Status.CollisionCount, 0) != 1 {
		t.Errorf("collisionCount %v, want 1", got.Status.CollisionCount)
	}
	want := "coll-" + deployment.ComputeHash(&got.Spec.Template, ptr.To[int32](1))
	if rss := replicaSets(t, c, ns); rss[want] == nil || len(rss) != 2 {
		t.Errorf("ReplicaSets %s, want %s besides the squatter", describe(rss), want)
	}
}

// TestAdoptsOrphanReplicaSet: a Deployment re-created over the ReplicaSet it left behind
// (kubectl delete --cascade=orphan) adopts it instead of starting a new one.
func TestAdoptsOrphanReplicaSet(t *testing.T) {
	c, ns := start(t)
	ctx := context.Background()
	d := newDeployment(ns, "again", 2, "nginx:1")
	d.Spec.Paused = true // learn the defaulted template first
	d, err := c.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hash := deployment.ComputeHash(&d.Spec.Template, nil)
	template := *d.Spec.Template.DeepCopy()
	template.Labels[appsv1.DefaultDeploymentUniqueLabelKey] = hash
	orphan := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "again-" + hash, Labels: template.Labels,
			Annotations: map[string]string{deployment.RevisionAnnotation: "4"}},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: template.Labels},
			Template: template,
		},
	}
	if _, err := c.AppsV1().ReplicaSets(ns).Create(ctx, orphan, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	update(t, c, ns, "again", func(d *appsv1.Deployment) { d.Spec.Paused = false })
	got := rollOut(t, c, ns, "again")
	rss := replicaSets(t, c, ns)
	adopted := rss[orphan.Name]
	if len(rss) != 1 || adopted == nil {
		t.Fatalf("ReplicaSets %s, want only the adopted %s", describe(rss), orphan.Name)
	}
	if ref := metav1.GetControllerOf(adopted); ref == nil || ref.UID != got.UID || !ptr.Deref(ref.BlockOwnerDeletion, false) {
		t.Errorf("controller reference %+v, want the Deployment", ref)
	}
	if got.Annotations[deployment.RevisionAnnotation] != "4" {
		t.Errorf("deployment revision %q, want the adopted ReplicaSet's 4", got.Annotations[deployment.RevisionAnnotation])
	}
}
