// Package nodeunschedulable is the NodeUnschedulable plugin: cordoned nodes (spec.unschedulable)
// take only pods that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint.
package nodeunschedulable
