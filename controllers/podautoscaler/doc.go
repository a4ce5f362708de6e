// Package podautoscaler scales workloads from pod metrics for HorizontalPodAutoscalers.
package podautoscaler
