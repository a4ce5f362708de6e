// Package node is the registry of core/v1 Nodes.
package node
