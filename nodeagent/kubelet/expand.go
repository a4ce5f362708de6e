package kubelet

import "github.com/skiff-sh/skiff/nodeagent/envvars"

// expandAll expands $(VAR) references in every element of args (a container's command or
// args) with the container's environment, as the API documents.
func expandAll(args []string, env map[string]string) []string {
	if args == nil {
		return nil
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = envvars.Expand(a, env)
	}
	return out
}
