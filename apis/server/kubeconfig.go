package server

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// WriteAdminKubeconfig writes a kubeconfig for the admin user (client certificate, cluster CA)
// that reaches the server at host:port, embedding the certificates so it can be copied.
func (o *Options) WriteAdminKubeconfig() error {
	pki := o.PKI()
	ca, err := os.ReadFile(pki.CACert())
	if err != nil {
		return err
	}
	cert, err := os.ReadFile(pki.AdminCert())
	if err != nil {
		return err
	}
	key, err := os.ReadFile(pki.AdminKey())
	if err != nil {
		return err
	}
	host := "127.0.0.1"
	if bind := o.SecureServing.BindAddress; bind != nil && !bind.IsUnspecified() {
		host = bind.String()
	}
	const name = "skiff"
	config := clientcmdapi.Config{
		Clusters: map[string]*clientcmdapi.Cluster{name: {
			Server:                   "https://" + net.JoinHostPort(host, strconv.Itoa(o.SecureServing.BindPort)),
			CertificateAuthorityData: ca,
		}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{"admin": {ClientCertificateData: cert, ClientKeyData: key}},
		Contexts:       map[string]*clientcmdapi.Context{name: {Cluster: name, AuthInfo: "admin"}},
		CurrentContext: name,
	}
	if err := clientcmd.WriteToFile(config, o.KubeconfigPath()); err != nil {
		return fmt.Errorf("writing %s: %w", o.KubeconfigPath(), err)
	}
	return nil
}
