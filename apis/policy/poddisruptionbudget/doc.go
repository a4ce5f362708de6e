// Package poddisruptionbudget is the registry of policy/v1 PodDisruptionBudgets and their
// status subresource.
package poddisruptionbudget
