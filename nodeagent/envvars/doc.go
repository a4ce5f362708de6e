// Package envvars computes a container's environment as the kubelet does: service links,
// envFrom, env with $(VAR) expansion and valueFrom references, and expands $(VAR) in
// commands, args and subPathExpr.
package envvars
