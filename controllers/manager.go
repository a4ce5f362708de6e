package controllers

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/internal/leader"
)

// Options are the controller manager's flags.
type Options struct {
	// Controllers selects controllers as kube-controller-manager's --controllers does.
	Controllers []string
	LeaderElect bool
	// LeaderElectionNamespace holds the Lease the replicas compete for.
	LeaderElectionNamespace string
	MetricsBindAddress      string
	HealthProbeBindAddress  string
	// RootCAFile is the CA bundle published as kube-root-ca.crt; empty takes the CA of the
	// rest.Config the manager runs with.
	RootCAFile             string
	NodeMonitorGracePeriod time.Duration
	LocalPathDir           string
	ServiceLBPool          string
	ConcurrentSyncs        int
	// skipNameValidation lets tests run two managers with the same controllers in one process.
	skipNameValidation bool
}

// LeaderElectionID names the Lease in LeaderElectionNamespace, as upstream's
// kube-system/kube-controller-manager.
const LeaderElectionID = "kube-controller-manager"

// NewOptions returns upstream's defaults.
func NewOptions() *Options {
	d := config.Defaults()
	return &Options{
		Controllers:             []string{"*"},
		LeaderElect:             true,
		LeaderElectionNamespace: "kube-system",
		MetricsBindAddress:      "0",
		HealthProbeBindAddress:  "0",
		NodeMonitorGracePeriod:  d.NodeMonitorGracePeriod,
		LocalPathDir:            d.LocalPathDir,
		ServiceLBPool:           d.ServiceLBPool,
		ConcurrentSyncs:         d.ConcurrentSyncs,
	}
}

// AddFlags adds the options to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	names := make([]string, 0, len(All))
	for _, c := range All {
		names = append(names, c.Name)
	}
	fs.StringSliceVar(&o.Controllers, "controllers", o.Controllers, fmt.Sprintf("Controllers to run: '*' runs the default set, 'foo' enables foo, '-foo' disables it. All: %v", names))
	fs.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect, "Take a Lease before acting, so only one controller manager replica runs the controllers.")
	fs.StringVar(&o.LeaderElectionNamespace, "leader-elect-resource-namespace", o.LeaderElectionNamespace, "Namespace of the leader election Lease.")
	fs.StringVar(&o.MetricsBindAddress, "controllers-metrics-bind-address", o.MetricsBindAddress, "Address of the controller manager's /metrics; '0' turns it off.")
	fs.StringVar(&o.HealthProbeBindAddress, "controllers-health-probe-bind-address", o.HealthProbeBindAddress, "Address of the controller manager's /healthz and /readyz; '0' turns them off.")
	fs.StringVar(&o.RootCAFile, "root-ca-file", o.RootCAFile, "CA bundle published in every namespace as kube-root-ca.crt (default: the CA of the kubeconfig).")
	fs.DurationVar(&o.NodeMonitorGracePeriod, "node-monitor-grace-period", o.NodeMonitorGracePeriod, "How long a node may miss heartbeats before it is marked Unknown.")
	fs.StringVar(&o.LocalPathDir, "local-path-dir", o.LocalPathDir, "Directory the built-in local-path provisioner makes volumes in.")
	fs.StringVar(&o.ServiceLBPool, "service-lb-pool", o.ServiceLBPool, "Addresses LoadBalancer Services get theirs from: comma-separated CIDRs and first-last ranges.")
	fs.IntVar(&o.ConcurrentSyncs, "concurrent-syncs", o.ConcurrentSyncs, "Workers per controller.")
}

// config turns the options into what controllers get.
func (o *Options) config(restConfig *rest.Config) (config.Config, error) {
	cfg := config.Defaults()
	cfg.NodeMonitorGracePeriod = o.NodeMonitorGracePeriod
	cfg.LocalPathDir = o.LocalPathDir
	cfg.ServiceLBPool = o.ServiceLBPool
	cfg.ConcurrentSyncs = o.ConcurrentSyncs
	switch {
	case o.RootCAFile != "":
		ca, err := os.ReadFile(o.RootCAFile)
		if err != nil {
			return cfg, fmt.Errorf("reading --root-ca-file: %w", err)
		}
		cfg.RootCA = ca
	case len(restConfig.CAData) > 0:
		cfg.RootCA = restConfig.CAData
	case restConfig.CAFile != "":
		ca, err := os.ReadFile(restConfig.CAFile)
		if err != nil {
			return cfg, fmt.Errorf("reading the kubeconfig's CA: %w", err)
		}
		cfg.RootCA = ca
	}
	return cfg, nil
}

// NewManager builds a manager with the enabled controllers added.
func NewManager(restConfig *rest.Config, o *Options) (manager.Manager, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(restConfig, manager.Options{
		Scheme:                        scheme,
		Logger:                        klog.Background().WithName("controller-manager"),
		LeaderElection:                o.LeaderElect,
		LeaderElectionID:              LeaderElectionID,
		LeaderElectionNamespace:       o.LeaderElectionNamespace,
		LeaderElectionReleaseOnCancel: true,
		Metrics:                       metricsserver.Options{BindAddress: o.MetricsBindAddress},
		HealthProbeBindAddress:        o.HealthProbeBindAddress,
		// Controllers never read managedFields; dropping them keeps 50,000 cached pods small.
		Cache:      cache.Options{DefaultTransform: cache.TransformStripManagedFields()},
		Controller: ctrlconfig.Controller{SkipNameValidation: &o.skipNameValidation},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the controller manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("ping", healthz.Ping); err != nil {
		return nil, err
	}
	cfg, err := o.config(restConfig)
	if err != nil {
		return nil, err
	}
	for _, c := range All {
		if !Enabled(o.Controllers, c) {
			continue
		}
		if err := c.Setup(mgr, cfg); err != nil {
			return nil, fmt.Errorf("setting up controller %s: %w", c.Name, err)
		}
	}
	return mgr, nil
}

// started records that Run built a manager in this process before.
var started atomic.Bool

// Run runs the controller manager until ctx ends. Losing the Lease ends it with leader.ErrLost.
func Run(ctx context.Context, restConfig *rest.Config, o *Options) error {
	ctrl.SetLogger(klog.Background())
	// controller-runtime refuses a controller name used before in the process; a second Run (the
	// server starting again a controller manager that lost its Lease) registers the same names.
	if started.Swap(true) {
		o.skipNameValidation = true
	}
	// As kube-controller-manager: the API's deprecation warnings (v1 Endpoints, which the
	// endpoints controller must keep writing) are for users, not for the controllers' log.
	restConfig = rest.CopyConfig(restConfig)
	restConfig.WarningHandler = rest.NoWarnings{}
	mgr, err := NewManager(restConfig, o)
	if err != nil {
		return err
	}
	err = mgr.Start(ctx)
	// controller-runtime reports the loss with an unexported error of this text.
	if err != nil && err.Error() == "leader election lost" {
		return fmt.Errorf("controller manager: %w", leader.ErrLost)
	}
	return err
}
