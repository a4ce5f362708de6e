// Package priorityclass is the registry of scheduling.k8s.io/v1 PriorityClasses, with the two
// system classes every cluster has.
package priorityclass
