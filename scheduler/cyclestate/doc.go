// Package cyclestate is the per-pod scheduling cycle's key/value store shared by plugins
// (framework.CycleState).
package cyclestate
