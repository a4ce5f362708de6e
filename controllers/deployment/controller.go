package deployment

import (
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "deployment"

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	// TODO: not written yet.
	return nil
}
