package kubelet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/dns"
)

// podDir holds a pod's kubelet-managed files (hosts file, termination logs).
func (k *Kubelet) podDir(uid types.UID) string {
	return filepath.Join(k.o.RootDir, "pods", string(uid))
}

// podLogDir is upstream's <logs>/pods/<namespace>_<name>_<uid>.
func (k *Kubelet) podLogDir(pod *corev1.Pod) string {
	return filepath.Join(k.o.RootDir, "logs", "pods", fmt.Sprintf("%s_%s_%s", pod.Namespace, pod.Name, pod.UID))
}

func (k *Kubelet) ensureDirs() error {
	for _, d := range []string{filepath.Join(k.o.RootDir, "pods"), filepath.Join(k.o.RootDir, "logs", "pods")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return err
		}
	}
	return nil
}

// namespaceOptions are the pod's namespaces: the node's for host*, one PID namespace per
// container unless shareProcessNamespace.
func namespaceOptions(pod *corev1.Pod) *runtimeapi.NamespaceOption {
	ns := &runtimeapi.NamespaceOption{
		Network: runtimeapi.NamespaceMode_POD, Pid: runtimeapi.NamespaceMode_CONTAINER, Ipc: runtimeapi.NamespaceMode_POD,
	}
	if pod.Spec.HostNetwork {
		ns.Network = runtimeapi.NamespaceMode_NODE
	}
	if pod.Spec.HostIPC {
		ns.Ipc = runtimeapi.NamespaceMode_NODE
	}
	if pod.Spec.ShareProcessNamespace != nil && *pod.Spec.ShareProcessNamespace {
		ns.Pid = runtimeapi.NamespaceMode_POD
	}
	if pod.Spec.HostPID {
		ns.Pid = runtimeapi.NamespaceMode_NODE
	}
	return ns
}

// sandboxConfig is the pod's PodSandboxConfig for attempt.
func (k *Kubelet) sandboxConfig(pod *corev1.Pod, attempt uint32) (*runtimeapi.PodSandboxConfig, []dns.Event, error) {
	resolver, events := dns.PodDNS(pod, dns.PodDNSParams{
		ClusterDNS: k.o.ClusterDNS, ClusterDomain: k.o.ClusterDomain, Host: k.hostDNS, NodeIPs: k.nodeIPs,
	})
	cfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: pod.Name, Namespace: pod.Namespace, Uid: string(pod.UID), Attempt: attempt},
		LogDirectory: k.podLogDir(pod),
		DnsConfig:    &runtimeapi.DNSConfig{Servers: resolver.Servers, Searches: resolver.Searches, Options: resolver.Options},
		Labels:       cri.PodLabels(pod.Namespace, pod.Name, string(pod.UID)),
		Annotations:  map[string]string{},
	}
	for key, v := range pod.Labels {
		if _, reserved := cfg.Labels[key]; !reserved {
			cfg.Labels[key] = v
		}
	}
	for key, v := range pod.Annotations {
		cfg.Annotations[key] = v
	}
	if !pod.Spec.HostNetwork {
		hostname, domain, err := podHostnameAndDomain(pod, k.o.ClusterDomain)
		if err != nil {
			return nil, events, err
		}
		if pod.Spec.SetHostnameAsFQDN != nil && *pod.Spec.SetHostnameAsFQDN && domain != "" {
			hostname = hostname + "." + domain
			if len(hostname) > 64 {
				return nil, events, fmt.Errorf("failed to construct FQDN from pod hostname and cluster domain, FQDN %s is too long (64 characters is the max, %d characters requested)", hostname, len(hostname))
			}
		}
		cfg.Hostname = hostname
	}
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			cfg.PortMappings = append(cfg.PortMappings, &runtimeapi.PortMapping{
				Protocol: protocol(p.Protocol), ContainerPort: p.ContainerPort, HostPort: p.HostPort, HostIp: p.HostIP,
			})
		}
	}
	sc := &runtimeapi.LinuxSandboxSecurityContext{NamespaceOptions: namespaceOptions(pod), Privileged: anyPrivileged(pod)}
	if psc := pod.Spec.SecurityContext; psc != nil {
		if psc.RunAsUser != nil {
			sc.RunAsUser = &runtimeapi.Int64Value{Value: *psc.RunAsUser}
		}
		if psc.RunAsGroup != nil {
			sc.RunAsGroup = &runtimeapi.Int64Value{Value: *psc.RunAsGroup}
		}
		sc.SupplementalGroups = supplementalGroups(psc)
		sc.Seccomp = seccompProfile(psc.SeccompProfile, nil)
	}
	linux := &runtimeapi.LinuxPodSandboxConfig{CgroupParent: k.o.CgroupParent, SecurityContext: sc}
	if psc := pod.Spec.SecurityContext; psc != nil && len(psc.Sysctls) > 0 {
		linux.Sysctls = map[string]string{}
		for _, s := range psc.Sysctls {
			linux.Sysctls[s.Name] = s.Value
		}
	}
	cfg.Linux = linux
	return cfg, events, nil
}

func protocol(p corev1.Protocol) runtimeapi.Protocol {
	switch p {
	case corev1.ProtocolUDP:
		return runtimeapi.Protocol_UDP
	case corev1.ProtocolSCTP:
		return runtimeapi.Protocol_SCTP
	}
	return runtimeapi.Protocol_TCP
}

func anyPrivileged(pod *corev1.Pod) bool {
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range list {
			if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
				return true
			}
		}
	}
	return false
}

// supplementalGroups are the pod's supplemental groups plus its fsGroup, as upstream passes them.
func supplementalGroups(psc *corev1.PodSecurityContext) []int64 {
	groups := append([]int64(nil), psc.SupplementalGroups...)
	if psc.FSGroup != nil {
		groups = append(groups, *psc.FSGroup)
	}
	return groups
}

// seccompProfile is the container's profile, else the pod's, else unconfined.
func seccompProfile(pod, container *corev1.SeccompProfile) *runtimeapi.SecurityProfile {
	p := container
	if p == nil {
		p = pod
	}
	if p == nil {
		return &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Unconfined}
	}
	switch p.Type {
	case corev1.SeccompProfileTypeRuntimeDefault:
		return &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_RuntimeDefault}
	case corev1.SeccompProfileTypeLocalhost:
		if p.LocalhostProfile != nil {
			return &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Localhost, LocalhostRef: *p.LocalhostProfile}
		}
	}
	return &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Unconfined}
}

// createSandbox runs a new sandbox for pod after killing what is left of older ones.
func (k *Kubelet) createSandbox(ctx context.Context, pod *corev1.Pod, rt *podRuntime) error {
	var attempt uint32
	if len(rt.sandboxes) > 0 {
		attempt = rt.sandboxes[0].GetMetadata().GetAttempt() + 1
		k.recorder.Eventf(pod, corev1.EventTypeNormal, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.")
		for _, c := range rt.containers {
			if c.running() {
				if err := k.runtime.StopContainer(ctx, c.id, 0); err != nil {
					return fmt.Errorf("stopping container %s of the old sandbox: %w", c.id, err)
				}
			}
		}
		for _, s := range rt.sandboxes {
			if s.State == runtimeapi.PodSandboxState_SANDBOX_READY {
				if err := k.runtime.StopPodSandbox(ctx, s.Id); err != nil {
					return fmt.Errorf("stopping old sandbox %s: %w", s.Id, err)
				}
			}
		}
	}
	cfg, events, err := k.sandboxConfig(pod, attempt)
	for _, e := range events {
		if e.OnNode {
			k.recorder.Event(&corev1.ObjectReference{Kind: "Node", Name: k.o.NodeName, UID: types.UID(k.o.NodeName)}, e.Type, e.Reason, e.Message)
		} else {
			k.recorder.Event(pod, e.Type, e.Reason, e.Message)
		}
	}
	if err == nil {
		err = os.MkdirAll(cfg.LogDirectory, 0o755)
	}
	if err == nil {
		_, err = k.runtime.RunPodSandbox(ctx, cfg, "")
	}
	if err != nil {
		k.recorder.Eventf(pod, corev1.EventTypeWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: %v", err)
		return fmt.Errorf("creating the pod sandbox: %w", err)
	}
	return nil
}
