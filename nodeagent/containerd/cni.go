package containerd

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
)

// BridgeNetwork is a node's pod network: a Linux bridge with host-local addresses from Subnet,
// the bridge being every pod's gateway.
type BridgeNetwork struct {
	// Name is the CNI network's name; default "skiff".
	Name string
	// Bridge is the bridge device; default "skiff0".
	Bridge string
	// Subnet is the node's pod CIDR, such as 10.244.0.0/24.
	Subnet string
	// Routes are destinations pods reach through the bridge; default 0.0.0.0/0.
	Routes []string
	// IPAMDir keeps host-local's address allocations (the default, /var/lib/cni/networks, is shared
	// by the whole machine).
	IPAMDir string
}

// ConfFile is the name WriteCNIConfig gives the configuration in the CNI conf directory.
const ConfFile = "10-skiff.conflist"

// WriteCNIConfig writes n as the only network configuration in confDir, atomically: containerd
// watches the directory and its CRI network becomes ready once a configuration is there.
func WriteCNIConfig(confDir string, n BridgeNetwork) error {
	data, err := n.conflist()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(confDir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(confDir, "."+ConfFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(confDir, ConfFile))
}

func (n BridgeNetwork) conflist() ([]byte, error) {
	if n.Name == "" {
		n.Name = "skiff"
	}
	if n.Bridge == "" {
		n.Bridge = "skiff0"
	}
	if len(n.Bridge) > 15 {
		return nil, fmt.Errorf("bridge name %q is longer than 15 bytes", n.Bridge)
	}
	subnet, err := netip.ParsePrefix(n.Subnet)
	if err != nil {
		return nil, fmt.Errorf("pod subnet: %w", err)
	}
	if n.IPAMDir == "" {
		return nil, fmt.Errorf("no directory for host-local's allocations")
	}
	if len(n.Routes) == 0 {
		n.Routes = []string{"0.0.0.0/0"}
		if subnet.Addr().Is6() {
			n.Routes = []string{"::/0"}
		}
	}
	routes := make([]map[string]string, 0, len(n.Routes))
	for _, r := range n.Routes {
		if _, err := netip.ParsePrefix(r); err != nil {
			return nil, fmt.Errorf("route: %w", err)
		}
		routes = append(routes, map[string]string{"dst": r})
	}
	conf := map[string]any{
		"cniVersion": "0.4.0",
		"name":       n.Name,
		"plugins": []any{map[string]any{
			"type":        "bridge",
			"bridge":      n.Bridge,
			"isGateway":   true,
			"hairpinMode": true,
			"ipam": map[string]any{
				"type":    "host-local",
				"ranges":  [][]map[string]string{{{"subnet": subnet.Masked().String()}}},
				"routes":  routes,
				"dataDir": n.IPAMDir,
			},
		}},
	}
	return json.MarshalIndent(conf, "", "  ")
}
