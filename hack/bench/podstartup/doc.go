// Command podstartup measures pod startup latency on a real node (created to Running and Ready, as
// a watch sees it) next to the container runtime's own sandbox+container start time, measured in
// the same run against the same containerd over CRI, and the node agent's memory with the pods
// running. hack/bench/node.sh runs it.
package main
