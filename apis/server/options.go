package server

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	netutils "k8s.io/utils/net"

	skiffadmission "github.com/skiff-sh/skiff/apis/admission"
)

// Options are the apiserver's command-line settings.
type Options struct {
	// DataDir holds the PKI, the embedded etcd's data and admin.kubeconfig.
	DataDir string
	// TLSSANs are extra host names and IPs for the serving certificate.
	TLSSANs []string
	// ServiceClusterIPRange is the CIDR Service ClusterIPs are allocated from.
	ServiceClusterIPRange string
	// ServiceNodePortRange is the port range NodePorts are allocated from.
	ServiceNodePortRange utilnet.PortRange

	ServerRun     *genericoptions.ServerRunOptions
	SecureServing *genericoptions.SecureServingOptionsWithLoopback
	// Etcd names an external etcd cluster; with no --etcd-servers skiff embeds one.
	Etcd      *genericoptions.EtcdOptions
	Admission *genericoptions.AdmissionOptions
}

// NewOptions returns the defaults of `skiff server`.
func NewOptions() *Options {
	serving := genericoptions.NewSecureServingOptions()
	serving.BindAddress = netutils.ParseIPSloppy("127.0.0.1")
	serving.BindPort = 6443
	serving.ServerCert.PairName = "apiserver"

	etcd := genericoptions.NewEtcdOptions(storagebackend.NewDefaultConfig("/registry", nil))
	// The protobuf encoding k8s.io/api types carry is what kube-apiserver stores.
	etcd.DefaultStorageMediaType = "application/vnd.kubernetes.protobuf"

	// kube-apiserver's admission chain: the generic plugins plus skiff's versions of upstream's
	// default-on ones (Priority, LimitRanger, PodSecurity ...), in upstream's order.
	admission := genericoptions.NewAdmissionOptions()
	skiffadmission.RegisterAll(admission.Plugins)
	admission.RecommendedPluginOrder = skiffadmission.Order
	admission.DefaultOffPlugins = skiffadmission.DefaultOff(skiffadmission.Order)

	return &Options{
		DataDir:               defaultDataDir(),
		ServiceClusterIPRange: "10.96.0.0/12",
		ServiceNodePortRange:  utilnet.PortRange{Base: 30000, Size: 2768},
		ServerRun:             genericoptions.NewServerRunOptions(),
		SecureServing:         serving.WithLoopback(),
		Etcd:                  etcd,
		Admission:             admission,
	}
}

func defaultDataDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".skiff"
	}
	return filepath.Join(home, ".skiff")
}

// AddFlags adds the options' flags to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.DataDir, "data-dir", o.DataDir, "Directory for the cluster's state: certificates, the embedded etcd's data and admin.kubeconfig.")
	fs.StringSliceVar(&o.TLSSANs, "tls-san", o.TLSSANs, "Extra host names or IP addresses for the serving certificate.")
	fs.StringVar(&o.ServiceClusterIPRange, "service-cluster-ip-range", o.ServiceClusterIPRange, "CIDR from which Service ClusterIPs are allocated.")
	fs.Var(&o.ServiceNodePortRange, "service-node-port-range", "Port range reserved for Services of type NodePort.")
	o.SecureServing.AddFlags(fs)
	etcd := pflag.NewFlagSet("etcd", pflag.ContinueOnError)
	o.Etcd.AddFlags(etcd)
	// Only the flags that choose and reach an external cluster; the rest keep kube-apiserver's defaults.
	for _, name := range []string{"etcd-servers", "etcd-cafile", "etcd-certfile", "etcd-keyfile", "etcd-prefix"} {
		fs.AddFlag(etcd.Lookup(name))
	}
	fs.StringSliceVar(&o.Admission.EnablePlugins, "enable-admission-plugins", o.Admission.EnablePlugins, "Admission plugins to enable in addition to the default ones.")
	fs.StringSliceVar(&o.Admission.DisablePlugins, "disable-admission-plugins", o.Admission.DisablePlugins, "Admission plugins to disable.")
}

// Validate checks the options.
func (o *Options) Validate() error {
	if o.DataDir == "" {
		return fmt.Errorf("--data-dir must not be empty")
	}
	if _, _, err := net.ParseCIDR(o.ServiceClusterIPRange); err != nil {
		return fmt.Errorf("--service-cluster-ip-range: %w", err)
	}
	var errs []error
	errs = append(errs, o.SecureServing.Validate()...)
	errs = append(errs, o.Admission.Validate()...)
	errs = append(errs, o.ServerRun.Validate()...)
	if !o.EmbedsEtcd() {
		errs = append(errs, o.Etcd.Validate()...)
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid options: %v", errs)
	}
	return nil
}

// UseEtcd points the storage at an etcd member started with pki's certificates.
func (o *Options) UseEtcd(e *EmbeddedEtcd, pki PKI) {
	transport := &o.Etcd.StorageConfig.Transport
	transport.ServerList = []string{e.ClientURL}
	transport.CertFile, transport.KeyFile, transport.TrustedCAFile = pki.EtcdClientCert(), pki.EtcdClientKey(), pki.CACert()
}

// EmbedsEtcd tells whether skiff runs its own etcd.
func (o *Options) EmbedsEtcd() bool { return len(o.Etcd.StorageConfig.Transport.ServerList) == 0 }

// PKI returns where the certificates live.
func (o *Options) PKI() PKI { return PKI{Dir: filepath.Join(o.DataDir, "pki")} }

// KubeconfigPath is where the admin kubeconfig is written.
func (o *Options) KubeconfigPath() string { return filepath.Join(o.DataDir, "admin.kubeconfig") }
