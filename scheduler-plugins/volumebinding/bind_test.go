package volumebinding

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
)

func TestCheckBindings(t *testing.T) {
	node := pt.MakeNode("n1").Obj()
	pod := podWithClaims("data")
	withSelected := func(c *corev1.PersistentVolumeClaim, n string) *corev1.PersistentVolumeClaim {
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		c.Annotations["volume.kubernetes.io/selected-node"] = n
		return c
	}
	prebound := pv("pv1", "local", "1Gi")
	prebound.Spec.ClaimRef = &corev1.ObjectReference{Name: "data", Namespace: "default", UID: "uid-data"}
	tests := []struct {
		name    string
		objs    []runtime.Object
		vols    *podVolumes
		want    bool
		wantErr string
	}{
		{name: "provisioning pending", objs: []runtime.Object{node, pod, withSelected(claim("data", "local"), "n1")},
			vols: &podVolumes{dynamic: []*provision{{pvc: withSelected(claim("data", "local"), "n1")}}}},
		{name: "provisioned and bound", objs: []runtime.Object{node, pod, withSelected(boundTo(claim("data", "local"), "pv9"), "n1"), pv("pv9", "local", "1Gi", "n1")},
			vols: &podVolumes{dynamic: []*provision{{pvc: withSelected(claim("data", "local"), "n1")}}}, want: true},
		{name: "provisioned on a volume for another node", objs: []runtime.Object{node, pod, withSelected(boundTo(claim("data", "local"), "pv9"), "n1"), pv("pv9", "local", "1Gi", "n2")},
			vols:    &podVolumes{dynamic: []*provision{{pvc: withSelected(claim("data", "local"), "n1")}}},
			wantErr: `pv "pv9" node affinity doesn't match node "n1": no matching NodeSelectorTerms`},
		{name: "provisioner gave up", objs: []runtime.Object{node, pod, withSelected(claim("data", "local"), "")},
			vols:    &podVolumes{dynamic: []*provision{{pvc: withSelected(claim("data", "local"), "n1")}}},
			wantErr: `provisioning failed for PVC "data"`},
		{name: "static binding pending", objs: []runtime.Object{node, pod, claim("data", "local"), prebound},
			vols: &podVolumes{static: []*binding{{pvc: claim("data", "local"), pv: prebound}}}},
		{name: "static binding done", objs: []runtime.Object{node, pod, boundTo(claim("data", "local"), "pv1"), prebound},
			vols: &podVolumes{static: []*binding{{pvc: claim("data", "local"), pv: prebound}}}, want: true},
		{name: "claimRef reset", objs: []runtime.Object{node, pod, claim("data", "local"), pv("pv1", "local", "1Gi")},
			vols:    &podVolumes{static: []*binding{{pvc: claim("data", "local"), pv: prebound}}},
			wantErr: `ClaimRef got reset for pv "pv1"`},
		{name: "pod deleted", objs: []runtime.Object{node, withSelected(claim("data", "local"), "n1")},
			vols:    &podVolumes{dynamic: []*provision{{pvc: withSelected(claim("data", "local"), "n1")}}},
			wantErr: `pod does not exist any more: pod "p" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := newTestPlugin(t, tt.objs...)
			got, err := pl.checkBindings(klog.Background(), pod, "n1", tt.vols)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("checkBindings = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestHints(t *testing.T) {
	pod := podWithClaims("data")
	logger := klog.Background()
	other := claim("other", "local")
	otherNS := claim("data", "local")
	otherNS.Namespace = "elsewhere"
	for _, tc := range []struct {
		name string
		got  func() (fwk.QueueingHint, error)
		want fwk.QueueingHint
	}{
		{"pod's claim", func() (fwk.QueueingHint, error) {
			return isSchedulableAfterPVCChange(logger, pod, nil, claim("data", "local"))
		}, fwk.Queue},
		{"other claim", func() (fwk.QueueingHint, error) { return isSchedulableAfterPVCChange(logger, pod, nil, other) }, fwk.QueueSkip},
		{"same name, other namespace", func() (fwk.QueueingHint, error) { return isSchedulableAfterPVCChange(logger, pod, nil, otherNS) }, fwk.QueueSkip},
		{"new class", func() (fwk.QueueingHint, error) {
			return isSchedulableAfterStorageClassChange(logger, pod, nil, class("c", "p", wffc))
		}, fwk.Queue},
		{"class update without topology change", func() (fwk.QueueingHint, error) {
			return isSchedulableAfterStorageClassChange(logger, pod, class("c", "p", wffc), class("c", "p", wffc))
		}, fwk.QueueSkip},
		{"class topology change", func() (fwk.QueueingHint, error) {
			c := class("c", "p", wffc)
			c.AllowedTopologies = []corev1.TopologySelectorTerm{{}}
			return isSchedulableAfterStorageClassChange(logger, pod, class("c", "p", wffc), c)
		}, fwk.Queue},
		{"new CSINode", func() (fwk.QueueingHint, error) {
			return isSchedulableAfterCSINodeChange(logger, pod, nil, &storagev1.CSINode{})
		}, fwk.Queue},
	} {
		got, err := tc.got()
		if err != nil || got != tc.want {
			t.Errorf("%s: hint = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
