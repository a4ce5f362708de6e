package volumebinding

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	listersv1 "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
)

// newTestPlugin builds the plugin over listers holding objs (no client: nothing is sent).
func newTestPlugin(t *testing.T, objs ...runtime.Object) *Plugin {
	t.Helper()
	idx := func() cache.Indexer {
		return cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	}
	pvs, pvcs, classes, nodes, pods, drivers, caps := idx(), idx(), idx(), idx(), idx(), idx(), idx()
	for _, o := range objs {
		var target cache.Indexer
		switch o.(type) {
		case *corev1.PersistentVolume:
			target = pvs
		case *corev1.PersistentVolumeClaim:
			target = pvcs
		case *storagev1.StorageClass:
			target = classes
		case *corev1.Node:
			target = nodes
		case *corev1.Pod:
			target = pods
		case *storagev1.CSIDriver:
			target = drivers
		case *storagev1.CSIStorageCapacity:
			target = caps
		default:
			t.Fatalf("unexpected %T", o)
		}
		if err := target.Add(o); err != nil {
			t.Fatal(err)
		}
	}
	pvLister := listersv1.NewPersistentVolumeLister(pvs)
	pvcLister := listersv1.NewPersistentVolumeClaimLister(pvcs)
	a, err := parseArgs(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Plugin{
		pvcLister:       pvcLister,
		classLister:     storagelisters.NewStorageClassLister(classes),
		nodeLister:      listersv1.NewNodeLister(nodes),
		podLister:       listersv1.NewPodLister(pods),
		csiDriverLister: storagelisters.NewCSIDriverLister(drivers),
		capacityLister:  storagelisters.NewCSIStorageCapacityLister(caps),
		pvCache: newAssumeCache("PersistentVolume", pvLister.Get, func() ([]*corev1.PersistentVolume, error) {
			return pvLister.List(labels.Everything())
		}),
		pvcCache:     newAssumeCache("PersistentVolumeClaim", pvcGetter(pvcLister), nil),
		bindTimeout:  a.bindTimeout,
		pollInterval: 10,
		scorer:       newScorer(a.shape),
	}
}

func class(name, provisioner string, mode storagev1.VolumeBindingMode) *storagev1.StorageClass {
	return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Provisioner: provisioner, VolumeBindingMode: &mode}
}

// claim is an unbound 1Gi ReadWriteOnce claim of class (nil class when "").
func claim(name, className string) *corev1.PersistentVolumeClaim {
	c := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID("uid-" + name), ResourceVersion: "1"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending},
	}
	if className != "" {
		c.Spec.StorageClassName = &className
	}
	return c
}

// boundTo marks c bound to pv by the volume controller.
func boundTo(c *corev1.PersistentVolumeClaim, pv string) *corev1.PersistentVolumeClaim {
	c.Spec.VolumeName = pv
	c.Annotations = map[string]string{"pv.kubernetes.io/bind-completed": "yes"}
	c.Status.Phase = corev1.ClaimBound
	return c
}

// pv is an Available volume of size and class, usable only from nodes labelled
// kubernetes.io/hostname in hosts (any node when none).
func pv(name, className, size string, hosts ...string) *corev1.PersistentVolume {
	v := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, ResourceVersion: "1"},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName:       className,
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/" + name}},
		},
		Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeAvailable},
	}
	if len(hosts) > 0 {
		v.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{
			plugintest.LabelTerm(corev1.LabelHostname, corev1.NodeSelectorOpIn, hosts...),
		}}}
	}
	return v
}

// podWithClaims uses the named claims.
func podWithClaims(claims ...string) *corev1.Pod {
	p := plugintest.MakePod("p").Obj()
	for _, c := range claims {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: c, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c},
		}})
	}
	return p
}
