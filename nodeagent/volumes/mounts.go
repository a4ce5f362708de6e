package volumes

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/envvars"
)

// Mounts are the CRI mounts of container c's volumeMounts, for volumes SetUp has made:
// subPath and subPathExpr (expanded with env) are checked as upstream checks them and
// created in the volume when missing; configMap, secret, downwardAPI and projected
// volumes are always read-only.
func (m *Manager) Mounts(pod *corev1.Pod, c *corev1.Container, env map[string]string) ([]*runtimeapi.Mount, error) {
	m.mu.Lock()
	st := m.pods[pod.UID]
	m.mu.Unlock()
	out := make([]*runtimeapi.Mount, 0, len(c.VolumeMounts))
	for _, vm := range c.VolumeMounts {
		if !slices.ContainsFunc(pod.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == vm.Name }) {
			return nil, fmt.Errorf("cannot find volume %q to mount into container %q", vm.Name, c.Name)
		}
		var hv hostVolume
		ok := false
		if st != nil {
			hv, ok = st.volumes[vm.Name]
		}
		if !ok {
			return nil, fmt.Errorf("volume %q of container %q is not set up", vm.Name, c.Name)
		}
		mount, err := criMount(vm, hv, c.Name, env)
		if err != nil {
			return nil, err
		}
		out = append(out, mount)
	}
	return out, nil
}

// criMount turns one volumeMount of a set-up volume into a CRI mount.
func criMount(vm corev1.VolumeMount, hv hostVolume, container string, env map[string]string) (*runtimeapi.Mount, error) {
	subPath := vm.SubPath
	if vm.SubPathExpr != "" {
		var err error
		if subPath, err = expandSubPath(vm.SubPathExpr, env); err != nil {
			return nil, err
		}
	}
	hostPath := hv.path
	if subPath != "" {
		if filepath.IsAbs(subPath) {
			return nil, fmt.Errorf("error SubPath `%s` must not be an absolute path", subPath)
		}
		if slices.Contains(strings.Split(subPath, "/"), "..") {
			return nil, fmt.Errorf("unable to provision SubPath `%s`: must not contain '..'", subPath)
		}
		var err error
		if hostPath, err = prepareSubPath(hv.path, subPath); err != nil {
			return nil, fmt.Errorf("failed to prepare subPath for volumeMount %q of container %q: %w", vm.Name, container, err)
		}
	}
	propagation, err := propagation(vm.MountPropagation)
	if err != nil {
		return nil, err
	}
	if err := checkRecursiveReadOnly(vm); err != nil {
		return nil, err
	}
	containerPath := vm.MountPath
	if !filepath.IsAbs(containerPath) {
		containerPath = "/" + containerPath
	}
	return &runtimeapi.Mount{
		ContainerPath: containerPath,
		HostPath:      hostPath,
		Readonly:      vm.ReadOnly || hv.readOnly,
		Propagation:   propagation,
	}, nil
}

// expandSubPath expands subPathExpr; every reference must name a non-empty variable.
func expandSubPath(expr string, env map[string]string) (string, error) {
	missing := map[string]bool{}
	out := envvars.ExpandFunc(expr, func(name string) string {
		v := env[name]
		if v == "" {
			missing[name] = true
		}
		return v
	})
	if len(missing) > 0 {
		names := make([]string, 0, len(missing))
		for n := range missing {
			names = append(names, n)
		}
		sort.Strings(names)
		return "", fmt.Errorf("missing value for %s", strings.Join(names, ", "))
	}
	return out, nil
}

// prepareSubPath is the host path of subPath in volume dir, created as a directory with
// the volume's mode when missing. Symlinks are resolved and must stay inside the volume,
// so that a container cannot mount the host's files through a link it planted.
func prepareSubPath(volume, subPath string) (string, error) {
	root, err := filepath.EvalSymlinks(volume)
	if err != nil {
		return "", err
	}
	full := filepath.Join(volume, subPath)
	if _, err := os.Lstat(full); os.IsNotExist(err) {
		info, err := os.Stat(root)
		if err != nil {
			return "", err
		}
		if err := mkdirInside(root, subPath, info.Mode().Perm()); err != nil {
			return "", err
		}
	}
	resolved, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", err
	}
	if resolved != root && !strings.HasPrefix(resolved, root+string(os.PathSeparator)) {
		return "", errors.New("subpath is outside the volume")
	}
	return resolved, nil
}

// mkdirInside creates root/subPath one component at a time, refusing to follow a
// symlink out of root.
func mkdirInside(root, subPath string, perm os.FileMode) error {
	cur := root
	for _, part := range strings.Split(filepath.Clean(subPath), string(os.PathSeparator)) {
		next := filepath.Join(cur, part)
		resolved, err := filepath.EvalSymlinks(next)
		switch {
		case os.IsNotExist(err):
			if err := os.Mkdir(next, perm); err != nil && !os.IsExist(err) {
				return err
			}
			if err := os.Chmod(next, perm); err != nil {
				return err
			}
			resolved = next
		case err != nil:
			return err
		}
		if resolved != root && !strings.HasPrefix(resolved, root+string(os.PathSeparator)) {
			return errors.New("subpath is outside the volume")
		}
		cur = resolved
	}
	return nil
}

func propagation(mode *corev1.MountPropagationMode) (runtimeapi.MountPropagation, error) {
	switch {
	case mode == nil, *mode == corev1.MountPropagationNone:
		return runtimeapi.MountPropagation_PROPAGATION_PRIVATE, nil
	case *mode == corev1.MountPropagationHostToContainer:
		return runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER, nil
	case *mode == corev1.MountPropagationBidirectional:
		return runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL, nil
	}
	return 0, fmt.Errorf("invalid MountPropagation mode: %q", *mode)
}

// checkRecursiveReadOnly applies upstream's rules for a runtime without recursive
// read-only mounts (containerd 1.6): IfPossible falls back to a plain read-only mount,
// Enabled fails.
func checkRecursiveReadOnly(vm corev1.VolumeMount) error {
	if vm.RecursiveReadOnly == nil || *vm.RecursiveReadOnly == corev1.RecursiveReadOnlyDisabled {
		return nil
	}
	if !vm.ReadOnly {
		return fmt.Errorf("volume %q requested recursive read-only mode, but it is not read-only", vm.Name)
	}
	if vm.MountPropagation != nil && *vm.MountPropagation != corev1.MountPropagationNone {
		return fmt.Errorf("volume %q requested recursive read-only mode, but it is not compatible with propagation %q", vm.Name, *vm.MountPropagation)
	}
	switch *vm.RecursiveReadOnly {
	case corev1.RecursiveReadOnlyIfPossible:
		return nil
	case corev1.RecursiveReadOnlyEnabled:
		return fmt.Errorf("volume %q requested recursive read-only mode, but it is not supported by the runtime", vm.Name)
	}
	return fmt.Errorf("unknown recursive read-only mode %q", *vm.RecursiveReadOnly)
}
