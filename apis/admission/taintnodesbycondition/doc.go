// Package taintnodesbycondition is the TaintNodesByCondition admission plugin: new Nodes are
// tainted node.kubernetes.io/not-ready:NoSchedule until the node controller sees them ready.
package taintnodesbycondition
