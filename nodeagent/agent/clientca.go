package agent

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
)

// clientCAFile is the CA bundle that verifies the kubelet API's clients: --client-ca-file, else
// the CA the node trusts the API server with, written under the kubelet's root (k3s's agents use
// the cluster's CA the same way). The API server's kubelet client certificate is signed by it.
func clientCAFile(o *Options, restConfig *rest.Config) (string, error) {
	if o.ClientCAFile != "" {
		return o.ClientCAFile, nil
	}
	if restConfig.CAFile != "" {
		return restConfig.CAFile, nil
	}
	if len(restConfig.CAData) == 0 {
		return "", nil
	}
	dir := filepath.Join(o.Kubelet.RootDir, "pki")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "client-ca.crt")
	if err := os.WriteFile(path, restConfig.CAData, 0o600); err != nil {
		return "", fmt.Errorf("writing the kubelet API's client CA: %w", err)
	}
	return path, nil
}
