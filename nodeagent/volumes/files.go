package volumes

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
)

// defaultTokenExpiration is the API's default expirationSeconds of a token projection.
const defaultTokenExpiration = 3600

// setUpFiles writes a configMap, secret, downwardAPI or projected volume into dir
// (on a tmpfs of its own when inMemory) through the atomic writer.
func (m *Manager) setUpFiles(ctx context.Context, pod *corev1.Pod, v *corev1.Volume, dir string, inMemory bool) error {
	if _, err := makeDir(dir, emptyDirPerm); err != nil {
		return err
	}
	if inMemory {
		if err := mountTmpfs(dir, 0); err != nil {
			return err
		}
	}
	payload, err := m.payload(ctx, pod, v)
	if err != nil {
		return err
	}
	gid := fsGroup(pod)
	if gid != nil {
		for p, f := range payload {
			f.Mode |= 0o440
			payload[p] = f
		}
	}
	w := atomicWriter{dir: dir, clock: m.cfg.Clock}
	changed, err := w.Write(payload, func(ts string) error {
		if gid == nil {
			return nil
		}
		return chownTree(ts, int(*gid))
	})
	if err != nil {
		return err
	}
	if changed {
		klog.FromContext(ctx).V(3).Info("Published volume contents", "volume", v.Name, "files", len(payload))
	}
	return nil
}

// payload computes a files volume's contents.
func (m *Manager) payload(ctx context.Context, pod *corev1.Pod, v *corev1.Volume) (map[string]File, error) {
	src := &v.VolumeSource
	switch {
	case src.ConfigMap != nil:
		s := src.ConfigMap
		cm, err := m.configMap(ctx, pod.Namespace, s.Name, isTrue(s.Optional))
		if err != nil {
			return nil, err
		}
		return configMapPayload(s.Items, cm, s.DefaultMode, isTrue(s.Optional))
	case src.Secret != nil:
		s := src.Secret
		secret, err := m.secret(ctx, pod.Namespace, s.SecretName, isTrue(s.Optional))
		if err != nil {
			return nil, err
		}
		return secretPayload(s.Items, secret, s.DefaultMode, isTrue(s.Optional))
	case src.DownwardAPI != nil:
		return downwardAPIPayload(src.DownwardAPI.Items, pod, src.DownwardAPI.DefaultMode, m.allocatable())
	}
	return m.projectedPayload(ctx, pod, src.Projected)
}

// projectedPayload merges a projected volume's sources; every source is tried and the
// errors are aggregated, as upstream.
func (m *Manager) projectedPayload(ctx context.Context, pod *corev1.Pod, src *corev1.ProjectedVolumeSource) (map[string]File, error) {
	if src.DefaultMode == nil {
		return nil, errNoDefaultMode
	}
	out := map[string]File{}
	var errs []error
	add := func(files map[string]File, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		for k, f := range files {
			out[k] = f
		}
	}
	for _, s := range src.Sources {
		switch {
		case s.ConfigMap != nil:
			optional := isTrue(s.ConfigMap.Optional)
			cm, err := m.configMap(ctx, pod.Namespace, s.ConfigMap.Name, optional)
			if err != nil {
				add(nil, err)
				continue
			}
			add(configMapPayload(s.ConfigMap.Items, cm, src.DefaultMode, optional))
		case s.Secret != nil:
			optional := isTrue(s.Secret.Optional)
			secret, err := m.secret(ctx, pod.Namespace, s.Secret.Name, optional)
			if err != nil {
				add(nil, err)
				continue
			}
			add(secretPayload(s.Secret.Items, secret, src.DefaultMode, optional))
		case s.DownwardAPI != nil:
			add(downwardAPIPayload(s.DownwardAPI.Items, pod, src.DefaultMode, m.allocatable()))
		case s.ServiceAccountToken != nil:
			add(m.tokenFile(ctx, pod, s.ServiceAccountToken, *src.DefaultMode))
		case s.ClusterTrustBundle != nil:
			add(nil, fmt.Errorf("clusterTrustBundle projections are not supported by this node"))
		case s.PodCertificate != nil:
			add(nil, fmt.Errorf("podCertificate projections are not supported by this node"))
		}
	}
	return out, utilerrors.NewAggregate(errs)
}

// tokenFile is a serviceAccountToken projection: a TokenRequest token bound to the pod.
func (m *Manager) tokenFile(ctx context.Context, pod *corev1.Pod, p *corev1.ServiceAccountTokenProjection, defaultMode int32) (map[string]File, error) {
	mode := defaultMode
	if fsGroup(pod) != nil {
		mode = 0o600
	}
	var audiences []string
	if p.Audience != "" {
		audiences = []string{p.Audience}
	}
	tr, err := m.tokens.get(ctx, pod.Namespace, pod.Spec.ServiceAccountName, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{
			Audiences:         audiences,
			ExpirationSeconds: ptr.To(ptr.Deref(p.ExpirationSeconds, defaultTokenExpiration)),
			BoundObjectRef: &authenticationv1.BoundObjectReference{
				APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID,
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return map[string]File{p.Path: {Data: []byte(tr.Status.Token), Mode: mode}}, nil
}

// configMap reads a ConfigMap; a missing optional one is empty. A missing one is reported
// as the kubelet's object managers word it (configmap "x" not found).
func (m *Manager) configMap(ctx context.Context, ns, name string, optional bool) (*corev1.ConfigMap, error) {
	cm, err := m.configMaps.get(ns+"/"+name, func() (*corev1.ConfigMap, error) {
		return m.cfg.Client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	})
	if apierrors.IsNotFound(err) {
		if optional {
			return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}, nil
		}
		return nil, apierrors.NewNotFound(corev1.Resource("configmap"), name)
	}
	return cm, err
}

// secret is configMap for a Secret.
func (m *Manager) secret(ctx context.Context, ns, name string, optional bool) (*corev1.Secret, error) {
	s, err := m.secrets.get(ns+"/"+name, func() (*corev1.Secret, error) {
		return m.cfg.Client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	})
	if apierrors.IsNotFound(err) {
		if optional {
			return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}, nil
		}
		return nil, apierrors.NewNotFound(corev1.Resource("secret"), name)
	}
	return s, err
}

func (m *Manager) allocatable() corev1.ResourceList {
	if m.cfg.NodeAllocatable == nil {
		return nil
	}
	return m.cfg.NodeAllocatable()
}

func fsGroup(pod *corev1.Pod) *int64 {
	if pod.Spec.SecurityContext == nil {
		return nil
	}
	return pod.Spec.SecurityContext.FSGroup
}

// applyFSGroup gives the pod's fsGroup a new volume directory: group ownership, group
// read/write (read for readOnly), and setgid so new files inherit the group.
func applyFSGroup(dir string, pod *corev1.Pod, readOnly bool) error {
	gid := fsGroup(pod)
	if gid == nil {
		return nil
	}
	if err := os.Lchown(dir, -1, int(*gid)); err != nil {
		return err
	}
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	mask := os.FileMode(0o770)
	if readOnly {
		mask = 0o550
	}
	return os.Chmod(dir, info.Mode().Perm()|mask|os.ModeSetgid)
}

// chownTree gives everything under dir (symlinks included, not followed) group gid.
func chownTree(dir string, gid int) error {
	return filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, -1, gid)
	})
}

func isTrue(b *bool) bool { return b != nil && *b }
