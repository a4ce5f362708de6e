package volumebinding_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/skiff-sh/skiff/scheduler"
)

const (
	timeout      = 30 * time.Second
	selectedNode = "volume.kubernetes.io/selected-node"
)

// TestVolumeBinding runs the scheduler with skiff's default configuration; the test plays
// the volume controller and the provisioner.
func TestVolumeBinding(t *testing.T) {
	s := server(t)
	client := s.Client(t)
	ns := s.Namespace(t)
	ctx := context.Background()
	createNode(t, client, "vb-1")
	createNode(t, client, "vb-2")
	wffc, immediate := storagev1.VolumeBindingWaitForFirstConsumer, storagev1.VolumeBindingImmediate
	for name, c := range map[string]storagev1.StorageClass{
		"local":  {Provisioner: "skiff.sh/local-path", VolumeBindingMode: &wffc},
		"manual": {Provisioner: "kubernetes.io/no-provisioner", VolumeBindingMode: &wffc},
		"now":    {Provisioner: "skiff.sh/local-path", VolumeBindingMode: &immediate},
	} {
		c.Name = ns + "-" + name
		if _, err := client.StorageV1().StorageClasses().Create(ctx, &c, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = client.StorageV1().StorageClasses().Delete(context.Background(), c.Name, metav1.DeleteOptions{})
		})
	}
	startScheduler(t, s.ClientConfig)

	t.Run("WaitForFirstConsumer provisioning", func(t *testing.T) {
		createPVC(t, client, ns, "data", ns+"-local")
		createPod(t, client, ns, "app", "data")
		pvc := waitPVC(t, client, ns, "data", "selected-node annotation", func(c *corev1.PersistentVolumeClaim) bool { return c.Annotations[selectedNode] != "" })
		node := pvc.Annotations[selectedNode]
		if p, _ := client.CoreV1().Pods(ns).Get(ctx, "app", metav1.GetOptions{}); p.Spec.NodeName != "" {
			t.Errorf("pod bound to %s before its claim", p.Spec.NodeName)
		}
		pv := localPV("pv-"+ns+"-data", ns+"-local", node)
		pv.Spec.ClaimRef = &corev1.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: ns, Name: "data", UID: pvc.UID}
		createPV(t, client, pv)
		bindClaim(t, client, pvc, pv.Name)
		waitPod(t, client, ns, "app", "binding to "+node, func(p *corev1.Pod) bool { return p.Spec.NodeName == node })
	})

	t.Run("WaitForFirstConsumer static volume", func(t *testing.T) {
		createPV(t, client, localPV("pv-"+ns+"-static", ns+"-manual", "vb-2"))
		pvc := createPVC(t, client, ns, "static", ns+"-manual")
		createPod(t, client, ns, "static-app", "static")
		pv := waitPV(t, client, "pv-"+ns+"-static", "claimRef", func(v *corev1.PersistentVolume) bool { return v.Spec.ClaimRef != nil })
		if r := pv.Spec.ClaimRef; r.Name != "static" || r.Namespace != ns || r.UID != pvc.UID || pv.Annotations["pv.kubernetes.io/bound-by-controller"] != "yes" {
			t.Errorf("volume claimRef %+v, annotations %v", r, pv.Annotations)
		}
		bindClaim(t, client, pvc, pv.Name)
		waitPod(t, client, ns, "static-app", "binding to vb-2", func(p *corev1.Pod) bool { return p.Spec.NodeName == "vb-2" })
	})

	for name, tc := range map[string]struct{ claim, class, want string }{
		"unbound immediate claim": {claim: "later", class: ns + "-now",
			want: "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."},
		"missing claim": {claim: "nope",
			want: `0/2 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.`},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.class != "" {
				createPVC(t, client, ns, tc.claim, tc.class)
			}
			createPod(t, client, ns, tc.claim+"-app", tc.claim)
			p := waitPod(t, client, ns, tc.claim+"-app", "PodScheduled=False", func(p *corev1.Pod) bool {
				for _, c := range p.Status.Conditions {
					if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
						return true
					}
				}
				return false
			})
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodScheduled && (c.Reason != corev1.PodReasonUnschedulable || c.Message != tc.want) {
					t.Errorf("PodScheduled = %s %q\nwant message %q", c.Reason, c.Message, tc.want)
				}
			}
		})
	}
}

// bindClaim does what the volume controller does once pvc's volume is ready.
func bindClaim(t *testing.T, client kubernetes.Interface, pvc *corev1.PersistentVolumeClaim, volume string) {
	t.Helper()
	ctx := context.Background()
	c, err := client.CoreV1().PersistentVolumeClaims(pvc.Namespace).Get(ctx, pvc.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.Spec.VolumeName = volume
	metav1.SetMetaDataAnnotation(&c.ObjectMeta, "pv.kubernetes.io/bind-completed", "yes")
	metav1.SetMetaDataAnnotation(&c.ObjectMeta, "pv.kubernetes.io/bound-by-controller", "yes")
	if c, err = client.CoreV1().PersistentVolumeClaims(c.Namespace).Update(ctx, c, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.Status.Phase = corev1.ClaimBound
	c.Status.AccessModes = c.Spec.AccessModes
	c.Status.Capacity = c.Spec.Resources.Requests
	if _, err := client.CoreV1().PersistentVolumeClaims(c.Namespace).UpdateStatus(ctx, c, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// localPV is a 2Gi local volume of class usable only from node.
func localPV(name, class, node string) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName:              class,
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			PersistentVolumeSource:        corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: "/var/lib/skiff/" + name}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}},
			}}}},
		},
	}
}

// createPV creates pv and reports it Available, as the volume controller would.
func createPV(t *testing.T, client kubernetes.Interface, pv *corev1.PersistentVolume) {
	t.Helper()
	ctx := context.Background()
	created, err := client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.CoreV1().PersistentVolumes().Delete(context.Background(), pv.Name, metav1.DeleteOptions{})
	})
	created.Status.Phase = corev1.VolumeAvailable
	if pv.Spec.ClaimRef != nil {
		created.Status.Phase = corev1.VolumeBound
	}
	if _, err := client.CoreV1().PersistentVolumes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func createPVC(t *testing.T, client kubernetes.Interface, ns, name, class string) *corev1.PersistentVolumeClaim {
	t.Helper()
	c, err := client.CoreV1().PersistentVolumeClaims(ns).Create(context.Background(), &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{
			StorageClassName: &class,
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func createPod(t *testing.T, client kubernetes.Interface, ns, name, claim string) {
	t.Helper()
	_, err := client.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}},
			Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim},
			}}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func waitFor[T any](t *testing.T, what string, get func(context.Context) (T, error), cond func(T) bool) T {
	t.Helper()
	var last T
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		v, err := get(ctx)
		if err != nil {
			return false, err
		}
		last = v
		return cond(v), nil
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v (last: %+v)", what, err, last)
	}
	return last
}

func waitPod(t *testing.T, client kubernetes.Interface, ns, name, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	return waitFor(t, "pod "+name+": "+what, func(ctx context.Context) (*corev1.Pod, error) {
		return client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	}, cond)
}

func waitPVC(t *testing.T, client kubernetes.Interface, ns, name, what string, cond func(*corev1.PersistentVolumeClaim) bool) *corev1.PersistentVolumeClaim {
	t.Helper()
	return waitFor(t, "claim "+name+": "+what, func(ctx context.Context) (*corev1.PersistentVolumeClaim, error) {
		return client.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
	}, cond)
}

func waitPV(t *testing.T, client kubernetes.Interface, name, what string, cond func(*corev1.PersistentVolume) bool) *corev1.PersistentVolume {
	t.Helper()
	return waitFor(t, "volume "+name+": "+what, func(ctx context.Context) (*corev1.PersistentVolume, error) {
		return client.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
	}, cond)
}

// startScheduler runs the scheduler as the server does (in-tree plugins, default
// configuration) until the test ends.
func startScheduler(t *testing.T, cfg *rest.Config) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- scheduler.Run(ctx, cfg, scheduler.NewOptions()) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("scheduler: %v", err)
		}
	})
}

// createNode makes a Ready, untainted node; it is deleted after the test.
func createNode(t *testing.T, client kubernetes.Interface, name string) {
	t.Helper()
	ctx := context.Background()
	rl := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("4Gi"), corev1.ResourcePods: resource.MustParse("110")}
	n, err := client.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	n.Status = corev1.NodeStatus{Capacity: rl, Allocatable: rl, Conditions: []corev1.NodeCondition{
		{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()},
	}}
	if n, err = client.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Admission taints new nodes not-ready; no node lifecycle controller runs here to lift it.
	if len(n.Spec.Taints) > 0 {
		n.Spec.Taints = nil
		if _, err := client.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}
