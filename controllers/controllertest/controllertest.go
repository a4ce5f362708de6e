package controllertest

import (
	"context"
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/skiff-sh/skiff/controllers/config"
)

// StartManager runs a manager with the given controllers against the server restConfig reaches
// (no leader election, no metrics) until the test ends. cfg nil takes config.Defaults() with
// the rest.Config's CA as root CA.
func StartManager(t testing.TB, restConfig *rest.Config, cfg *config.Config, setups ...config.SetupFunc) manager.Manager {
	t.Helper()
	ctrl.SetLogger(klog.Background())
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(rest.CopyConfig(restConfig), manager.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Several managers may run in one test binary.
		Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := config.Defaults()
	if cfg != nil {
		c = *cfg
	}
	if c.RootCA == nil {
		c.RootCA = restConfig.CAData
	}
	for _, setup := range setups {
		if err := setup(mgr, c); err != nil {
			t.Fatalf("setting up a controller: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("manager stopped with: %v", err)
		}
	})
	return mgr
}
