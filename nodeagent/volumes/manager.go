package volumes

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// Config is what a Manager needs from the node agent.
type Config struct {
	// RootDir is the kubelet's root: volumes live in <RootDir>/pods/<uid>/volumes/<plugin>/<name>.
	RootDir string
	// Client reads ConfigMaps, Secrets, PVCs and PVs and requests service account tokens.
	Client kubernetes.Interface
	// NodeName is the node's name (for logs).
	NodeName string
	// Clock times token refreshes and names data directories; real time if nil.
	Clock clock.Clock
	// NodeAllocatable is the node's allocatable resources: the default of unset limits in
	// downwardAPI resourceFieldRefs and the size of memory-backed emptyDirs. May be nil.
	NodeAllocatable func() corev1.ResourceList
	// SecretsOnDisk keeps secret, projected and downwardAPI volumes in plain directories
	// instead of a tmpfs each (upstream's choice, which needs root to mount).
	SecretsOnDisk bool
}

// Manager sets up pods' volumes on the node. It is safe for concurrent use; calls for the
// same pod are serialized.
type Manager struct {
	cfg        Config
	tokens     *tokens
	configMaps *objectCache[*corev1.ConfigMap]
	secrets    *objectCache[*corev1.Secret]

	mu    sync.Mutex
	pods  map[types.UID]*podState
	locks map[types.UID]*sync.Mutex
}

// podState remembers where a pod's volumes are on the host (for Mounts, which gets no
// context to look PVCs up again).
type podState struct {
	volumes map[string]hostVolume
}

func (s *podState) volume(name string) (hostVolume, bool) {
	if s == nil {
		return hostVolume{}, false
	}
	hv, ok := s.volumes[name]
	return hv, ok
}

// hostVolume is a set-up volume: its path on the host and whether it is read-only for
// every container.
type hostVolume struct {
	path     string
	readOnly bool
}

// NewManager returns a Manager for cfg.
func NewManager(cfg Config) *Manager {
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	return &Manager{
		cfg:        cfg,
		tokens:     newTokens(cfg.Client, cfg.Clock),
		configMaps: newObjectCache[*corev1.ConfigMap](cfg.Clock, objectTTL),
		secrets:    newObjectCache[*corev1.Secret](cfg.Clock, objectTTL),
		pods:       map[types.UID]*podState{},
		locks:      map[types.UID]*sync.Mutex{},
	}
}

// podVolumesDir is <root>/pods/<uid>/volumes.
func (m *Manager) podVolumesDir(uid types.UID) string {
	return filepath.Join(m.cfg.RootDir, "pods", string(uid), "volumes")
}

// volumeDir is where a volume of a plugin that keeps its data in the pod's directory lives.
func (m *Manager) volumeDir(uid types.UID, plugin, name string) string {
	return filepath.Join(m.podVolumesDir(uid), plugin, name)
}

func (m *Manager) podLock(uid types.UID) *sync.Mutex {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.locks[uid]
	if !ok {
		l = &sync.Mutex{}
		m.locks[uid] = l
	}
	return l
}

// SetUp makes every volume of pod exist on the host. It is idempotent and cheap when
// nothing changed; changed configMap, secret, projected and downwardAPI contents are
// published atomically. Failures name the volume as upstream's FailedMount events do.
func (m *Manager) SetUp(ctx context.Context, pod *corev1.Pod) error {
	l := m.podLock(pod.UID)
	l.Lock()
	defer l.Unlock()
	logger := klog.FromContext(ctx).WithValues("pod", klog.KObj(pod), "podUID", pod.UID)
	ctx = klog.NewContext(ctx, logger)

	m.mu.Lock()
	prev := m.pods[pod.UID]
	m.mu.Unlock()
	state := &podState{volumes: map[string]hostVolume{}}
	var errs []error
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if old, ok := prev.volume(v.Name); ok && (v.PersistentVolumeClaim != nil || v.Ephemeral != nil) {
			// A claim's volume, once set up, stays as it is (as a mounted one does upstream):
			// no need to look the claim and its volume up again at every sync.
			state.volumes[v.Name] = old
			continue
		}
		hv, err := m.setUpVolume(ctx, pod, v)
		if err != nil {
			errs = append(errs, fmt.Errorf("MountVolume.SetUp failed for volume %q : %w", v.Name, err))
			// A volume that was set up before keeps its last good contents, as upstream
			// keeps a mounted volume whose refresh fails.
			if old, ok := prev.volume(v.Name); ok {
				state.volumes[v.Name] = old
			}
			continue
		}
		state.volumes[v.Name] = hv
	}
	m.mu.Lock()
	m.pods[pod.UID] = state
	m.mu.Unlock()
	return utilerrors.NewAggregate(errs)
}

// setUpVolume sets up one volume and says where it is.
func (m *Manager) setUpVolume(ctx context.Context, pod *corev1.Pod, v *corev1.Volume) (hostVolume, error) {
	src := &v.VolumeSource
	switch {
	case src.EmptyDir != nil:
		dir := m.volumeDir(pod.UID, pluginEmptyDir, v.Name)
		return hostVolume{path: dir}, m.setUpEmptyDir(pod, src.EmptyDir, dir)
	case src.ConfigMap != nil, src.Secret != nil, src.Projected != nil, src.DownwardAPI != nil:
		plugin, inMemory := filesPlugin(src)
		dir := m.volumeDir(pod.UID, plugin, v.Name)
		return hostVolume{path: dir, readOnly: true}, m.setUpFiles(ctx, pod, v, dir, inMemory && !m.cfg.SecretsOnDisk)
	case src.HostPath != nil:
		return hostVolume{path: src.HostPath.Path}, setUpHostPath(src.HostPath.Path, src.HostPath.Type)
	case src.PersistentVolumeClaim != nil, src.Ephemeral != nil:
		return m.setUpClaim(ctx, pod, v)
	}
	return hostVolume{}, fmt.Errorf("volume type %s is not supported by this node", sourceKind(src))
}

// TearDown removes the pod's volumes: it unmounts the tmpfs ones, then deletes
// <root>/pods/<uid>/volumes and forgets the pod's tokens. Data outside the pod's
// directory (hostPath, persistent volumes) is left alone.
func (m *Manager) TearDown(ctx context.Context, podUID types.UID) error {
	l := m.podLock(podUID)
	l.Lock()
	defer l.Unlock()
	m.tokens.forget(podUID)
	m.mu.Lock()
	delete(m.pods, podUID)
	m.mu.Unlock()

	root := m.podVolumesDir(podUID)
	plugins, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		m.dropLock(podUID)
		return nil
	}
	if err != nil {
		return err
	}
	for _, p := range plugins {
		vols, err := os.ReadDir(filepath.Join(root, p.Name()))
		if err != nil {
			return err
		}
		for _, v := range vols {
			dir := filepath.Join(root, p.Name(), v.Name())
			if err := unmount(dir); err != nil {
				return err
			}
			// Never delete through a mount that is still there.
			if mounted, err := isMountPoint(dir); err != nil || mounted {
				return fmt.Errorf("volume %s of pod %s is still mounted", dir, podUID)
			}
		}
	}
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("removing volumes of pod %s: %w", podUID, err)
	}
	klog.FromContext(ctx).V(3).Info("Tore down pod volumes", "podUID", podUID)
	m.dropLock(podUID)
	return nil
}

func (m *Manager) dropLock(uid types.UID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.locks, uid)
}

// VolumeDir is the host directory of pod's volume name once SetUp has made it
// (for env fileKeyRef and the kubelet's own use).
func (m *Manager) VolumeDir(podUID types.UID, name string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.pods[podUID]
	if !ok {
		return "", false
	}
	hv, ok := st.volumes[name]
	return hv.path, ok
}
