package defaults

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func defaulted(t *testing.T, obj runtime.Object) {
	t.Helper()
	s := runtime.NewScheme()
	if err := appsv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := RegisterDefaults(s); err != nil {
		t.Fatal(err)
	}
	s.Default(obj)
}

func TestDefaults(t *testing.T) {
	pct := func(s string) *intstr.IntOrString { return ptr.To(intstr.FromString(s)) }
	num := func(i int32) *intstr.IntOrString { return ptr.To(intstr.FromInt32(i)) }
	tests := []struct {
		name     string
		in, want runtime.Object
	}{
		{
			name: "deployment",
			in:   &appsv1.Deployment{},
			want: &appsv1.Deployment{Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](1),
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: pct("25%"), MaxSurge: pct("25%"),
				}},
				RevisionHistoryLimit: ptr.To[int32](10), ProgressDeadlineSeconds: ptr.To[int32](600),
			}},
		},
		{
			name: "deployment keeps Recreate without rollingUpdate and set values",
			in: &appsv1.Deployment{Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](0), Strategy: appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
				RevisionHistoryLimit: ptr.To[int32](0),
			}},
			want: &appsv1.Deployment{Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](0), Strategy: appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
				RevisionHistoryLimit: ptr.To[int32](0), ProgressDeadlineSeconds: ptr.To[int32](600),
			}},
		},
		{
			name: "deployment fills a partial rollingUpdate",
			in: &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Strategy: appsv1.DeploymentStrategy{
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: num(0)},
			}}},
			want: &appsv1.Deployment{Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](1),
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: pct("25%"), MaxSurge: num(0),
				}},
				RevisionHistoryLimit: ptr.To[int32](10), ProgressDeadlineSeconds: ptr.To[int32](600),
			}},
		},
		{
			name: "replicaset",
			in:   &appsv1.ReplicaSet{},
			want: &appsv1.ReplicaSet{Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](1)}},
		},
		{
			name: "statefulset",
			in:   &appsv1.StatefulSet{},
			want: &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{
				Replicas:            ptr.To[int32](1),
				PodManagementPolicy: appsv1.OrderedReadyPodManagement,
				UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType, RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{
					Partition: ptr.To[int32](0), MaxUnavailable: num(1),
				}},
				RevisionHistoryLimit: ptr.To[int32](10),
				PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
					WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType, WhenScaled: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
				},
			}},
		},
		{
			name: "statefulset OnDelete gets no rollingUpdate",
			in:   &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}}},
			want: &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{
				Replicas:             ptr.To[int32](1),
				PodManagementPolicy:  appsv1.OrderedReadyPodManagement,
				UpdateStrategy:       appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType},
				RevisionHistoryLimit: ptr.To[int32](10),
				PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
					WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType, WhenScaled: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
				},
			}},
		},
		{
			name: "daemonset",
			in:   &appsv1.DaemonSet{},
			want: &appsv1.DaemonSet{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{appsv1.DeprecatedTemplateGeneration: "0"}},
				Spec: appsv1.DaemonSetSpec{
					UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{
						MaxUnavailable: num(1), MaxSurge: num(0),
					}},
					RevisionHistoryLimit: ptr.To[int32](10),
				},
			},
		},
		{
			name: "daemonset keeps a given template generation",
			in: &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{appsv1.DeprecatedTemplateGeneration: "5", "a": "b"}},
				Spec: appsv1.DaemonSetSpec{UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}}},
			want: &appsv1.DaemonSet{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{appsv1.DeprecatedTemplateGeneration: "5", "a": "b"}},
				Spec: appsv1.DaemonSetSpec{
					UpdateStrategy:       appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType},
					RevisionHistoryLimit: ptr.To[int32](10),
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defaulted(t, tt.in)
			// The pod template's defaults are core's, tested there.
			switch o := tt.in.(type) {
			case *appsv1.Deployment:
				o.Spec.Template = corev1.PodTemplateSpec{}
			case *appsv1.ReplicaSet:
				o.Spec.Template = corev1.PodTemplateSpec{}
			case *appsv1.StatefulSet:
				o.Spec.Template = corev1.PodTemplateSpec{}
			case *appsv1.DaemonSet:
				o.Spec.Template = corev1.PodTemplateSpec{}
			}
			if !equality.Semantic.DeepEqual(tt.in, tt.want) {
				t.Errorf("got  %+v\nwant %+v", tt.in, tt.want)
			}
		})
	}
}

func TestStatefulSetClaimTemplatesGetTypeMeta(t *testing.T) {
	ss := &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{VolumeClaimTemplates: []corev1.PersistentVolumeClaim{
		{ObjectMeta: metav1.ObjectMeta{Name: "data"}},
		{TypeMeta: metav1.TypeMeta{APIVersion: "v9", Kind: "Other"}, ObjectMeta: metav1.ObjectMeta{Name: "logs"}},
	}}}
	defaulted(t, ss)
	for i, tmpl := range ss.Spec.VolumeClaimTemplates {
		if tmpl.APIVersion != "v1" || tmpl.Kind != "PersistentVolumeClaim" {
			t.Errorf("volumeClaimTemplates[%d] has apiVersion %q, kind %q; want v1, PersistentVolumeClaim", i, tmpl.APIVersion, tmpl.Kind)
		}
		if mode := tmpl.Spec.VolumeMode; mode == nil || *mode != corev1.PersistentVolumeFilesystem {
			t.Errorf("volumeClaimTemplates[%d].spec.volumeMode = %v, want Filesystem from the core defaults", i, mode)
		}
	}
}

func TestPodTemplateDefaultsReachTemplates(t *testing.T) {
	d := &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "c", Image: "i", Ports: []corev1.ContainerPort{{ContainerPort: 80}}}},
	}}}}
	defaulted(t, d)
	if got := d.Spec.Template.Spec.Containers[0].Ports[0].Protocol; got != corev1.ProtocolTCP {
		t.Errorf("container port protocol = %q, want TCP from the core defaults", got)
	}
}
