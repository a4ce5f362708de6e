package cyclestate

import (
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"
	fwk "k8s.io/kube-scheduler/framework"
)

type intData struct{ v int }

func (d *intData) Clone() fwk.StateData { return &intData{v: d.v} }

func TestCycleState(t *testing.T) {
	c := New()
	if _, err := c.Read("k"); !errors.Is(err, fwk.ErrNotFound) {
		t.Fatalf("Read missing = %v, want ErrNotFound", err)
	}
	c.Write("k", &intData{v: 1})
	c.SetSkipFilterPlugins(sets.New("A"))
	clone := c.Clone()
	c.Write("k", &intData{v: 2})
	got, err := clone.Read("k")
	if err != nil || got.(*intData).v != 1 {
		t.Errorf("clone read = %v, %v; want 1", got, err)
	}
	if !clone.GetSkipFilterPlugins().Has("A") {
		t.Error("skip filter plugins not cloned")
	}
	c.Delete("k")
	if _, err := c.Read("k"); err == nil {
		t.Error("Delete did not delete")
	}
	var nilState *CycleState
	if nilState.Clone() != nil {
		t.Error("nil Clone should be nil")
	}
}
