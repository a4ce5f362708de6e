package config

import "sigs.k8s.io/controller-runtime/pkg/manager"

// SetupFunc adds one controller to the manager.
type SetupFunc func(mgr manager.Manager, cfg Config) error
