package volumes_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/volumes"
)

func TestFilesVolumesAgainstAPIServer(t *testing.T) {
	ctx := t.Context()
	client := srv.Client(t)
	ns := srv.Namespace(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "runner"}}, metav1.CreateOptions{})
	must(err)
	cm, err := client.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "cfg"}, Data: map[string]string{"app.conf": "v1", "ca.crt": "CA"},
	}, metav1.CreateOptions{})
	must(err)
	_, err = client.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "sec"}, Data: map[string][]byte{"password": []byte("hunter2")},
	}, metav1.CreateOptions{})
	must(err)
	pod, err := client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{
			ServiceAccountName: "runner",
			Containers: []corev1.Container{{Name: "c", Image: "busybox", VolumeMounts: []corev1.VolumeMount{
				{Name: "config", MountPath: "/etc/config"},
				{Name: "config", MountPath: "/etc/app.conf", SubPath: "app.conf"},
				{Name: "kube-api-access-x", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount"},
			}}},
			Volumes: []corev1.Volume{
				{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
				{Name: "creds", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "sec", DefaultMode: ptr.To[int32](0o400)}}},
				{Name: "podinfo", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{
					{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"}},
					{Path: "mem_limit", ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "c", Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}},
				}}}},
				{Name: "kube-api-access-x", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", Audience: "skiff-test", ExpirationSeconds: ptr.To[int64](3607)}},
					{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
					{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
				}}}},
			},
		},
	}, metav1.CreateOptions{})
	must(err)

	root := t.TempDir()
	clk := clocktesting.NewFakeClock(time.Now())
	m := volumes.NewManager(volumes.Config{
		RootDir: root, Client: client, NodeName: "node-1", Clock: clk,
		SecretsOnDisk: os.Geteuid() != 0,
		NodeAllocatable: func() corev1.ResourceList {
			return corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("2Gi")}
		},
	})
	t.Cleanup(func() { _ = m.TearDown(ctx, pod.UID) })
	must(m.SetUp(ctx, pod))

	vols := filepath.Join(root, "pods", string(pod.UID), "volumes")
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(vols, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for rel, want := range map[string]string{
		"kubernetes.io~configmap/config/app.conf":             "v1",
		"kubernetes.io~secret/creds/password":                 "hunter2",
		"kubernetes.io~downward-api/podinfo/labels":           `app="web"`,
		"kubernetes.io~downward-api/podinfo/mem_limit":        "2048",
		"kubernetes.io~projected/kube-api-access-x/ca.crt":    "CA",
		"kubernetes.io~projected/kube-api-access-x/namespace": ns,
	} {
		if got := read(rel); got != want {
			t.Errorf("%s = %q, want %q", rel, got, want)
		}
	}
	if info, err := os.Stat(filepath.Join(vols, "kubernetes.io~secret/creds/password")); err != nil || info.Mode().Perm() != 0o400 {
		t.Errorf("secret file mode %v, %v; want 0400", info.Mode(), err)
	}

	// The projected token is a TokenRequest token for this pod.
	token := read("kubernetes.io~projected/kube-api-access-x/token")
	claims := decodeClaims(t, token)
	if claims.Kubernetes.Pod.UID != string(pod.UID) || claims.Kubernetes.Pod.Name != "web" || claims.Kubernetes.ServiceAccount.Name != "runner" {
		t.Errorf("token claims %+v do not bind it to the pod", claims)
	}
	if len(claims.Aud) != 1 || claims.Aud[0] != "skiff-test" {
		t.Errorf("token audience %v", claims.Aud)
	}
	review, err := client.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{
		Spec: authenticationv1.TokenReviewSpec{Token: token, Audiences: []string{"skiff-test"}},
	}, metav1.CreateOptions{})
	must(err)
	if !review.Status.Authenticated || review.Status.User.Username != "system:serviceaccount:"+ns+":runner" {
		t.Errorf("TokenReview: %+v", review.Status)
	}
	if got := review.Status.User.Extra["authentication.kubernetes.io/pod-uid"]; len(got) != 1 || got[0] != string(pod.UID) {
		t.Errorf("TokenReview pod-uid extra = %v", got)
	}

	// A second SetUp with nothing changed publishes nothing new and keeps the token.
	cfgDir := filepath.Join(vols, "kubernetes.io~configmap/config")
	before, err := os.Readlink(filepath.Join(cfgDir, "..data"))
	must(err)
	must(m.SetUp(ctx, pod))
	if after, _ := os.Readlink(filepath.Join(cfgDir, "..data")); after != before {
		t.Errorf("unchanged ConfigMap republished: %s -> %s", before, after)
	}
	if read("kubernetes.io~projected/kube-api-access-x/token") != token {
		t.Error("token replaced long before its refresh time")
	}

	// An update shows through the ..data link after the next SetUp, atomically swapped.
	cm.Data["app.conf"] = "v2"
	delete(cm.Data, "ca.crt")
	cm.Data["new.key"] = "n"
	_, err = client.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{})
	must(err)
	clk.Step(time.Minute) // past the manager's cache of ConfigMaps and Secrets
	// The projected volume lost its ca.crt source key: upstream fails that volume, the
	// others are still updated.
	if err := m.SetUp(ctx, pod); err == nil || err.Error() != `MountVolume.SetUp failed for volume "kube-api-access-x" : configmap references non-existent config key: ca.crt` {
		t.Errorf("error = %v", err)
	}
	after, err := os.Readlink(filepath.Join(cfgDir, "..data"))
	must(err)
	if after == before {
		t.Error("..data still points to the old directory")
	}
	if got := read("kubernetes.io~configmap/config/..data/app.conf"); got != "v2" {
		t.Errorf("app.conf through ..data = %q, want v2", got)
	}
	if got := read("kubernetes.io~configmap/config/new.key"); got != "n" {
		t.Errorf("new.key = %q", got)
	}
	if _, err := os.Lstat(filepath.Join(cfgDir, "ca.crt")); !os.IsNotExist(err) {
		t.Errorf("removed key still visible: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfgDir, before)); !os.IsNotExist(err) {
		t.Errorf("old data directory left behind: %v", err)
	}

	mounts, err := m.Mounts(pod, &pod.Spec.Containers[0], nil)
	must(err)
	if len(mounts) != 3 || !mounts[0].Readonly || mounts[1].HostPath != filepath.Join(cfgDir, after, "app.conf") {
		t.Errorf("mounts: %v", mounts)
	}

	must(m.TearDown(ctx, pod.UID))
	if _, err := os.Stat(vols); !os.IsNotExist(err) {
		t.Errorf("volumes left after TearDown: %v", err)
	}
}

func TestClaimVolumes(t *testing.T) {
	ctx := t.Context()
	client := srv.Client(t)
	ns := srv.Namespace(t)
	hostDir := t.TempDir()
	pvc, err := client.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns, UID: "db-uid"},
		Spec: corev1.PodSpec{
			Volumes:    []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}},
			Containers: []corev1.Container{{Name: "c", VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data", SubPathExpr: "$(POD_NAME)"}}}},
		},
	}
	m := volumes.NewManager(volumes.Config{RootDir: t.TempDir(), Client: client, SecretsOnDisk: true})
	if err := m.SetUp(ctx, pod); err == nil || err.Error() != `MountVolume.SetUp failed for volume "data" : error processing PVC `+ns+`/data: PVC is not bound` {
		t.Errorf("unbound claim: %v", err)
	}

	pvName := "pv-" + ns
	pv, err := client.CoreV1().PersistentVolumes().Create(ctx, &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: pvName},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:    corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			ClaimRef:    &corev1.ObjectReference{Namespace: ns, Name: "data", UID: pvc.UID},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: filepath.Join(hostDir, "vol"), Type: ptr.To(corev1.HostPathDirectoryOrCreate),
			}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{}) })
	pvc.Spec.VolumeName = pvName
	if pvc, err = client.CoreV1().PersistentVolumeClaims(ns).Update(ctx, pvc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pvc.Status.Phase = corev1.ClaimBound
	if _, err = client.CoreV1().PersistentVolumeClaims(ns).UpdateStatus(ctx, pvc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := m.SetUp(ctx, pod); err != nil {
		t.Fatal(err)
	}
	mounts, err := m.Mounts(pod, &pod.Spec.Containers[0], map[string]string{"POD_NAME": "db"})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(hostDir, "vol", "db"); len(mounts) != 1 || mounts[0].HostPath != want {
		t.Errorf("mounts %v, want host path %s", mounts, want)
	}
	if info, err := os.Stat(filepath.Join(hostDir, "vol", "db")); err != nil || !info.IsDir() {
		t.Errorf("subPathExpr dir not created: %v", err)
	}

	// An ephemeral volume's claim is <pod>-<volume> and must be owned by the pod.
	eph := pod.DeepCopy()
	eph.Name, eph.UID = "x", "x-uid"
	eph.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{}}}}
	if err := m.SetUp(ctx, eph); err == nil || !strings.Contains(err.Error(), `error processing PVC `+ns+`/x-data: failed to fetch PVC from API server: persistentvolumeclaims "x-data" not found`) {
		t.Errorf("ephemeral without claim: %v", err)
	}
	eph.Name = "db-nope"
	pvc2 := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "db-nope-data", Namespace: ns},
		Spec:       pvc.Spec,
	}
	pvc2.Spec.VolumeName = ""
	if pvc2, err = client.CoreV1().PersistentVolumeClaims(ns).Create(ctx, pvc2, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pvc2.Spec.VolumeName = pvName
	if pvc2, err = client.CoreV1().PersistentVolumeClaims(ns).Update(ctx, pvc2, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pvc2.Status.Phase = corev1.ClaimBound
	if _, err = client.CoreV1().PersistentVolumeClaims(ns).UpdateStatus(ctx, pvc2, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := m.SetUp(ctx, eph); err == nil || !strings.Contains(err.Error(), "PVC "+ns+"/db-nope-data was not created for pod "+ns+"/db-nope (pod is not owner)") {
		t.Errorf("ephemeral claim not owned by the pod: %v", err)
	}
}

// claims are the parts of a service account token's JWT payload the test checks.
type claims struct {
	Aud        []string `json:"aud"`
	Kubernetes struct {
		Pod struct {
			Name string `json:"name"`
			UID  string `json:"uid"`
		} `json:"pod"`
		ServiceAccount struct {
			Name string `json:"name"`
		} `json:"serviceaccount"`
	} `json:"kubernetes.io"`
}

func decodeClaims(t *testing.T, token string) claims {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token is not a JWT: %q", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
