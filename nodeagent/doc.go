// Package nodeagent is skiff's node agent: the kubelet and proxy for real nodes (on containerd)
// and, in simulated/, many fake nodes that move pods through their lifecycle without running them.
package nodeagent
