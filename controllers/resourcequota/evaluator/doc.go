// Package evaluator measures the quota usage of pods, Services and PersistentVolumeClaims as
// upstream's core evaluators do; it depends on nothing but published libraries, so the quota
// admission plugin could use it as well.
package evaluator
