// Package defaultpreemption is the DefaultPreemption plugin: when a pod fits no node, it
// looks for a node where evicting lower-priority pods would make room, evicts them and
// nominates the pod to that node.
package defaultpreemption
