// Package containerdtest runs a real containerd for one test, inside the test's network namespace,
// with the sandbox image imported and a bridge network, and removes every pod, process, mount,
// cgroup and bridge it made when the test ends, even when it fails.
package containerdtest
