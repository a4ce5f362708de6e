package server

import (
	"context"

	genericapiserver "k8s.io/apiserver/pkg/server"
)

// Prepare makes everything a run needs from o: certificates, embedded etcd, the server chain
// with hooks added (each starts once the server serves) and the admin kubeconfig. Run on the
// returned server serves and, when it returns, stops what Prepare started; on error nothing
// is left running.
func Prepare(ctx context.Context, o *Options, hooks map[string]genericapiserver.PostStartHookFunc) (*Server, error) {
	config, err := NewConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	srv, err := New(config)
	if err == nil {
		for name, hook := range hooks {
			if err = srv.AddPostStartHook(name, hook); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = o.WriteAdminKubeconfig()
	}
	if err != nil {
		config.Close()
		return nil, err
	}
	return srv, nil
}
