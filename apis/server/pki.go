package server

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// PKI names the certificate and key files a server keeps in its data dir. They are made on
// first start and reused afterwards, so clients' kubeconfigs stay valid across restarts.
type PKI struct {
	Dir string
}

func (p PKI) path(name string) string { return filepath.Join(p.Dir, name) }

// CACert is the cluster CA certificate, which verifies client certificates too.
func (p PKI) CACert() string { return p.path("ca.crt") }

// CAKey is the cluster CA's private key.
func (p PKI) CAKey() string { return p.path("ca.key") }

// ServingCert is the apiserver's serving certificate.
func (p PKI) ServingCert() string { return p.path("apiserver.crt") }

// ServingKey is the serving certificate's key.
func (p PKI) ServingKey() string { return p.path("apiserver.key") }

// AdminCert is the client certificate of the admin user (O=system:masters).
func (p PKI) AdminCert() string { return p.path("admin.crt") }

// AdminKey is the admin client certificate's key.
func (p PKI) AdminKey() string { return p.path("admin.key") }

// KubeletClientCert is the certificate the apiserver presents to kubelets (O=system:masters,
// so that their SubjectAccessReviews allow it).
func (p PKI) KubeletClientCert() string { return p.path("apiserver-kubelet-client.crt") }

// KubeletClientKey is the kubelet client certificate's key.
func (p PKI) KubeletClientKey() string { return p.path("apiserver-kubelet-client.key") }

// ServiceAccountKey signs service-account tokens.
func (p PKI) ServiceAccountKey() string { return p.path("sa.key") }

// ServiceAccountPublicKey verifies service-account tokens.
func (p PKI) ServiceAccountPublicKey() string { return p.path("sa.pub") }

// EtcdCert is embedded etcd's serving (and peer) certificate.
func (p PKI) EtcdCert() string { return p.path("etcd.crt") }

// EtcdKey is the etcd certificate's key.
func (p PKI) EtcdKey() string { return p.path("etcd.key") }

// EtcdClientCert is the certificate the apiserver presents to embedded etcd.
func (p PKI) EtcdClientCert() string { return p.path("apiserver-etcd-client.crt") }

// EtcdClientKey is the etcd client certificate's key.
func (p PKI) EtcdClientKey() string { return p.path("apiserver-etcd-client.key") }

// certValidity is how long generated leaf certificates are valid; the CA lives ten times longer.
const certValidity = 365 * 24 * time.Hour

// Ensure creates whatever of the PKI is missing. The serving certificate is made again when
// it lacks one of the wanted SANs, so a new --tls-san or bind address takes effect.
func (p PKI) Ensure(hosts []string, ips []net.IP) error {
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", p.Dir, err)
	}
	ca, caKey, err := p.ensureCA()
	if err != nil {
		return err
	}
	if !servingCertCovers(p.ServingCert(), hosts, ips) {
		tmpl := leafTemplate(pkix.Name{CommonName: "kube-apiserver"}, x509.ExtKeyUsageServerAuth)
		tmpl.DNSNames, tmpl.IPAddresses = hosts, ips
		if err := writeSigned(p.ServingCert(), p.ServingKey(), tmpl, ca, caKey); err != nil {
			return err
		}
	}
	if !exists(p.AdminCert()) {
		tmpl := leafTemplate(pkix.Name{CommonName: "kubernetes-admin", Organization: []string{"system:masters"}}, x509.ExtKeyUsageClientAuth)
		if err := writeSigned(p.AdminCert(), p.AdminKey(), tmpl, ca, caKey); err != nil {
			return err
		}
	}
	// Embedded etcd serves only clients with a certificate of this CA, so that other local users
	// cannot reach the data behind the apiserver's back.
	if !exists(p.EtcdCert()) {
		tmpl := leafTemplate(pkix.Name{CommonName: "etcd"}, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth)
		tmpl.DNSNames, tmpl.IPAddresses = []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}
		if err := writeSigned(p.EtcdCert(), p.EtcdKey(), tmpl, ca, caKey); err != nil {
			return err
		}
	}
	if !exists(p.EtcdClientCert()) {
		tmpl := leafTemplate(pkix.Name{CommonName: "kube-apiserver-etcd-client"}, x509.ExtKeyUsageClientAuth)
		if err := writeSigned(p.EtcdClientCert(), p.EtcdClientKey(), tmpl, ca, caKey); err != nil {
			return err
		}
	}
	if !exists(p.KubeletClientCert()) {
		tmpl := leafTemplate(pkix.Name{CommonName: "kube-apiserver-kubelet-client", Organization: []string{"system:masters"}}, x509.ExtKeyUsageClientAuth)
		if err := writeSigned(p.KubeletClientCert(), p.KubeletClientKey(), tmpl, ca, caKey); err != nil {
			return err
		}
	}
	if !exists(p.ServiceAccountKey()) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		if err := writeKey(p.ServiceAccountKey(), key); err != nil {
			return err
		}
		pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return err
		}
		if err := os.WriteFile(p.ServiceAccountPublicKey(), pemBlock("PUBLIC KEY", pub), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (p PKI) ensureCA() (*x509.Certificate, crypto.Signer, error) {
	if exists(p.CACert()) {
		certs, err := certutil.CertsFromFile(p.CACert())
		if err != nil {
			return nil, nil, fmt.Errorf("reading CA: %w", err)
		}
		key, err := keyutil.PrivateKeyFromFile(p.CAKey())
		if err != nil {
			return nil, nil, fmt.Errorf("reading CA key: %w", err)
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, nil, errors.New("CA key cannot sign")
		}
		return certs[0], signer, nil
	}
	// An RSA CA, as kubeadm makes: every request's client certificate is verified against it,
	// and RSA signatures verify about three times faster than ECDSA P-256 ones.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	ca, err := certutil.NewSelfSignedCACert(certutil.Config{CommonName: "skiff-ca"}, key)
	if err != nil {
		return nil, nil, err
	}
	if err := writeKey(p.CAKey(), key); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(p.CACert(), pemBlock("CERTIFICATE", ca.Raw), 0o644); err != nil {
		return nil, nil, err
	}
	return ca, key, nil
}

func leafTemplate(subject pkix.Name, usage ...x509.ExtKeyUsage) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    now.Add(-time.Hour), // tolerate small clock skew between processes
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  usage,
	}
}

func writeSigned(certFile, keyFile string, tmpl, ca *x509.Certificate, caKey crypto.Signer) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return fmt.Errorf("signing %s: %w", certFile, err)
	}
	if err := writeKey(keyFile, key); err != nil {
		return err
	}
	// The CA follows the leaf so that clients given only this file can still build the chain.
	pem := append(pemBlock("CERTIFICATE", der), pemBlock("CERTIFICATE", ca.Raw)...)
	return os.WriteFile(certFile, pem, 0o644)
}

func writeKey(file string, key crypto.Signer) error {
	pem, err := keyutil.MarshalPrivateKeyToPEM(key)
	if err != nil {
		return err
	}
	return keyutil.WriteKey(file, pem)
}

// loopbackCert returns a throw-away certificate for the server's connections to itself, valid
// for server.LoopbackClientServerNameOverride only. An ECDSA key takes a millisecond; the
// library's default (two RSA keys) costs 0.1-0.4 s of every start.
func loopbackCert(serverName string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := leafTemplate(pkix.Name{CommonName: serverName}, x509.ExtKeyUsageServerAuth)
	tmpl.DNSNames = []string{serverName}
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage |= x509.KeyUsageCertSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err = keyutil.MarshalPrivateKeyToPEM(key)
	return pemBlock("CERTIFICATE", der), keyPEM, err
}

func servingCertCovers(file string, hosts []string, ips []net.IP) bool {
	certs, err := certutil.CertsFromFile(file)
	if err != nil || len(certs) == 0 || time.Now().After(certs[0].NotAfter) {
		return false
	}
	for _, h := range hosts {
		if certs[0].VerifyHostname(h) != nil {
			return false
		}
	}
	for _, ip := range ips {
		if certs[0].VerifyHostname(ip.String()) != nil {
			return false
		}
	}
	return true
}

func exists(file string) bool {
	_, err := os.Stat(file)
	return err == nil
}
