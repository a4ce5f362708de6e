package cyclestate

import (
	"sync"

	"k8s.io/apimachinery/pkg/util/sets"
	fwk "k8s.io/kube-scheduler/framework"
)

// CycleState implements framework.CycleState. Read/Write/Delete are safe for concurrent use
// (Filter and Score run in parallel); the Set* methods are for the runtime between phases.
type CycleState struct {
	storage                sync.Map
	recordPluginMetrics    bool
	skipFilterPlugins      sets.Set[string]
	skipScorePlugins       sets.Set[string]
	skipPreBindPlugins     sets.Set[string]
	parallelPreBindPlugins sets.Set[string]
	skipAllPostFilter      bool
}

var _ fwk.CycleState = &CycleState{}

// New returns an empty CycleState.
func New() *CycleState { return &CycleState{} }

// ShouldRecordPluginMetrics reports whether plugin durations are recorded this cycle.
func (c *CycleState) ShouldRecordPluginMetrics() bool { return c != nil && c.recordPluginMetrics }

// SetRecordPluginMetrics turns plugin duration recording on or off.
func (c *CycleState) SetRecordPluginMetrics(b bool) {
	if c != nil {
		c.recordPluginMetrics = b
	}
}

func (c *CycleState) GetSkipFilterPlugins() sets.Set[string]       { return c.skipFilterPlugins }
func (c *CycleState) SetSkipFilterPlugins(p sets.Set[string])      { c.skipFilterPlugins = p }
func (c *CycleState) GetSkipScorePlugins() sets.Set[string]        { return c.skipScorePlugins }
func (c *CycleState) SetSkipScorePlugins(p sets.Set[string])       { c.skipScorePlugins = p }
func (c *CycleState) GetSkipPreBindPlugins() sets.Set[string]      { return c.skipPreBindPlugins }
func (c *CycleState) SetSkipPreBindPlugins(p sets.Set[string])     { c.skipPreBindPlugins = p }
func (c *CycleState) GetParallelPreBindPlugins() sets.Set[string]  { return c.parallelPreBindPlugins }
func (c *CycleState) SetParallelPreBindPlugins(p sets.Set[string]) { c.parallelPreBindPlugins = p }
func (c *CycleState) ShouldSkipAllPostFilterPlugins() bool         { return c.skipAllPostFilter }

// SetSkipAllPostFilterPlugins makes the runtime skip PostFilter this cycle.
func (c *CycleState) SetSkipAllPostFilterPlugins(b bool) { c.skipAllPostFilter = b }

// Read returns the data under key or framework.ErrNotFound.
func (c *CycleState) Read(key fwk.StateKey) (fwk.StateData, error) {
	if v, ok := c.storage.Load(key); ok {
		return v.(fwk.StateData), nil
	}
	return nil, fwk.ErrNotFound
}

// Write stores val under key.
func (c *CycleState) Write(key fwk.StateKey, val fwk.StateData) { c.storage.Store(key, val) }

// Delete removes key.
func (c *CycleState) Delete(key fwk.StateKey) { c.storage.Delete(key) }

// Clone copies the state, cloning each value with its Clone method; nil clones to nil.
func (c *CycleState) Clone() fwk.CycleState {
	if c == nil {
		return nil
	}
	n := New()
	c.storage.Range(func(k, v any) bool {
		if v == nil {
			return true
		}
		n.storage.Store(k, v.(fwk.StateData).Clone())
		return true
	})
	n.recordPluginMetrics = c.recordPluginMetrics
	n.skipFilterPlugins = c.skipFilterPlugins
	n.skipScorePlugins = c.skipScorePlugins
	n.skipPreBindPlugins = c.skipPreBindPlugins
	n.parallelPreBindPlugins = c.parallelPreBindPlugins
	n.skipAllPostFilter = c.skipAllPostFilter
	return n
}

// IsPodGroupSchedulingCycle is false: skiff has no pod group cycles.
func (c *CycleState) IsPodGroupSchedulingCycle() bool { return false }

// GetPodGroupSchedulingCycle is nil: skiff has no pod group cycles.
func (c *CycleState) GetPodGroupSchedulingCycle() fwk.PodGroupCycleState { return nil }

// GetPlacementCycleState is nil: skiff has no placements.
func (c *CycleState) GetPlacementCycleState() fwk.PlacementCycleState { return nil }
