// Package runtime is the end-to-end suite of a real node: `skiff server --container-runtime=containerd`
// run in a network namespace (hack/e2e/runtime.sh) and driven with kubectl, with pods on containerd.
package runtime
