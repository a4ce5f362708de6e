package defaultbinder

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

func TestBind(t *testing.T) {
	tests := []struct {
		name     string
		failures []error // returned by successive bind calls before success
		wantErr  bool
		calls    int
	}{
		{name: "binds", calls: 1},
		{name: "retries a transient error", failures: []error{apierrors.NewInternalError(errors.New("boom"))}, calls: 2},
		{name: "gives up on a conflict", failures: []error{apierrors.NewConflict(schema.GroupResource{Resource: "pods"}, "p", errors.New("bound"))}, wantErr: true, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset()
			var got []*corev1.Binding
			client.PrependReactor("create", "pods", func(a clienttesting.Action) (bool, runtime.Object, error) {
				if a.GetSubresource() != "binding" {
					return false, nil, nil
				}
				got = append(got, a.(clienttesting.CreateAction).GetObject().(*corev1.Binding))
				if len(got) <= len(tt.failures) {
					return true, nil, tt.failures[len(got)-1]
				}
				return true, nil, nil
			})
			p, _ := New(context.Background(), nil, &pt.Handle{Client: client})
			pod := pt.MakePod("p").Namespace("ns").Obj()
			st := p.(*Plugin).Bind(context.Background(), cyclestate.New(), pod, "n1")
			if st.IsSuccess() == tt.wantErr {
				t.Fatalf("Bind = %v, wantErr %v", st, tt.wantErr)
			}
			if len(got) != tt.calls {
				t.Fatalf("%d bind calls, want %d", len(got), tt.calls)
			}
			want := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", UID: "p"},
				Target: corev1.ObjectReference{Kind: "Node", Name: "n1"}}
			if diff := cmp.Diff(want, got[0]); diff != "" {
				t.Errorf("binding (-want +got):\n%s", diff)
			}
			if tt.wantErr && st.Code() != fwk.Error {
				t.Errorf("code = %v", st.Code())
			}
		})
	}
}
