package scheduler_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler"
	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
)

// inTreeRegistry is skiff's registry; until DefaultBinder is written, a test binder stands in
// under its name so the default configuration has a binder.
func inTreeRegistry(t *testing.T) schedulerplugins.Registry {
	r := schedulerplugins.NewInTreeRegistry()
	if _, ok := r["DefaultBinder"]; !ok {
		t.Log("registry has no DefaultBinder yet; using a test binder under that name")
		r["DefaultBinder"] = func(_ context.Context, _ runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
			return namedBinder{binder{h}}, nil
		}
	}
	for _, name := range []string{"PrioritySort", "TaintToleration", "NodeAffinity"} {
		if _, ok := r[name]; !ok {
			t.Skipf("registry has no %s yet", name)
		}
	}
	return r
}

type namedBinder struct{ binder }

func (namedBinder) Name() string { return "DefaultBinder" }

func TestInTreeDefaultConfig(t *testing.T) {
	client := srv.Client(t)
	ns := srv.Namespace(t)
	createNodes(t, client, map[string]map[string]string{
		"intree-cp": {"node-role.kubernetes.io/control-plane": ""}, "intree-1": {}, "intree-2": {},
	})
	// Taint the control-plane node as kubeadm does (createNodes lifted the not-ready taint).
	cp, err := client.CoreV1().Nodes().Get(context.Background(), "intree-cp", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cp.Spec.Taints = []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}
	if _, err := client.CoreV1().Nodes().Update(context.Background(), cp, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	startScheduler(t, "", inTreeRegistry(t))

	for i := range 4 {
		createPod(t, client, ns, fmt.Sprintf("web-%d", i), "")
	}
	for i := range 4 {
		p := waitPod(t, client, ns, fmt.Sprintf("web-%d", i), "binding", bound)
		if p.Spec.NodeName == "intree-cp" {
			t.Errorf("pod %s scheduled onto the tainted control-plane node", p.Name)
		}
	}
	createPod(t, client, ns, "nowhere", "", func(p *corev1.Pod) { p.Spec.NodeSelector = map[string]string{"disk": "ssd"} })
	p := waitPod(t, client, ns, "nowhere", "PodScheduled=False", unschedulable)
	want := "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) didn't match Pod's node affinity/selector."
	if msg := podCondition(p, corev1.PodScheduled).Message; !strings.HasPrefix(msg, want) {
		t.Errorf("message = %q\nwant prefix %q", msg, want)
	}
	e := waitEvent(t, client, ns, "nowhere", "FailedScheduling")
	if !strings.HasPrefix(e.Note, want) {
		t.Errorf("event note = %q", e.Note)
	}
}

// TestRunLeaderElectionAndMetrics runs the scheduler as the server does: with the Lease and a
// metrics endpoint.
func TestRunLeaderElectionAndMetrics(t *testing.T) {
	client := srv.Client(t)
	ns := srv.Namespace(t)
	createNodes(t, client, map[string]map[string]string{"run-1": {"suite": "run"}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	o := scheduler.NewOptions()
	o.MetricsBindAddress = addr
	o.Registry = testRegistry()
	dir := t.TempDir()
	o.ConfigFile = dir + "/config.yaml"
	writeFile(t, o.ConfigFile, testConfig(t, "default-scheduler"))

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = scheduler.Run(ctx, srv.ClientConfig, o) })
	defer func() {
		cancel()
		wg.Wait()
		if runErr != nil {
			t.Errorf("Run: %v", runErr)
		}
	}()

	var lease *coordinationv1.Lease
	err = wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		l, err := client.CoordinationV1().Leases("kube-system").Get(ctx, "kube-scheduler", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		lease = l
		return l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity != "", nil
	})
	if err != nil {
		t.Fatalf("no kube-system/kube-scheduler Lease held: %v", err)
	}
	if lease.Spec.LeaseDurationSeconds == nil || *lease.Spec.LeaseDurationSeconds != 15 {
		t.Errorf("lease duration = %v, want 15", lease.Spec.LeaseDurationSeconds)
	}
	createPod(t, client, ns, "p", "", suiteSelector("run"))
	waitPod(t, client, ns, "p", "binding", bound)

	var body string
	err = wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return strings.Contains(body, `scheduler_schedule_attempts_total{profile="default-scheduler",result="scheduled"}`), nil
	})
	if err != nil {
		t.Fatalf("metrics never showed a scheduled attempt: %v\n%s", err, body)
	}
	for _, m := range []string{"scheduler_pending_pods", "scheduler_pod_scheduling_sli_duration_seconds_bucket", "scheduler_pod_scheduling_attempts_bucket"} {
		if !strings.Contains(body, m) {
			t.Errorf("metrics lack %s", m)
		}
	}
}
