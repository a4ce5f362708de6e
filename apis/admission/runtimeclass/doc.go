// Package runtimeclass is the RuntimeClass admission plugin: a new pod naming a RuntimeClass
// gets its overhead and scheduling constraints, and a pod naming none may not claim overhead.
package runtimeclass
