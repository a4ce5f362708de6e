package persistentvolumeclaim

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func validPVC(mutate ...func(*corev1.PersistentVolumeClaim)) *corev1.PersistentVolumeClaim {
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "ns", ResourceVersion: "1"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
			VolumeMode:  ptr.To(corev1.PersistentVolumeFilesystem),
		},
	}
	for _, m := range mutate {
		m(pvc)
	}
	return pvc
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*corev1.PersistentVolumeClaim)
		path   string
	}{
		{"valid", func(*corev1.PersistentVolumeClaim) {}, ""},
		{"no access modes", func(p *corev1.PersistentVolumeClaim) { p.Spec.AccessModes = nil }, "spec.accessModes"},
		{"no storage", func(p *corev1.PersistentVolumeClaim) { p.Spec.Resources.Requests = nil }, "spec.resources[storage]"},
		{"zero storage", func(p *corev1.PersistentVolumeClaim) {
			p.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("0")
		}, "spec.resources[storage]"},
		{"bad volume mode", func(p *corev1.PersistentVolumeClaim) { p.Spec.VolumeMode = ptr.To[corev1.PersistentVolumeMode]("Raw") }, "spec.volumeMode"},
		{"bad storage class", func(p *corev1.PersistentVolumeClaim) { p.Spec.StorageClassName = ptr.To("Bad_Class") }, "spec.storageClassName"},
		{"data source of core kind", func(p *corev1.PersistentVolumeClaim) {
			p.Spec.DataSource = &corev1.TypedLocalObjectReference{Kind: "Secret", Name: "s"}
		}, "spec.dataSource"},
		{"bad selector", func(p *corev1.PersistentVolumeClaim) {
			p.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b c"}}
		}, "spec.selector.matchLabels"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(validPVC(tc.mutate), ValidationOptions(nil))
			if tc.path == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) == 0 || errs[0].Field != tc.path {
				t.Fatalf("want error at %s, got %v", tc.path, errs)
			}
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	bound := func(p *corev1.PersistentVolumeClaim) {
		p.Spec.VolumeName = "pv-1"
		p.Status = corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound, Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}
	}
	cases := []struct {
		name   string
		old    func(*corev1.PersistentVolumeClaim)
		mutate func(*corev1.PersistentVolumeClaim)
		path   string
	}{
		{"bind volume name once", nil, func(p *corev1.PersistentVolumeClaim) { p.Spec.VolumeName = "pv-1" }, ""},
		{"rebind", bound, func(p *corev1.PersistentVolumeClaim) { p.Spec.VolumeName = "pv-2" }, "spec"},
		{"grow bound", bound, func(p *corev1.PersistentVolumeClaim) {
			p.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("2Gi")
		}, ""},
		{"grow unbound", nil, func(p *corev1.PersistentVolumeClaim) {
			p.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("2Gi")
		}, "spec"},
		{"shrink below capacity", bound, func(p *corev1.PersistentVolumeClaim) {
			p.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("512Mi")
		}, "spec.resources.requests.storage"},
		{"access modes", bound, func(p *corev1.PersistentVolumeClaim) {
			p.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
		}, "spec"},
		{"storage class from nil", nil, func(p *corev1.PersistentVolumeClaim) { p.Spec.StorageClassName = ptr.To("fast") }, ""},
		{"storage class from annotation", func(p *corev1.PersistentVolumeClaim) {
			p.Annotations = map[string]string{corev1.BetaStorageClassAnnotation: "fast"}
		}, func(p *corev1.PersistentVolumeClaim) { p.Spec.StorageClassName = ptr.To("fast") }, ""},
		{"annotation change", func(p *corev1.PersistentVolumeClaim) {
			p.Annotations = map[string]string{corev1.BetaStorageClassAnnotation: "fast"}
		}, func(p *corev1.PersistentVolumeClaim) { p.Annotations[corev1.BetaStorageClassAnnotation] = "slow" }, "metadata.annotations.volume.beta.kubernetes.io/storage-class"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old := validPVC()
			if tc.old != nil {
				tc.old(old)
			}
			pvc := old.DeepCopy()
			tc.mutate(pvc)
			errs := ValidateUpdate(pvc, old, ValidationOptions(old))
			if tc.path == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) == 0 || errs[0].Field != tc.path {
				t.Fatalf("want error at %s, got %v", tc.path, errs)
			}
		})
	}
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	pvc := validPVC(func(p *corev1.PersistentVolumeClaim) {
		p.Spec.DataSource = &corev1.TypedLocalObjectReference{Kind: "PersistentVolumeClaim", Name: "src"}
		p.Status.Phase = corev1.ClaimBound
	})
	Strategy.PrepareForCreate(ctx, pvc)
	if pvc.Status.Phase != "" || pvc.Spec.DataSourceRef == nil || pvc.Spec.DataSourceRef.Name != "src" {
		t.Fatalf("create: %+v", pvc)
	}
	odd := validPVC(func(p *corev1.PersistentVolumeClaim) {
		p.Spec.DataSource = &corev1.TypedLocalObjectReference{APIGroup: ptr.To("example.com"), Kind: "Thing", Name: "t"}
	})
	Strategy.PrepareForCreate(ctx, odd)
	if odd.Spec.DataSource != nil || odd.Spec.DataSourceRef != nil {
		t.Fatalf("unsupported dataSource kept: %+v", odd.Spec)
	}
	cross := validPVC(func(p *corev1.PersistentVolumeClaim) {
		p.Spec.DataSourceRef = &corev1.TypedObjectReference{Kind: "PersistentVolumeClaim", Name: "src", Namespace: ptr.To("other")}
	})
	Strategy.PrepareForCreate(ctx, cross)
	if cross.Spec.DataSourceRef != nil {
		t.Fatalf("cross-namespace dataSourceRef kept")
	}
	row, _ := Table.Row(validPVC(func(p *corev1.PersistentVolumeClaim) {
		p.Spec.VolumeName, p.Spec.StorageClassName = "pv-1", ptr.To("fast")
		p.Status = corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound, AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}
	}))
	if row[0] != "Bound" || row[1] != "pv-1" || row[2] != "1Gi" || row[3] != "RWO" || row[4] != "fast" || row[7] != "Filesystem" {
		t.Errorf("row %v", row)
	}
}
