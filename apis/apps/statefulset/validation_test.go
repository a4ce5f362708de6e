package statefulset

import (
	"context"
	"strings"
	"testing"

	"github.com/skiff-sh/skiff/apis/registry/registrytest"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

var dbLabels = map[string]string{"app": "db"}

func validStatefulSet() *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default", ResourceVersion: "1"},
		Spec: appsv1.StatefulSetSpec{
			Replicas:            ptr.To[int32](3),
			Selector:            &metav1.LabelSelector{MatchLabels: dbLabels},
			Template:            registrytest.PodTemplate(dbLabels, corev1.RestartPolicyAlways),
			ServiceName:         "db",
			PodManagementPolicy: appsv1.OrderedReadyPodManagement,
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType, RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{
				Partition: ptr.To[int32](0), MaxUnavailable: ptr.To(intstr.FromInt32(1)),
			}},
			RevisionHistoryLimit: ptr.To[int32](10),
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType, WhenScaled: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
			},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.StatefulSet)
		want   []string
	}{
		{name: "valid", mutate: func(*appsv1.StatefulSet) {}},
		{name: "name must be a DNS label", mutate: func(ss *appsv1.StatefulSet) { ss.Name = "db.example" }, want: []string{"Invalid value metadata.name"}},
		{name: "no pod management policy", mutate: func(ss *appsv1.StatefulSet) { ss.Spec.PodManagementPolicy = "" }, want: []string{"Required value spec.podManagementPolicy"}},
		{name: "bad pod management policy", mutate: func(ss *appsv1.StatefulSet) { ss.Spec.PodManagementPolicy = "Random" }, want: []string{"Invalid value spec.podManagementPolicy"}},
		{name: "no update strategy", mutate: func(ss *appsv1.StatefulSet) { ss.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{} }, want: []string{"Required value spec.updateStrategy"}},
		{
			name:   "OnDelete with rollingUpdate",
			mutate: func(ss *appsv1.StatefulSet) { ss.Spec.UpdateStrategy.Type = appsv1.OnDeleteStatefulSetStrategyType },
			want:   []string{"Invalid value spec.updateStrategy.rollingUpdate"},
		},
		{
			name: "Recreate is alpha",
			mutate: func(ss *appsv1.StatefulSet) {
				ss.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: "Recreate"}
			},
			want: []string{"Invalid value spec.updateStrategy"},
		},
		{
			name: "negative partition and zero maxUnavailable",
			mutate: func(ss *appsv1.StatefulSet) {
				ss.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To[int32](-1), MaxUnavailable: ptr.To(intstr.FromString("0%"))}
			},
			want: []string{"Invalid value spec.updateStrategy.rollingUpdate.partition", "Invalid value spec.updateStrategy.rollingUpdate.maxUnavailable"},
		},
		{
			name:   "bad retention policy",
			mutate: func(ss *appsv1.StatefulSet) { ss.Spec.PersistentVolumeClaimRetentionPolicy.WhenScaled = "Keep" },
			want:   []string{"Unsupported value spec.persistentVolumeClaimRetentionPolicy.whenScaled"},
		},
		{name: "negative ordinal start", mutate: func(ss *appsv1.StatefulSet) { ss.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: -1} }, want: []string{"Invalid value spec.ordinals.start"}},
		{name: "bad service name", mutate: func(ss *appsv1.StatefulSet) { ss.Spec.ServiceName = "DB" }, want: []string{"Invalid value spec.serviceName"}},
		{name: "empty selector", mutate: func(ss *appsv1.StatefulSet) { ss.Spec.Selector = &metav1.LabelSelector{} }, want: []string{"Invalid value spec.selector"}},
		{
			name:   "selector does not match",
			mutate: func(ss *appsv1.StatefulSet) { ss.Spec.Template.Labels = nil },
			want:   []string{"Invalid value spec.template.metadata.labels"},
		},
		{
			name:   "restartPolicy",
			mutate: func(ss *appsv1.StatefulSet) { ss.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever },
			want:   []string{"Unsupported value spec.template.spec.restartPolicy"},
		},
		{
			name: "volume claim templates and hostname are the controller's",
			mutate: func(ss *appsv1.StatefulSet) {
				ss.Spec.Template.Spec.Hostname = "Not_A_Label"
				ss.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
				}}}
				ss.Spec.Template.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
			},
		},
		{
			name: "volume claim templates are validated on create",
			mutate: func(ss *appsv1.StatefulSet) {
				ss.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}}}
			},
			want: []string{"Required value spec.volumeClaimTemplates[0].spec.accessModes", "Required value spec.volumeClaimTemplates[0].spec.resources[storage]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := validStatefulSet()
			tt.mutate(ss)
			registrytest.ExpectErrors(t, Validate(ss), tt.want...)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.StatefulSet)
		want   []string
	}{
		{name: "mutable fields", mutate: func(ss *appsv1.StatefulSet) {
			ss.Spec.Replicas = ptr.To[int32](5)
			ss.Spec.Template.Spec.Containers[0].Image = "registry.example/db:2"
			ss.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}
			ss.Spec.MinReadySeconds = 5
			ss.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: 2}
			ss.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = appsv1.DeletePersistentVolumeClaimRetentionPolicyType
			ss.Spec.RevisionHistoryLimit = ptr.To[int32](1)
		}},
		{name: "serviceName", mutate: func(ss *appsv1.StatefulSet) { ss.Spec.ServiceName = "other" }, want: []string{"Invalid value spec.serviceName"}},
		{name: "podManagementPolicy", mutate: func(ss *appsv1.StatefulSet) { ss.Spec.PodManagementPolicy = appsv1.ParallelPodManagement }, want: []string{"Invalid value spec.podManagementPolicy"}},
		{
			name: "selector",
			mutate: func(ss *appsv1.StatefulSet) {
				ss.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpExists}}}
			},
			want: []string{"Invalid value spec.selector"},
		},
		{
			name: "volumeClaimTemplates",
			mutate: func(ss *appsv1.StatefulSet) {
				ss.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}}}
			},
			want: []string{"Invalid value spec.volumeClaimTemplates"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, ss := validStatefulSet(), validStatefulSet()
			tt.mutate(ss)
			registrytest.ExpectErrors(t, ValidateUpdate(ss, old), tt.want...)
		})
	}
}

func TestValidateStatusUpdate(t *testing.T) {
	old, ss := validStatefulSet(), validStatefulSet()
	ss.Status = appsv1.StatefulSetStatus{Replicas: 3, ReadyReplicas: 3, CurrentReplicas: 3, UpdatedReplicas: 3, AvailableReplicas: 2}
	registrytest.ExpectErrors(t, ValidateStatusUpdate(ss, old))
	ss.Status = appsv1.StatefulSetStatus{Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 2}
	registrytest.ExpectErrors(t, ValidateStatusUpdate(ss, old), "Invalid value status.availableReplicas", "Invalid value status.availableReplicas")
}

func TestWarnings(t *testing.T) {
	ss := validStatefulSet()
	ss.Spec.RevisionHistoryLimit = ptr.To[int32](-1)
	if w := Strategy.WarningsOnCreate(context.Background(), ss); len(w) != 1 {
		t.Errorf("warnings = %v", w)
	}
}

func TestTableAndScale(t *testing.T) {
	ss := validStatefulSet()
	ss.Status.ReadyReplicas, ss.Status.Replicas = 1, 2
	cells, err := table.Row(ss)
	if err != nil {
		t.Fatal(err)
	}
	if cells[0] != "1/3" || len(cells) != 4 {
		t.Errorf("cells = %v", cells)
	}
	spec, status, selector, err := scalable.Replicas(ss)
	if err != nil || spec != 3 || status != 2 || selector != "app=db" {
		t.Errorf("scale = %d %d %q %v", spec, status, selector, err)
	}
}

// Claim templates compare and print as upstream's internal claims: Go field names and no
// apiVersion/kind (which the defaults set on every template).
func TestClaimTemplatesImmutableMessage(t *testing.T) {
	old := validStatefulSet()
	old.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"}, ObjectMeta: metav1.ObjectMeta{Name: "data"}}}
	ss := old.DeepCopy()
	ss.Spec.VolumeClaimTemplates[0].TypeMeta = metav1.TypeMeta{}
	registrytest.ExpectErrors(t, ValidateUpdate(ss, old))
	ss.Spec.VolumeClaimTemplates[0].Name = "logs"
	errs := ValidateUpdate(ss, old)
	registrytest.ExpectErrors(t, errs, "Invalid value spec.volumeClaimTemplates")
	if msg := errs[0].Error(); !strings.HasPrefix(msg, `spec.volumeClaimTemplates: Invalid value: [{"name":"logs","Spec":{"AccessModes":null,`) {
		t.Errorf("message = %s", msg)
	}
}
