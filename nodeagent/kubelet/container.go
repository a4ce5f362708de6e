package kubelet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/envvars"
)

// Upstream's default masked and read-only /proc and /sys paths of unprivileged containers.
var (
	defaultMaskedPaths = []string{"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
		"/sys/firmware", "/sys/devices/virtual/powercap"}
	defaultReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// containerRef is the object reference events about container c carry.
func containerRef(pod *corev1.Pod, c *corev1.Container) *corev1.ObjectReference {
	path := fmt.Sprintf("spec.containers{%s}", c.Name)
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == c.Name {
			path = fmt.Sprintf("spec.initContainers{%s}", c.Name)
		}
	}
	return &corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
		APIVersion: "v1", ResourceVersion: pod.ResourceVersion, FieldPath: path}
}

// containerHash identifies a container's spec; a running container whose hash differs from its
// spec's (the image was changed) is restarted.
func containerHash(c *corev1.Container) string {
	h := fnv.New32a()
	data, _ := json.Marshal(struct {
		Name, Image string
		Command     []string
		Args        []string
	}{c.Name, c.Image, c.Command, c.Args})
	h.Write(data)
	return strconv.FormatUint(uint64(h.Sum32()), 16)
}

// containerEnv is c's environment from the EnvResolver; without one, only literal values.
func (k *Kubelet) containerEnv(ctx context.Context, pod *corev1.Pod, c *corev1.Container, podIPs []string) ([]*runtimeapi.KeyValue, error) {
	podIP := ""
	if len(podIPs) > 0 {
		podIP = podIPs[0]
	}
	if k.o.Env != nil {
		return k.o.Env.Env(ctx, pod, c, podIP, podIPs)
	}
	if len(c.EnvFrom) > 0 {
		return nil, errors.New("envFrom is not supported: this node has no environment resolver")
	}
	env := map[string]string{}
	var out []*runtimeapi.KeyValue
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			return nil, fmt.Errorf("env %s: valueFrom is not supported: this node has no environment resolver", e.Name)
		}
		v := envvars.Expand(e.Value, env)
		env[e.Name] = v
		out = append(out, &runtimeapi.KeyValue{Key: e.Name, Value: []byte(v)})
	}
	return out, nil
}

func envMap(kvs []*runtimeapi.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = string(kv.Value)
	}
	return m
}

// terminationLogFile creates an empty file for c's termination message under the pod's directory.
func (k *Kubelet) terminationLogFile(pod *corev1.Pod, c *corev1.Container) (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	dir := filepath.Join(k.podDir(pod.UID), "containers", c.Name)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	path := filepath.Join(dir, hex.EncodeToString(b))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o666)
	if err != nil {
		return "", err
	}
	// Any user in the container may write its termination message.
	if err := f.Chmod(0o666); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// containerSpec is what containerConfig needs about one container start.
type containerSpec struct {
	pod          *corev1.Pod
	c            *corev1.Container
	typ          string // cri.ContainerTypeInit or ""
	restartCount int
	image        *runtimeapi.Image
	env          []*runtimeapi.KeyValue
	mounts       []*runtimeapi.Mount
	memCapacity  int64
}

// containerConfig is the CRI ContainerConfig of a container start.
func containerConfig(s containerSpec) (*runtimeapi.ContainerConfig, error) {
	pod, c := s.pod, s.c
	env := envMap(s.env)
	labels := cri.PodLabels(pod.Namespace, pod.Name, string(pod.UID))
	labels[cri.LabelContainerName] = c.Name
	if s.typ != "" {
		labels[cri.LabelContainerType] = s.typ
	}
	ann := map[string]string{
		cri.AnnotationContainerHash:            containerHash(c),
		cri.AnnotationContainerRestartCount:    strconv.Itoa(s.restartCount),
		cri.AnnotationTerminationMessagePath:   c.TerminationMessagePath,
		cri.AnnotationTerminationMessagePolicy: string(c.TerminationMessagePolicy),
	}
	if pod.DeletionGracePeriodSeconds != nil {
		ann[cri.AnnotationPodDeletionGracePeriod] = strconv.FormatInt(*pod.DeletionGracePeriodSeconds, 10)
	}
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		ann[cri.AnnotationPodTerminationGrace] = strconv.FormatInt(*pod.Spec.TerminationGracePeriodSeconds, 10)
	}
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
		data, _ := json.Marshal(c.Lifecycle.PreStop)
		ann[cri.AnnotationPreStopHandler] = string(data)
	}
	if len(c.Ports) > 0 {
		data, _ := json.Marshal(c.Ports)
		ann[cri.AnnotationContainerPorts] = string(data)
	}
	sc, err := securityContext(pod, c, s.image)
	if err != nil {
		return nil, err
	}
	return &runtimeapi.ContainerConfig{
		Metadata:    &runtimeapi.ContainerMetadata{Name: c.Name, Attempt: uint32(s.restartCount)},
		Image:       &runtimeapi.ImageSpec{Image: s.image.GetId(), UserSpecifiedImage: c.Image, Annotations: pod.Annotations},
		Command:     expandAll(c.Command, env),
		Args:        expandAll(c.Args, env),
		WorkingDir:  c.WorkingDir,
		Envs:        s.env,
		Mounts:      s.mounts,
		Labels:      labels,
		Annotations: ann,
		LogPath:     filepath.Join(c.Name, strconv.Itoa(s.restartCount)+".log"),
		Stdin:       c.Stdin,
		StdinOnce:   c.StdinOnce,
		Tty:         c.TTY,
		Linux: &runtimeapi.LinuxContainerConfig{
			Resources:       containerResources(pod, c, s.memCapacity),
			SecurityContext: sc,
		},
	}, nil
}

// securityContext merges the pod's and c's security contexts as upstream, and checks runAsNonRoot
// against the image's user.
func securityContext(pod *corev1.Pod, c *corev1.Container, image *runtimeapi.Image) (*runtimeapi.LinuxContainerSecurityContext, error) {
	psc := pod.Spec.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	csc := c.SecurityContext
	if csc == nil {
		csc = &corev1.SecurityContext{}
	}
	out := &runtimeapi.LinuxContainerSecurityContext{NamespaceOptions: namespaceOptions(pod)}
	runAsUser, runAsGroup, nonRoot := psc.RunAsUser, psc.RunAsGroup, psc.RunAsNonRoot
	if csc.RunAsUser != nil {
		runAsUser = csc.RunAsUser
	}
	if csc.RunAsGroup != nil {
		runAsGroup = csc.RunAsGroup
	}
	if csc.RunAsNonRoot != nil {
		nonRoot = csc.RunAsNonRoot
	}
	if runAsUser != nil {
		out.RunAsUser = &runtimeapi.Int64Value{Value: *runAsUser}
	}
	if runAsGroup != nil {
		out.RunAsGroup = &runtimeapi.Int64Value{Value: *runAsGroup}
	}
	if nonRoot != nil && *nonRoot {
		switch {
		case runAsUser != nil && *runAsUser == 0:
			return nil, fmt.Errorf("container's runAsUser breaks non-root policy (pod: %q, container: %s)", podDesc(pod), c.Name)
		case runAsUser == nil && image.GetUid() != nil && image.GetUid().GetValue() == 0:
			return nil, errors.New("container has runAsNonRoot and image will run as root")
		case runAsUser == nil && image.GetUid() == nil && image.GetUsername() != "":
			return nil, fmt.Errorf("container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root", image.GetUsername())
		}
	}
	out.SupplementalGroups = supplementalGroups(psc)
	out.Seccomp = seccompProfile(psc.SeccompProfile, csc.SeccompProfile)
	if csc.Privileged != nil {
		out.Privileged = *csc.Privileged
	}
	if csc.ReadOnlyRootFilesystem != nil {
		out.ReadonlyRootfs = *csc.ReadOnlyRootFilesystem
	}
	if csc.AllowPrivilegeEscalation != nil {
		out.NoNewPrivs = !*csc.AllowPrivilegeEscalation
	}
	if caps := csc.Capabilities; caps != nil {
		out.Capabilities = &runtimeapi.Capability{}
		for _, a := range caps.Add {
			out.Capabilities.AddCapabilities = append(out.Capabilities.AddCapabilities, string(a))
		}
		for _, d := range caps.Drop {
			out.Capabilities.DropCapabilities = append(out.Capabilities.DropCapabilities, string(d))
		}
	}
	if !out.Privileged {
		if csc.ProcMount != nil && *csc.ProcMount == corev1.UnmaskedProcMount {
			out.MaskedPaths, out.ReadonlyPaths = []string{}, []string{}
		} else {
			out.MaskedPaths, out.ReadonlyPaths = defaultMaskedPaths, defaultReadonlyPaths
		}
	}
	return out, nil
}
