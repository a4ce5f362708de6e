package kubeletserver

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"

	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// servingTLS loads the serving certificate, generating a self-signed one in CertDir when no
// files are given (kubelet.crt/kubelet.key, reused when present), and asks clients for a
// certificate as the kubelet does: the authenticator verifies it against ClientCAFile, so an
// unknown certificate is a 401 rather than a failed handshake; requests without one use tokens.
func servingTLS(cfg Config) (*tls.Config, error) {
	certFile, keyFile := cfg.TLSCertFile, cfg.TLSKeyFile
	if certFile == "" && keyFile == "" {
		if cfg.CertDir == "" {
			return nil, fmt.Errorf("kubelet server: no serving certificate and no CertDir to generate one in")
		}
		certFile, keyFile = filepath.Join(cfg.CertDir, "kubelet.crt"), filepath.Join(cfg.CertDir, "kubelet.key")
		if err := ensureSelfSigned(certFile, keyFile, cfg.NodeName); err != nil {
			return nil, err
		}
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("kubelet server certificate: %w", err)
	}
	c := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{pair},
		NextProtos:   []string{"http/1.1"}, // streaming upgrades need HTTP/1.1
	}
	if cfg.ClientCAFile != "" {
		pool, err := clientCAPool(cfg.ClientCAFile)
		if err != nil {
			return nil, err
		}
		c.ClientCAs, c.ClientAuth = pool, tls.RequestClientCert
	}
	return c, nil
}

func clientCAPool(file string) (*x509.CertPool, error) {
	certs, err := certutil.CertsFromFile(file)
	if err != nil {
		return nil, fmt.Errorf("client CA: %w", err)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// ensureSelfSigned writes a self-signed certificate for host unless both files exist.
func ensureSelfSigned(certFile, keyFile, host string) error {
	if _, err := os.Stat(certFile); err == nil {
		if _, err := os.Stat(keyFile); err == nil {
			return nil
		}
	}
	if host == "" {
		host = "localhost"
	}
	cert, key, err := certutil.GenerateSelfSignedCertKey(host, nil, nil)
	if err != nil {
		return fmt.Errorf("generating self-signed kubelet certificate: %w", err)
	}
	if err := certutil.WriteCert(certFile, cert); err != nil {
		return err
	}
	return keyutil.WriteKey(keyFile, key)
}
