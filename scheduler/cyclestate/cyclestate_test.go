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

// Writes replace keys in place, concurrent readers see either version, and the active Filter
// plugins belong to their owner and go with a new skip set.
func TestCycleStateWritesAndActiveFilters(t *testing.T) {
	c := New()
	for i := range 5 {
		c.Write(fwk.StateKey(rune('a'+i)), &intData{v: i})
	}
	c.Write("c", &intData{v: 30})
	for key, want := range map[fwk.StateKey]int{"a": 0, "c": 30, "e": 4} {
		if got, err := c.Read(key); err != nil || got.(*intData).v != want {
			t.Errorf("Read(%s) = %v, %v; want %d", key, got, err, want)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			if _, err := c.Read("a"); err != nil {
				t.Error("concurrent Read lost key a")
				return
			}
		}
	}()
	for i := range 1000 {
		c.Write("b", &intData{v: i})
	}
	<-done

	owner, other := new(int), new(int)
	c.SetActiveFilterPlugins(owner, []fwk.FilterPlugin{nil})
	if p, ok := c.ActiveFilterPlugins(owner); !ok || len(p) != 1 {
		t.Errorf("ActiveFilterPlugins(owner) = %v, %v", p, ok)
	}
	if _, ok := c.ActiveFilterPlugins(other); ok {
		t.Error("another owner got the active filters")
	}
	if _, ok := c.Clone().(*CycleState).ActiveFilterPlugins(owner); !ok {
		t.Error("active filters not cloned")
	}
	c.SetSkipFilterPlugins(sets.New("X"))
	if _, ok := c.ActiveFilterPlugins(owner); ok {
		t.Error("a new skip set kept the old active filters")
	}
}
