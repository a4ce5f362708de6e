package cyclestate

import (
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/util/sets"
	fwk "k8s.io/kube-scheduler/framework"
)

// CycleState implements framework.CycleState. Read/Write/Delete are safe for concurrent use
// (Filter and Score run in parallel); the Set* methods are for the runtime between phases.
type CycleState struct {
	// storage is copied on write: Filter and Score read it from many goroutines for every
	// node, while plugins write a handful of keys per cycle. A linear scan of the few entries
	// is cheaper than sync.Map's hashing of interface keys.
	storage                atomic.Pointer[[]entry]
	writeMu                sync.Mutex
	recordPluginMetrics    bool
	skipFilterPlugins      sets.Set[string]
	skipScorePlugins       sets.Set[string]
	skipPreBindPlugins     sets.Set[string]
	parallelPreBindPlugins sets.Set[string]
	skipAllPostFilter      bool
	// activeFilters caches the Filter plugins a framework (activeFiltersOf) runs this cycle,
	// so the runtime does not look each plugin up in skipFilterPlugins for every node.
	activeFilters   []fwk.FilterPlugin
	activeFiltersOf any
}

var _ fwk.CycleState = &CycleState{}

type entry struct {
	key fwk.StateKey
	val fwk.StateData
}

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

func (c *CycleState) GetSkipFilterPlugins() sets.Set[string] { return c.skipFilterPlugins }
func (c *CycleState) SetSkipFilterPlugins(p sets.Set[string]) {
	c.skipFilterPlugins = p
	c.activeFilters, c.activeFiltersOf = nil, nil
}

// SetActiveFilterPlugins records the Filter plugins owner runs this cycle (its plugins minus
// the skipped ones); SetSkipFilterPlugins forgets them. Not safe while Filter runs.
func (c *CycleState) SetActiveFilterPlugins(owner any, p []fwk.FilterPlugin) {
	c.activeFilters, c.activeFiltersOf = p, owner
}

// ActiveFilterPlugins returns what SetActiveFilterPlugins recorded for owner.
func (c *CycleState) ActiveFilterPlugins(owner any) ([]fwk.FilterPlugin, bool) {
	if c.activeFiltersOf == nil || c.activeFiltersOf != owner {
		return nil, false
	}
	return c.activeFilters, true
}
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
	if p := c.storage.Load(); p != nil {
		for _, e := range *p {
			if e.key == key {
				return e.val, nil
			}
		}
	}
	return nil, fwk.ErrNotFound
}

// Write stores val under key.
func (c *CycleState) Write(key fwk.StateKey, val fwk.StateData) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	var old []entry
	if p := c.storage.Load(); p != nil {
		old = *p
	}
	n := make([]entry, 0, len(old)+1)
	for _, e := range old {
		if e.key != key {
			n = append(n, e)
		}
	}
	n = append(n, entry{key: key, val: val})
	c.storage.Store(&n)
}

// Delete removes key.
func (c *CycleState) Delete(key fwk.StateKey) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	p := c.storage.Load()
	if p == nil {
		return
	}
	n := make([]entry, 0, len(*p))
	for _, e := range *p {
		if e.key != key {
			n = append(n, e)
		}
	}
	c.storage.Store(&n)
}

// Clone copies the state, cloning each value with its Clone method; nil clones to nil.
func (c *CycleState) Clone() fwk.CycleState {
	if c == nil {
		return nil
	}
	n := New()
	if p := c.storage.Load(); p != nil {
		entries := make([]entry, 0, len(*p))
		for _, e := range *p {
			if e.val == nil {
				continue
			}
			entries = append(entries, entry{key: e.key, val: e.val.Clone()})
		}
		n.storage.Store(&entries)
	}
	n.recordPluginMetrics = c.recordPluginMetrics
	n.skipFilterPlugins = c.skipFilterPlugins
	n.skipScorePlugins = c.skipScorePlugins
	n.skipPreBindPlugins = c.skipPreBindPlugins
	n.parallelPreBindPlugins = c.parallelPreBindPlugins
	n.skipAllPostFilter = c.skipAllPostFilter
	n.activeFilters, n.activeFiltersOf = c.activeFilters, c.activeFiltersOf
	return n
}

// IsPodGroupSchedulingCycle is false: skiff has no pod group cycles.
func (c *CycleState) IsPodGroupSchedulingCycle() bool { return false }

// GetPodGroupSchedulingCycle is nil: skiff has no pod group cycles.
func (c *CycleState) GetPodGroupSchedulingCycle() fwk.PodGroupCycleState { return nil }

// GetPlacementCycleState is nil: skiff has no placements.
func (c *CycleState) GetPlacementCycleState() fwk.PlacementCycleState { return nil }
