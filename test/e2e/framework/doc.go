// Package framework runs the skiff binary as a child process and drives it with stock kubectl, for
// the end-to-end tests in test/e2e.
package framework
