package kubelet

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

func TestNamespaceOptions(t *testing.T) {
	tests := []struct {
		name string
		spec corev1.PodSpec
		want *runtimeapi.NamespaceOption
	}{
		{"default", corev1.PodSpec{}, &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_POD, Pid: runtimeapi.NamespaceMode_CONTAINER, Ipc: runtimeapi.NamespaceMode_POD}},
		{"shared pid", corev1.PodSpec{ShareProcessNamespace: ptr.To(true)}, &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_POD, Pid: runtimeapi.NamespaceMode_POD, Ipc: runtimeapi.NamespaceMode_POD}},
		{"host all", corev1.PodSpec{HostNetwork: true, HostPID: true, HostIPC: true}, &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE, Pid: runtimeapi.NamespaceMode_NODE, Ipc: runtimeapi.NamespaceMode_NODE}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := namespaceOptions(&corev1.Pod{Spec: tt.spec})
			if got.Network != tt.want.Network || got.Pid != tt.want.Pid || got.Ipc != tt.want.Ipc {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestContainerConfig(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1"},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: ptr.To[int64](30),
			SecurityContext:               &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](1000), FSGroup: ptr.To[int64](2000), SupplementalGroups: []int64{3000}},
		},
	}
	c := &corev1.Container{
		Name: "app", Image: "busybox", Command: []string{"echo", "$(GREETING)"}, Args: []string{"$(MISSING)", "$$(GREETING)"},
		WorkingDir: "/w", TTY: true, Stdin: true, TerminationMessagePath: "/dev/termination-log",
		TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		Ports:                    []corev1.ContainerPort{{ContainerPort: 80}},
		Lifecycle:                &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 1}}},
		SecurityContext: &corev1.SecurityContext{
			RunAsGroup: ptr.To[int64](10), ReadOnlyRootFilesystem: ptr.To(true), AllowPrivilegeEscalation: ptr.To(false),
			Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}, Drop: []corev1.Capability{"ALL"}},
		},
	}
	cfg, err := containerConfig(containerSpec{
		pod: pod, c: c, typ: cri.ContainerTypeInit, restartCount: 3, image: &runtimeapi.Image{Id: "sha256:abc"},
		env: []*runtimeapi.KeyValue{{Key: "GREETING", Value: []byte("hi")}}, memCapacity: 1 << 30,
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Command, " ") != "echo hi" || strings.Join(cfg.Args, " ") != "$(MISSING) $(GREETING)" {
		t.Errorf("command %q args %q", cfg.Command, cfg.Args)
	}
	if cfg.LogPath != "app/3.log" || cfg.Metadata.Attempt != 3 || cfg.Image.Image != "sha256:abc" || cfg.Image.UserSpecifiedImage != "busybox" {
		t.Errorf("log path %q attempt %d image %v", cfg.LogPath, cfg.Metadata.Attempt, cfg.Image)
	}
	if cfg.Labels[cri.LabelContainerName] != "app" || cfg.Labels[cri.LabelPodUID] != "u1" || cfg.Labels[cri.LabelContainerType] != "init" {
		t.Errorf("labels %v", cfg.Labels)
	}
	for key, want := range map[string]string{
		cri.AnnotationContainerRestartCount: "3", cri.AnnotationTerminationMessagePath: "/dev/termination-log",
		cri.AnnotationPodTerminationGrace: "30", cri.AnnotationPreStopHandler: `{"sleep":{"seconds":1}}`,
		cri.AnnotationContainerPorts: `[{"containerPort":80}]`,
	} {
		if got := cfg.Annotations[key]; got != want {
			t.Errorf("annotation %s = %q, want %q", key, got, want)
		}
	}
	sc := cfg.Linux.SecurityContext
	if sc.RunAsUser.GetValue() != 1000 || sc.RunAsGroup.GetValue() != 10 || !sc.ReadonlyRootfs || !sc.NoNewPrivs || sc.Privileged {
		t.Errorf("security context %v", sc)
	}
	if len(sc.SupplementalGroups) != 2 || sc.SupplementalGroups[0] != 3000 || sc.SupplementalGroups[1] != 2000 {
		t.Errorf("supplemental groups %v", sc.SupplementalGroups)
	}
	if sc.Capabilities.AddCapabilities[0] != "NET_ADMIN" || sc.Capabilities.DropCapabilities[0] != "ALL" {
		t.Errorf("capabilities %v", sc.Capabilities)
	}
	if len(sc.MaskedPaths) == 0 || len(sc.ReadonlyPaths) == 0 || sc.Seccomp.ProfileType != runtimeapi.SecurityProfile_Unconfined {
		t.Errorf("masked %v readonly %v seccomp %v", sc.MaskedPaths, sc.ReadonlyPaths, sc.Seccomp)
	}
	if !cfg.Tty || !cfg.Stdin || cfg.WorkingDir != "/w" || cfg.Linux.Resources.OomScoreAdj != 1000 {
		t.Errorf("tty %v stdin %v wd %q oom %d", cfg.Tty, cfg.Stdin, cfg.WorkingDir, cfg.Linux.Resources.OomScoreAdj)
	}
}

func TestRunAsNonRoot(t *testing.T) {
	tests := []struct {
		name    string
		user    *int64
		image   *runtimeapi.Image
		wantErr string
	}{
		{"explicit root", ptr.To[int64](0), &runtimeapi.Image{}, "container's runAsUser breaks non-root policy"},
		{"explicit user", ptr.To[int64](1), &runtimeapi.Image{}, ""},
		{"image root", nil, &runtimeapi.Image{Uid: &runtimeapi.Int64Value{Value: 0}}, "container has runAsNonRoot and image will run as root"},
		{"image user", nil, &runtimeapi.Image{Uid: &runtimeapi.Int64Value{Value: 5}}, ""},
		{"image named user", nil, &runtimeapi.Image{Username: "app"}, "non-numeric user (app)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), RunAsUser: tt.user}}}
			_, err := securityContext(pod, &corev1.Container{Name: "c"}, tt.image)
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}
