package interpodaffinity

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	configv1 "k8s.io/kube-scheduler/config/v1"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

const zone = corev1.LabelTopologyZone

// threeNodes: n1 and n2 in zone a, n3 in zone b.
func threeNodes() []*corev1.Node {
	return []*corev1.Node{
		pt.MakeNode("n1").Label(zone, "a").Obj(),
		pt.MakeNode("n2").Label(zone, "a").Obj(),
		pt.MakeNode("n3").Label(zone, "b").Obj(),
	}
}

func ns(name string, lbls map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls}}
}

// newPlugin builds the plugin over snap with namespaces default, team-x (team=x) and other.
func newPlugin(t *testing.T, snap *nodeinfo.Snapshot, args *configv1.InterPodAffinityArgs) *Plugin {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	client := fake.NewClientset(ns("default", nil), ns("team-x", map[string]string{"team": "x"}), ns("other", nil))
	factory := informers.NewSharedInformerFactory(client, time.Hour)
	p, err := New(ctx, args, &pt.Handle{Lister: snap, Informers: factory})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	factory.Start(ctx.Done())
	// Shutdown waits for the informers, which stop when ctx ends.
	t.Cleanup(func() { cancel(); factory.Shutdown() })
	factory.WaitForCacheSync(ctx.Done())
	return p.(*Plugin)
}
