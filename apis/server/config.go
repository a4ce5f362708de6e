package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/google/uuid"
	apiextensionsapiserver "k8s.io/apiextensions-apiserver/pkg/apiserver"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/group"
	"k8s.io/apiserver/pkg/authentication/request/anonymous"
	"k8s.io/apiserver/pkg/authentication/request/union"
	"k8s.io/apiserver/pkg/authentication/request/x509"
	"k8s.io/apiserver/pkg/endpoints/discovery/aggregated"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	"k8s.io/apiserver/pkg/server/filters"
	serverstorage "k8s.io/apiserver/pkg/server/storage"
	"k8s.io/apiserver/pkg/util/openapi"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	aggregatorscheme "k8s.io/kube-aggregator/pkg/apiserver/scheme"
	netutils "k8s.io/utils/net"

	"github.com/skiff-sh/skiff/apis"
	"github.com/skiff-sh/skiff/apis/core/node"
	"github.com/skiff-sh/skiff/apis/core/service"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Config is everything needed to build the server chain.
type Config struct {
	Options *Options
	Generic *genericapiserver.RecommendedConfig
	// StorageFactory maps resources to etcd.
	StorageFactory *serverstorage.DefaultStorageFactory
	// Etcd is the embedded member, nil with an external cluster.
	Etcd *EmbeddedEtcd
	// ServiceCIDR is the parsed --service-cluster-ip-range.
	ServiceCIDR *net.IPNet
}

// healthPaths are what anonymous clients may read, as kube-apiserver's default RBAC allows.
var healthPaths = []string{"/healthz", "/livez", "/readyz", "/version", "/version/"}

// NewConfig prepares the certificates and etcd and builds the generic apiserver config.
// Embedded etcd is started here; Close of the returned config stops it.
func NewConfig(ctx context.Context, o *Options) (*Config, error) {
	if err := apis.Install(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data dir: %w", err)
	}
	pki := o.PKI()
	hosts, ips := o.servingNames()
	if err := pki.Ensure(hosts, ips); err != nil {
		return nil, fmt.Errorf("preparing certificates in %s: %w", pki.Dir, err)
	}
	_, serviceCIDR, err := netutils.ParseCIDRSloppy(o.ServiceClusterIPRange)
	if err != nil {
		return nil, err
	}
	c := &Config{Options: o, ServiceCIDR: serviceCIDR}
	service.Configure(serviceCIDR, o.ServiceNodePortRange)
	if err := node.ConfigureKubeletClient(pki.KubeletClientCert(), pki.KubeletClientKey()); err != nil {
		return nil, err
	}

	if o.EmbedsEtcd() {
		if c.Etcd, err = StartEmbeddedEtcd(ctx, o.DataDir, pki); err != nil {
			return nil, err
		}
		o.UseEtcd(c.Etcd, pki)
	}
	ok := false
	defer func() {
		if !ok {
			c.Close()
		}
	}()

	generic := genericapiserver.NewRecommendedConfig(scheme.Codecs)
	c.Generic = generic
	if err := o.ServerRun.ApplyTo(&generic.Config); err != nil {
		return nil, err
	}
	// The generated serving certificate, unless --tls-cert-file/--tls-private-key-file name one.
	if certKey := &o.SecureServing.ServerCert.CertKey; certKey.CertFile == "" && certKey.KeyFile == "" {
		certKey.CertFile, certKey.KeyFile = pki.ServingCert(), pki.ServingKey()
	}
	if err := o.SecureServing.SecureServingOptions.ApplyTo(&generic.SecureServing); err != nil {
		return nil, fmt.Errorf("serving: %w", err)
	}
	if err := applyLoopback(generic); err != nil {
		return nil, err
	}
	if generic.PublicAddress == nil || generic.PublicAddress.IsUnspecified() {
		generic.PublicAddress = o.SecureServing.BindAddress
	}
	generic.LoopbackClientConfig.ContentConfig.ContentType = "application/vnd.kubernetes.protobuf"
	generic.LoopbackClientConfig.DisableCompression = true

	getDefinitions := openapi.GetOpenAPIDefinitionsWithoutDisabledFeatures(openAPIDefinitions)
	namer := openapinamer.NewDefinitionNamer(scheme.External, apiextensionsapiserver.Scheme, aggregatorscheme.Scheme)
	generic.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(getDefinitions, namer)
	generic.OpenAPIConfig.Info.Title = "Kubernetes"
	generic.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(getDefinitions, namer)
	generic.OpenAPIV3Config.Info.Title = "Kubernetes"
	generic.LongRunningFunc = filters.BasicLongRunningRequestCheck(
		sets.NewString("watch", "proxy"),
		sets.NewString("attach", "exec", "proxy", "log", "portforward"),
	)
	generic.AggregatedDiscoveryGroupManager = aggregated.NewResourceManager("apis")

	resourceConfig := serverstorage.NewResourceConfig()
	resourceConfig.EnableVersions(apis.ServedVersions()...)
	generic.MergedResourceConfig = resourceConfig
	c.StorageFactory = serverstorage.NewDefaultStorageFactory(
		o.Etcd.StorageConfig,
		o.Etcd.DefaultStorageMediaType,
		scheme.Codecs,
		serverstorage.NewDefaultResourceEncodingConfig(scheme.Scheme),
		resourceConfig,
		nil,
	)
	if err := o.Etcd.ApplyWithStorageFactoryTo(c.StorageFactory, &generic.Config); err != nil {
		return nil, fmt.Errorf("etcd: %w", err)
	}

	// The loopback client already carries its token; the authenticators read through it too.
	client, err := kubernetes.NewForConfig(generic.LoopbackClientConfig)
	if err != nil {
		return nil, err
	}
	generic.ClientConfig = generic.LoopbackClientConfig
	generic.SharedInformerFactory = informers.NewSharedInformerFactory(client, 10*time.Minute)
	if err := c.applyAuthentication(pki, client); err != nil {
		return nil, err
	}
	if generic.Authorization.Authorizer, generic.RuleResolver, err = newAuthorizer(); err != nil {
		return nil, err
	}
	genericapiserver.AuthorizeClientBearerToken(generic.LoopbackClientConfig, &generic.Authentication, &generic.Authorization)

	dynamicClient, err := dynamic.NewForConfig(generic.LoopbackClientConfig)
	if err != nil {
		return nil, err
	}
	if err := o.Admission.ApplyTo(&generic.Config, generic.SharedInformerFactory, client, dynamicClient, generic.FeatureGate, generic.EffectiveVersion); err != nil {
		return nil, fmt.Errorf("admission: %w", err)
	}
	ok = true
	return c, nil
}

// applyLoopback gives the server a client config for itself: a bearer token that
// AuthorizeClientBearerToken makes system:masters, over TLS with a throw-away certificate the
// server presents only under the loopback server name.
func applyLoopback(generic *genericapiserver.RecommendedConfig) error {
	certPEM, keyPEM, err := loopbackCert(genericapiserver.LoopbackClientServerNameOverride)
	if err != nil {
		return fmt.Errorf("loopback certificate: %w", err)
	}
	provider, err := dynamiccertificates.NewStaticSNICertKeyContent("loopback", certPEM, keyPEM, genericapiserver.LoopbackClientServerNameOverride)
	if err != nil {
		return err
	}
	generic.SecureServing.SNICerts = append([]dynamiccertificates.SNICertKeyContentProvider{provider}, generic.SecureServing.SNICerts...)
	generic.LoopbackClientConfig, err = generic.SecureServing.NewLoopbackClientConfig(uuid.NewString(), certPEM)
	return err
}

// applyAuthentication accepts client certificates signed by the cluster CA and service-account
// tokens, and lets anonymous requests reach only the health and version endpoints; anything else
// without credentials is 401.
func (c *Config) applyAuthentication(pki PKI, client kubernetes.Interface) error {
	caBundle, err := os.ReadFile(pki.CACert())
	if err != nil {
		return err
	}
	clientCA, err := dynamiccertificates.NewStaticCAContent("client-ca", caBundle)
	if err != nil {
		return err
	}
	c.Generic.SecureServing.ClientCA = clientCA
	var conditions []apiserver.AnonymousAuthCondition
	for _, p := range healthPaths {
		conditions = append(conditions, apiserver.AnonymousAuthCondition{Path: p})
	}
	audiences := []string{serviceAccountIssuer}
	tokens, err := c.serviceAccountTokens(pki, client, audiences)
	if err != nil {
		return err
	}
	var authn authenticator.Request = union.New(x509.NewDynamic(clientCA.VerifyOptions, x509.CommonNameUserConversion), tokens)
	authn = group.NewAuthenticatedGroupAdder(authn)
	authn = union.NewFailOnError(authn, anonymous.NewAuthenticator(conditions))
	c.Generic.Authentication.Authenticator = authn
	c.Generic.Authentication.APIAudiences = audiences
	return nil
}

// servingNames are the host names and IPs the serving certificate must cover.
func (o *Options) servingNames() ([]string, []net.IP) {
	hosts := []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}
	if h, err := os.Hostname(); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	ips := []net.IP{netutils.ParseIPSloppy("127.0.0.1")}
	if bind := o.SecureServing.BindAddress; bind != nil && !bind.IsUnspecified() && !bind.IsLoopback() {
		ips = append(ips, bind)
	}
	if ip, err := firstServiceIP(o.ServiceClusterIPRange); err == nil {
		ips = append(ips, ip)
	}
	for _, san := range o.TLSSANs {
		if ip := netutils.ParseIPSloppy(san); ip != nil {
			ips = append(ips, ip)
		} else {
			hosts = append(hosts, san)
		}
	}
	return hosts, ips
}

// firstServiceIP is the ClusterIP of default/kubernetes: the first address of the range.
func firstServiceIP(cidr string) (net.IP, error) {
	_, ipnet, err := netutils.ParseCIDRSloppy(cidr)
	if err != nil {
		return nil, err
	}
	return netutils.AddIPOffset(netutils.BigForIP(ipnet.IP), 1), nil
}

// Close stops what NewConfig started.
func (c *Config) Close() {
	if c.Etcd != nil {
		c.Etcd.Close()
	}
}
