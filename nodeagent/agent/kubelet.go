package agent

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/envvars"
	"github.com/skiff-sh/skiff/nodeagent/kubelet"
	"github.com/skiff-sh/skiff/nodeagent/prober"
	"github.com/skiff-sh/skiff/nodeagent/volumes"
)

// runKubelet runs the kubelet on the node's runtime.
func runKubelet(ctx context.Context, restConfig *rest.Config, rt *nodeRuntime, o *Options) error {
	return kubelet.Run(ctx, restConfig, rt.client, o.Kubelet)
}

// kubeletDependencies gives the kubelet its volume manager, environment resolver, prober and
// hook runner, which record events as the kubelet of this node; stop ends what they run.
func kubeletDependencies(ctx context.Context, client kubernetes.Interface, rt *nodeRuntime, o *Options) (stop func()) {
	k := o.Kubelet
	events := record.NewBroadcaster(record.WithContext(ctx))
	events.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	recorder := events.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: k.NodeName})

	hostIPs := []string{k.NodeIP}
	k.Volumes = volumes.NewManager(volumes.Config{RootDir: k.RootDir, Client: client, NodeName: k.NodeName})
	k.Env = envvars.NewResolver(envvars.Config{Client: client, HostIPs: func() []string { return hostIPs }})
	logger := klog.FromContext(ctx).WithName("prober")
	probes := prober.NewManager(prober.Config{Runtime: rt.client, Recorder: recorder, Logger: logger})
	failures := &probeFailures{Manager: probes, out: make(chan kubelet.ProbeFailure)}
	failuresCtx, stopFailures := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { failures.forward(failuresCtx) })
	k.Probes = failures
	k.Hooks = prober.NewHookRunner(rt.client, prober.WithHookRecorder(recorder))
	return func() {
		probes.Stop()
		stopFailures()
		wg.Wait()
		events.Shutdown()
	}
}

// probeFailures is the prober as the kubelet's ProbeManager: its failures in the kubelet's type.
type probeFailures struct {
	*prober.Manager
	out chan kubelet.ProbeFailure
}

func (p *probeFailures) LivenessFailures() <-chan kubelet.ProbeFailure { return p.out }

func (p *probeFailures) forward(ctx context.Context) {
	in := p.Manager.LivenessFailures()
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-in:
			select {
			case p.out <- kubelet.ProbeFailure{Pod: f.Pod, Container: f.Container, Probe: f.Probe, Message: f.Message}:
			case <-ctx.Done():
				return
			}
		}
	}
}
