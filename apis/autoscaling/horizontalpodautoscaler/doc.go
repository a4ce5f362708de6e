// Package horizontalpodautoscaler is the registry of HorizontalPodAutoscalers, stored and
// validated as autoscaling/v2 (the hub) and served as v2 and v1, with the conversion between
// the two.
package horizontalpodautoscaler
