// Package disruption keeps PodDisruptionBudgets' status current.
package disruption
