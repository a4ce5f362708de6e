// Package e2e tests the built skiff binary end to end, as a user would: the server runs as a child
// process on a loopback port and every behaviour is driven with stock kubectl.
//
// The tests skip unless SKIFF_E2E_BINARY names the binary; hack/e2e/run.sh builds it and runs them
// inside a network namespace of their own.
package e2e
