package history

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestHashData(t *testing.T) {
	data := []byte(`{"spec":{"template":{"$patch":"replace"}}}`)
	tests := []struct {
		name  string
		a, b  *int32
		equal bool
	}{
		{"same count", ptr.To[int32](0), ptr.To[int32](0), true},
		{"counts differ", ptr.To[int32](0), ptr.To[int32](1), false},
		{"nil differs from zero", nil, ptr.To[int32](0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ha, hb := HashData(data, tt.a), HashData(data, tt.b)
			if (ha == hb) != tt.equal {
				t.Errorf("HashData: %s vs %s, want equal %v", ha, hb, tt.equal)
			}
			if strings.ContainsAny(ha, "aeiou013") {
				t.Errorf("hash %s has characters SafeEncodeString avoids", ha)
			}
		})
	}
}

func TestTemplateHash(t *testing.T) {
	tmpl := &corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "x:1"}}}}
	h := TemplateHash(tmpl, nil)
	if h != TemplateHash(tmpl.DeepCopy(), nil) {
		t.Error("hash not stable")
	}
	if h == TemplateHash(tmpl, ptr.To[int32](1)) {
		t.Error("collision count does not change the hash")
	}
	changed := tmpl.DeepCopy()
	changed.Spec.Containers[0].Image = "x:2"
	if h == TemplateHash(changed, nil) {
		t.Error("image does not change the hash")
	}
}

func TestNewAndName(t *testing.T) {
	parent := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", UID: "u"}}
	labels := map[string]string{"app": "web"}
	rev := New(parent, appsv1.SchemeGroupVersion.WithKind("StatefulSet"), labels, []byte("{}"), 3, ptr.To[int32](0))
	hash := HashData([]byte("{}"), ptr.To[int32](0))
	if rev.Name != "web-"+hash || rev.Labels[HashLabel] != hash || rev.Labels["app"] != "web" || rev.Revision != 3 {
		t.Errorf("revision = %+v", rev.ObjectMeta)
	}
	if _, ok := labels[HashLabel]; ok {
		t.Error("New changed the template labels")
	}
	if ref := metav1.GetControllerOf(rev); ref == nil || ref.UID != "u" {
		t.Errorf("owner = %+v", ref)
	}
	if n := Name(strings.Repeat("x", 300), "h"); len(n) != 225 {
		t.Errorf("long name cut to %d, want 225", len(n))
	}
}

func TestSortAndFind(t *testing.T) {
	t0 := metav1.NewTime(time.Unix(100, 0))
	t1 := metav1.NewTime(time.Unix(200, 0))
	mk := func(name string, n int64, at metav1.Time, data string) *appsv1.ControllerRevision {
		r := &appsv1.ControllerRevision{ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: at}, Revision: n}
		r.Data.Raw = []byte(data)
		return r
	}
	revs := []*appsv1.ControllerRevision{mk("c", 2, t0, "x"), mk("b", 1, t1, "y"), mk("a", 1, t1, "x"), mk("d", 1, t0, "z")}
	Sort(revs)
	var got []string
	for _, r := range revs {
		got = append(got, r.Name)
	}
	if strings.Join(got, ",") != "d,a,b,c" {
		t.Errorf("sorted = %v, want d,a,b,c", got)
	}
	if Next(revs) != 3 || Next(nil) != 1 {
		t.Errorf("Next = %d, %d", Next(revs), Next(nil))
	}
	eq := FindEqual(revs, mk("n", 9, t0, "x"))
	if len(eq) != 2 || eq[0].Name != "a" || eq[1].Name != "c" {
		t.Errorf("FindEqual = %v", eq)
	}
	if !Equal(nil, nil) || Equal(revs[0], nil) {
		t.Error("Equal with nil wrong")
	}
}

func TestPatches(t *testing.T) {
	owner := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "ds", UID: "owner"}}
	adopt := string(AdoptPatch(owner, appsv1.SchemeGroupVersion.WithKind("DaemonSet"), "obj"))
	want := `{"metadata":{"ownerReferences":[{"apiVersion":"apps/v1","blockOwnerDeletion":true,"controller":true,"kind":"DaemonSet","name":"ds","uid":"owner"}],"uid":"obj"}}`
	if adopt != want {
		t.Errorf("adopt patch = %s\nwant %s", adopt, want)
	}
	release := string(ReleasePatch("owner", "obj"))
	if release != `{"metadata":{"ownerReferences":[{"$patch":"delete","uid":"owner"}],"uid":"obj"}}` {
		t.Errorf("release patch = %s", release)
	}
}
