package controllerrevision

import (
	"testing"

	"github.com/skiff-sh/skiff/apis/registry/registrytest"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func revision(data string) *appsv1.ControllerRevision {
	rev := &appsv1.ControllerRevision{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "default"}, Revision: 1}
	if data != "" {
		rev.Data = runtime.RawExtension{Raw: []byte(data)}
	}
	return rev
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		rev  *appsv1.ControllerRevision
		want []string
	}{
		{name: "valid", rev: revision(`{"spec":{}}`)},
		{name: "no data", rev: revision(""), want: []string{"Required value data"}},
		{name: "null data", rev: revision("null"), want: []string{"Required value data"}},
		{name: "not an object", rev: revision(`[1]`), want: []string{"Required value data"}},
		{name: "not JSON", rev: revision(`{`), want: []string{"Invalid value data"}},
		{name: "negative revision", rev: func() *appsv1.ControllerRevision { r := revision(`{}`); r.Revision = -1; return r }(), want: []string{"Invalid value revision"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { registrytest.ExpectErrors(t, Validate(tt.rev), tt.want...) })
	}
}

func TestValidateUpdate(t *testing.T) {
	old := revision(`{"a":1}`)
	old.ResourceVersion = "1"
	rev := old.DeepCopy()
	rev.Revision = 2
	registrytest.ExpectErrors(t, ValidateUpdate(rev, old))
	rev.Data = runtime.RawExtension{Raw: []byte(`{"a":2}`)}
	registrytest.ExpectErrors(t, ValidateUpdate(rev, old), "Invalid value data")
}

func TestTable(t *testing.T) {
	rev := revision(`{}`)
	rev.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "db", UID: "u", Controller: ptr.To(true)}}
	cells, err := table.Row(rev)
	if err != nil {
		t.Fatal(err)
	}
	if cells[0] != "statefulset.apps/db" || cells[1] != int64(1) {
		t.Errorf("cells = %v", cells)
	}
	cells, _ = table.Row(revision(`{}`))
	if cells[0] != "<none>" {
		t.Errorf("cells = %v", cells)
	}
}
