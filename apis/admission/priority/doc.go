// Package priority is the Priority admission plugin: it resolves a pod's priorityClassName to
// spec.priority and spec.preemptionPolicy and allows only one global default PriorityClass.
package priority
