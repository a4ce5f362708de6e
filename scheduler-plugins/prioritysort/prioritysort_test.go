package prioritysort

import (
	"context"
	"testing"
	"time"

	fwk "k8s.io/kube-scheduler/framework"
)

// entity is a QueuedEntityInfo with just priority and timestamp.
type entity struct {
	fwk.QueuedEntityInfo
	priority int32
	ts       time.Time
}

func (e entity) GetPriority() int32      { return e.priority }
func (e entity) GetTimestamp() time.Time { return e.ts }

func TestLess(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Second)
	tests := []struct {
		name string
		a, b entity
		want bool
	}{
		{"higher priority first", entity{priority: 100, ts: t1}, entity{priority: 1, ts: t0}, true},
		{"lower priority later", entity{priority: 1, ts: t0}, entity{priority: 100, ts: t1}, false},
		{"equal priority, earlier first", entity{priority: 5, ts: t0}, entity{priority: 5, ts: t1}, true},
		{"equal priority, later second", entity{priority: 5, ts: t1}, entity{priority: 5, ts: t0}, false},
		{"equal everything", entity{priority: 5, ts: t0}, entity{priority: 5, ts: t0}, false},
		{"negative priorities", entity{priority: -1, ts: t1}, entity{priority: -2, ts: t0}, true},
	}
	p, err := New(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pl := p.(*Plugin)
	if pl.Name() != "PrioritySort" {
		t.Errorf("Name() = %q", pl.Name())
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pl.Less(tt.a, tt.b); got != tt.want {
				t.Errorf("Less() = %v, want %v", got, tt.want)
			}
		})
	}
}
