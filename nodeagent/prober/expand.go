package prober

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/skiff-sh/skiff/nodeagent/envvars"
)

// expandCommand replaces $(VAR) in an exec probe's command with the values of the container's env
// vars that have a literal value (upstream expands only those for probes); $$ is a literal $, and
// references to anything else are left as written.
func expandCommand(cmd []string, env []corev1.EnvVar) []string {
	vars := map[string]string{}
	for _, e := range env {
		if e.Value != "" {
			vars[e.Name] = e.Value
		}
	}
	out := make([]string, len(cmd))
	for i, arg := range cmd {
		out[i] = envvars.Expand(arg, vars)
	}
	return out
}
