package scheduler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/component-base/metrics"
	"k8s.io/klog/v2"
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/skiff-sh/skiff/internal/apilimit"
	"github.com/skiff-sh/skiff/internal/leader"
	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
	"github.com/skiff-sh/skiff/scheduler/config"
)

// maxEventsInFlight bounds the event writes in flight (client-go's broadcaster writes each
// event in its own goroutine).
const maxEventsInFlight = 16

// Run schedules pods until ctx ends: it loads the configuration, serves metrics if asked,
// takes the Lease if leader election is on, and runs the scheduler.
func Run(ctx context.Context, restConfig *rest.Config, o *Options) error {
	logger := klog.FromContext(ctx)
	registry := o.Registry
	if registry == nil {
		registry = schedulerplugins.NewInTreeRegistry()
	}
	cfg, err := LoadConfig(o.ConfigFile, registry)
	if err != nil {
		return err
	}
	// Bindings and events each get a bounded number of requests in flight (see apilimit): a
	// backlog's thousands of bindings and events stay on one connection, and a new pod's
	// binding never waits behind the backlog's events.
	eventConfig := rest.CopyConfig(restConfig)
	apilimit.Limit(eventConfig, maxEventsInFlight)
	restConfig = rest.CopyConfig(restConfig)
	apilimit.Limit(restConfig, 0)
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("building client: %w", err)
	}
	eventClient, err := kubernetes.NewForConfig(eventConfig)
	if err != nil {
		return fmt.Errorf("building event client: %w", err)
	}
	s, err := New(ctx, client, Config{Configuration: cfg, Registry: registry, RestConfig: restConfig, EventClient: eventClient})
	if err != nil {
		return err
	}
	if o.MetricsBindAddress != "" && o.MetricsBindAddress != "0" {
		stop, err := serveMetrics(ctx, o.MetricsBindAddress, s.metrics.Registry, o.Profiling)
		if err != nil {
			return err
		}
		defer stop()
	}
	if !o.LeaderElect {
		return s.Run(ctx)
	}
	return runWithLeaderElection(ctx, logger, client, cfg, s)
}

// LoadConfig reads the file (or takes upstream's default configuration), defaults it, dropping
// default plugins the registry lacks, and validates it.
func LoadConfig(file string, registry schedulerplugins.Registry) (*configv1.KubeSchedulerConfiguration, error) {
	available := func(name string) bool { _, ok := registry[name]; return ok }
	var cfg *configv1.KubeSchedulerConfiguration
	if file == "" {
		cfg = config.Default(available)
	} else {
		var err error
		if cfg, err = config.Load(file, available); err != nil {
			return nil, err
		}
	}
	if err := config.Validate(cfg); err != nil {
		return nil, fmt.Errorf("invalid scheduler configuration: %w", err)
	}
	return cfg, nil
}

func serveMetrics(ctx context.Context, addr string, reg metrics.KubeRegistry, profiling bool) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for scheduler metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics.HandlerFor(reg, metrics.HandlerOpts{}))
	if profiling {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			klog.FromContext(ctx).Error(err, "Serving scheduler metrics")
		}
	}()
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}

// runWithLeaderElection schedules only while holding the configured Lease; losing it ends Run
// with an error, as upstream's kube-scheduler exits.
func runWithLeaderElection(ctx context.Context, logger klog.Logger, client kubernetes.Interface, cfg *configv1.KubeSchedulerConfiguration, s *Scheduler) error {
	host, err := os.Hostname()
	if err != nil {
		return fmt.Errorf("getting hostname: %w", err)
	}
	le := cfg.LeaderElection
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: le.ResourceNamespace, Name: le.ResourceName},
		Client:     client.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: host + "_" + uuid.NewString()},
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The elector runs in its own goroutine; scheduling runs here on the leader context it
	// hands over, so Run returns only after both ended.
	leading := make(chan context.Context, 1)
	lost := make(chan struct{})
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   le.LeaseDuration.Duration,
		RenewDeadline:   le.RenewDeadline.Duration,
		RetryPeriod:     le.RetryPeriod.Duration,
		ReleaseOnCancel: true,
		Name:            le.ResourceName,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(leaderCtx context.Context) { leading <- leaderCtx },
			OnStoppedLeading: func() {
				if ctx.Err() == nil {
					close(lost)
				}
			},
		},
	})
	if err != nil {
		return fmt.Errorf("configuring leader election: %w", err)
	}
	logger.Info("Waiting to become the scheduler leader", "lease", le.ResourceNamespace+"/"+le.ResourceName)
	electorDone := make(chan struct{})
	go func() {
		defer close(electorDone)
		elector.Run(ctx)
	}()
	var runErr error
	select {
	case leaderCtx := <-leading:
		runErr = s.Run(leaderCtx)
		cancel()
		<-electorDone
	case <-electorDone:
	}
	select {
	case <-lost:
		return fmt.Errorf("scheduler: %w", leader.ErrLost)
	default:
		return runErr
	}
}
