package server

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/trace/noop"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	apiextensionsapiserver "k8s.io/apiextensions-apiserver/pkg/apiserver"
	apiextensionsoptions "k8s.io/apiextensions-apiserver/pkg/cmd/server/options"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/util/webhook"
	"k8s.io/klog/v2"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	apiregistrationv1beta1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1beta1"
	aggregatorapiserver "k8s.io/kube-aggregator/pkg/apiserver"
	aggregatorscheme "k8s.io/kube-aggregator/pkg/apiserver/scheme"
	apiregistrationclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/typed/apiregistration/v1"
	"k8s.io/kube-aggregator/pkg/controllers/autoregister"

	"github.com/skiff-sh/skiff/apis"
	"github.com/skiff-sh/skiff/apis/authentication"
	"github.com/skiff-sh/skiff/apis/authorization"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Server is the running chain: the aggregator in front of skiff's groups in front of the
// apiextensions server, as kube-apiserver chains them.
type Server struct {
	config     *Config
	aggregator *aggregatorapiserver.APIAggregator
	core       *genericapiserver.GenericAPIServer
}

// New builds the server chain from c; Run serves it.
func New(c *Config) (*Server, error) {
	extensions, err := newAPIExtensions(c)
	if err != nil {
		return nil, fmt.Errorf("apiextensions server: %w", err)
	}
	core, err := newCore(c, extensions.GenericAPIServer)
	if err != nil {
		return nil, err
	}
	aggregator, err := newAggregator(c, core, extensions)
	if err != nil {
		return nil, fmt.Errorf("aggregator: %w", err)
	}
	return &Server{config: c, aggregator: aggregator, core: core}, nil
}

// AddPostStartHook runs hook once the server serves; hooks are how the other skiff components
// start after the apiserver in the all-in-one binary.
func (s *Server) AddPostStartHook(name string, hook genericapiserver.PostStartHookFunc) error {
	return s.aggregator.GenericAPIServer.AddPostStartHook(name, hook)
}

// Run serves until ctx ends, then shuts down gracefully and stops embedded etcd. A failure of
// embedded etcd shuts the server down too: it must not keep answering without its storage.
func (s *Server) Run(ctx context.Context) error {
	defer s.config.Close()
	prepared, err := s.aggregator.PrepareRun()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, 1)
	go func() { errs <- prepared.Run(ctx) }()
	var etcdErr <-chan error
	if s.config.Etcd != nil {
		etcdErr = s.config.Etcd.Err()
	}
	select {
	case err := <-errs:
		return err
	case err := <-etcdErr:
		cancel()
		<-errs
		return fmt.Errorf("embedded etcd: %w", err)
	}
}

func newCore(c *Config, delegate genericapiserver.DelegationTarget) (*genericapiserver.GenericAPIServer, error) {
	server, err := c.Generic.Complete().New("skiff-apiserver", delegate)
	if err != nil {
		return nil, err
	}
	for _, group := range apis.Groups {
		// The review groups answer with the server's own authenticator and authorizer.
		switch group.Name {
		case authentication.Group.Name:
			group = authentication.NewGroup(c.Generic.Authentication.Authenticator, c.Generic.Authentication.APIAudiences)
		case authorization.Group.Name:
			group = authorization.NewGroup(c.Generic.Authorization.Authorizer, c.Generic.RuleResolver)
		}
		storage, err := group.NewStorage(c.Generic.RESTOptionsGetter)
		if err != nil {
			return nil, fmt.Errorf("storage of group %q: %w", group.Name, err)
		}
		info := genericapiserver.NewDefaultAPIGroupInfo(group.Name, scheme.Scheme, scheme.ParameterCodec, scheme.Codecs)
		for version, resources := range storage {
			if len(resources) > 0 {
				info.VersionedResourcesStorageMap[version] = resources
			}
		}
		if len(info.VersionedResourcesStorageMap) == 0 {
			continue // a group whose resources are still to come
		}
		if group.Name == "" {
			err = server.InstallLegacyAPIGroup(genericapiserver.DefaultLegacyAPIPrefix, &info)
		} else {
			err = server.InstallAPIGroup(&info)
		}
		if err != nil {
			return nil, fmt.Errorf("installing group %q: %w", group.Name, err)
		}
	}
	if err := addBootstrapHooks(c, server); err != nil {
		return nil, err
	}
	return server, nil
}

// derivedConfig copies the generic config for a server of the chain that stores its own
// group with its own codec.
func derivedConfig(c *Config, codec runtime.Codec, encodeVersioner runtime.GroupVersioner) (genericapiserver.Config, error) {
	generic := c.Generic.Config
	generic.PostStartHooks = map[string]genericapiserver.PostStartHookConfigEntry{}
	generic.RESTOptionsGetter = nil
	etcd := *c.Options.Etcd
	etcd.StorageConfig.Codec = codec
	etcd.StorageConfig.EncodeVersioner = encodeVersioner
	etcd.SkipHealthEndpoints = true // the core server already checks etcd
	err := etcd.ApplyTo(&generic)
	return generic, err
}

func newAPIExtensions(c *Config) (*apiextensionsapiserver.CustomResourceDefinitions, error) {
	generic, err := derivedConfig(c,
		apiextensionsapiserver.Codecs.LegacyCodec(apiextensionsv1beta1.SchemeGroupVersion, apiextensionsv1.SchemeGroupVersion),
		runtime.NewMultiGroupVersioner(apiextensionsv1beta1.SchemeGroupVersion, schema.GroupKind{Group: apiextensionsv1beta1.GroupName}))
	if err != nil {
		return nil, err
	}
	generic.MergedResourceConfig = apiextensionsapiserver.DefaultAPIResourceConfigSource()
	config := &apiextensionsapiserver.Config{
		GenericConfig: &genericapiserver.RecommendedConfig{Config: generic, SharedInformerFactory: c.Generic.SharedInformerFactory},
		ExtraConfig: apiextensionsapiserver.ExtraConfig{
			CRDRESTOptionsGetter: apiextensionsoptions.NewCRDRESTOptionsGetter(*c.Options.Etcd, generic.ResourceTransformers, generic.StorageObjectCountTracker),
			MasterCount:          1,
			AuthResolverWrapper:  webhook.NewDefaultAuthenticationInfoResolverWrapper(nil, nil, generic.LoopbackClientConfig, noop.NewTracerProvider()),
			ServiceResolver:      webhook.NewDefaultServiceResolver(),
		},
	}
	return config.Complete().New(genericapiserver.NewEmptyDelegate())
}

func newAggregator(c *Config, delegate *genericapiserver.GenericAPIServer, extensions *apiextensionsapiserver.CustomResourceDefinitions) (*aggregatorapiserver.APIAggregator, error) {
	generic, err := derivedConfig(c,
		aggregatorscheme.Codecs.LegacyCodec(apiregistrationv1.SchemeGroupVersion, apiregistrationv1beta1.SchemeGroupVersion),
		runtime.NewMultiGroupVersioner(apiregistrationv1.SchemeGroupVersion, schema.GroupKind{Group: apiregistrationv1beta1.GroupName}))
	if err != nil {
		return nil, err
	}
	generic.SkipOpenAPIInstallation = true
	generic.MergedResourceConfig = aggregatorapiserver.DefaultAPIResourceConfigSource()
	config := &aggregatorapiserver.Config{
		GenericConfig: &genericapiserver.RecommendedConfig{Config: generic, SharedInformerFactory: c.Generic.SharedInformerFactory},
		ExtraConfig: aggregatorapiserver.ExtraConfig{
			ServiceResolver: aggregatorapiserver.NewClusterIPServiceResolver(c.Generic.SharedInformerFactory.Core().V1().Services().Lister()),
		},
	}
	// Discovery lists groups and versions in kube-apiserver's order.
	if manager := generic.AggregatedDiscoveryGroupManager; manager != nil {
		for gv, p := range priorities {
			manager.SetGroupVersionPriority(metav1.GroupVersion(gv), int(p.group), int(p.version))
		}
	}
	aggregator, err := config.Complete().NewWithDelegate(delegate)
	if err != nil {
		return nil, err
	}

	client, err := apiregistrationclient.NewForConfig(generic.LoopbackClientConfig)
	if err != nil {
		return nil, err
	}
	autoRegistration := autoregister.NewAutoRegisterController(aggregator.APIRegistrationInformers.Apiregistration().V1().APIServices(), client)
	for _, service := range localAPIServices(delegate) {
		autoRegistration.AddAPIServiceToSyncOnStart(service)
	}
	crds, err := newCRDRegistration(extensions.Informers.Apiextensions().V1().CustomResourceDefinitions(), autoRegistration)
	if err != nil {
		return nil, err
	}
	if err := aggregator.GenericAPIServer.AddPostStartHook("skiff-release-startup-memory", releaseStartupMemory); err != nil {
		return nil, err
	}
	err = aggregator.GenericAPIServer.AddPostStartHook("skiff-apiservice-registration", func(ctx genericapiserver.PostStartHookContext) error {
		go func() {
			if crds.WaitForInitialSync(ctx) {
				autoRegistration.Run(2, ctx.Done())
			}
		}()
		klog.FromContext(ctx).V(2).Info("Registering local APIServices")
		return nil
	})
	return aggregator, err
}
