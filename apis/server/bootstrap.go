package server

import (
	"k8s.io/apimachinery/pkg/util/errors"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/kubernetes"

	"github.com/skiff-sh/skiff/apis/core/bootstrap"
	"github.com/skiff-sh/skiff/apis/scheduling/priorityclass"
)

// addBootstrapHooks makes the objects every cluster starts with once the server serves:
// the system namespaces, default/kubernetes and the system priority classes.
func addBootstrapHooks(c *Config, s *genericapiserver.GenericAPIServer) error {
	namespaces := func(ctx genericapiserver.PostStartHookContext) error {
		client, err := kubernetes.NewForConfig(ctx.LoopbackClientConfig)
		if err != nil {
			return err
		}
		return bootstrap.Run(ctx, client, c.Generic.PublicAddress, c.Options.SecureServing.BindPort)
	}
	priorityClasses := func(ctx genericapiserver.PostStartHookContext) error {
		client, err := kubernetes.NewForConfig(ctx.LoopbackClientConfig)
		if err != nil {
			return err
		}
		return priorityclass.EnsureSystemPriorityClasses(ctx, client)
	}
	return errors.NewAggregate([]error{
		s.AddPostStartHook("skiff-bootstrap-namespaces-and-kubernetes-service", namespaces),
		s.AddPostStartHook(priorityclass.PostStartHookName, priorityClasses),
	})
}
