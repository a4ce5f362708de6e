// Command apidiff sends the same manifests to two Kubernetes-compatible API servers as server-side
// dry-run creates (the request `kubectl create --dry-run=server -o json` makes) and reports, per case,
// whether the normalised responses are identical.
package main
