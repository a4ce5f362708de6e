package kubelet

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

const (
	managedHostsHeader                = "# Kubernetes-managed hosts file.\n"
	managedHostsHeaderWithHostNetwork = "# Kubernetes-managed hosts file (host network).\n"
	hostsFileMaxHostnameLen           = 63
)

// podHostnameAndDomain is the pod's hostname (hostnameOverride, spec.hostname or its name, cut to
// 63 characters) and its domain (<subdomain>.<namespace>.svc.<cluster domain>) as upstream forms them.
func podHostnameAndDomain(pod *corev1.Pod, clusterDomain string) (string, string, error) {
	if o := pod.Spec.HostnameOverride; o != nil {
		if msgs := validation.IsDNS1123Subdomain(*o); len(msgs) != 0 {
			return "", "", fmt.Errorf("pod HostnameOverride %q is not a valid DNS subdomain: %s", *o, strings.Join(msgs, ";"))
		}
		h, err := truncateHostname(pod.Name, *o)
		return h, "", err
	}
	hostname := pod.Name
	if pod.Spec.Hostname != "" {
		if msgs := validation.IsDNS1123Label(pod.Spec.Hostname); len(msgs) != 0 {
			return "", "", fmt.Errorf("pod Hostname %q is not a valid DNS label: %s", pod.Spec.Hostname, strings.Join(msgs, ";"))
		}
		hostname = pod.Spec.Hostname
	}
	hostname, err := truncateHostname(pod.Name, hostname)
	if err != nil {
		return "", "", err
	}
	domain := ""
	if pod.Spec.Subdomain != "" {
		if msgs := validation.IsDNS1123Label(pod.Spec.Subdomain); len(msgs) != 0 {
			return "", "", fmt.Errorf("pod Subdomain %q is not a valid DNS label: %s", pod.Spec.Subdomain, strings.Join(msgs, ";"))
		}
		domain = fmt.Sprintf("%s.%s.svc.%s", pod.Spec.Subdomain, pod.Namespace, clusterDomain)
	}
	return hostname, domain, nil
}

func truncateHostname(podName, hostname string) (string, error) {
	if len(hostname) <= hostsFileMaxHostnameLen {
		return hostname, nil
	}
	t := strings.TrimRight(hostname[:hostsFileMaxHostnameLen], "-.")
	if t == "" {
		return "", fmt.Errorf("hostname for pod %q was invalid: %q", podName, hostname)
	}
	return t, nil
}

// managedHostsFile is the /etc/hosts the kubelet writes for a pod with its own network.
func managedHostsFile(podIPs []string, hostname, domain string, aliases []corev1.HostAlias) []byte {
	var b bytes.Buffer
	b.WriteString(managedHostsHeader)
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::0\tip6-localnet\n")
	b.WriteString("fe00::0\tip6-mcastprefix\n")
	b.WriteString("fe00::1\tip6-allnodes\n")
	b.WriteString("fe00::2\tip6-allrouters\n")
	for _, ip := range podIPs {
		if domain != "" {
			fmt.Fprintf(&b, "%s\t%s.%s\t%s\n", ip, hostname, domain, hostname)
		} else {
			fmt.Fprintf(&b, "%s\t%s\n", ip, hostname)
		}
	}
	b.Write(hostAliasEntries(aliases))
	return b.Bytes()
}

// hostNetworkHostsFile is the node's hosts file under upstream's header, plus the host aliases.
func hostNetworkHostsFile(nodeHosts []byte, aliases []corev1.HostAlias) []byte {
	var b bytes.Buffer
	b.WriteString(managedHostsHeaderWithHostNetwork)
	b.Write(nodeHosts)
	b.Write(hostAliasEntries(aliases))
	return b.Bytes()
}

func hostAliasEntries(aliases []corev1.HostAlias) []byte {
	if len(aliases) == 0 {
		return nil
	}
	var b bytes.Buffer
	b.WriteString("\n# Entries added by HostAliases.\n")
	for _, a := range aliases {
		fmt.Fprintf(&b, "%s\t%s\n", a.IP, strings.Join(a.Hostnames, "\t"))
	}
	return b.Bytes()
}

// writeHostsFile writes the pod's hosts file under its directory and returns its mount, or nil
// when a container must not get one (it mounts /etc/hosts itself, or the pod has no IP yet).
func (k *Kubelet) writeHostsFile(pod *corev1.Pod, podIPs []string) (string, error) {
	var content []byte
	if pod.Spec.HostNetwork {
		nodeHosts, err := os.ReadFile("/etc/hosts")
		if err != nil {
			return "", err
		}
		content = hostNetworkHostsFile(nodeHosts, pod.Spec.HostAliases)
	} else {
		if len(podIPs) == 0 {
			return "", nil
		}
		hostname, domain, err := podHostnameAndDomain(pod, k.o.ClusterDomain)
		if err != nil {
			return "", err
		}
		content = managedHostsFile(podIPs, hostname, domain, pod.Spec.HostAliases)
	}
	path := filepath.Join(k.podDir(pod.UID), "etc-hosts")
	// Written in place, as upstream: the containers' bind mounts see the new content.
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", err
	}
	if cur, err := os.ReadFile(path); err == nil && bytes.Equal(cur, content) {
		return path, nil
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// hostsMount is the mount of the hosts file into c unless c mounts /etc/hosts itself.
func hostsMount(path string, c *corev1.Container) *runtimeapi.Mount {
	if path == "" {
		return nil
	}
	for _, m := range c.VolumeMounts {
		if m.MountPath == "/etc/hosts" {
			return nil
		}
	}
	return &runtimeapi.Mount{ContainerPath: "/etc/hosts", HostPath: path, SelinuxRelabel: true}
}
