// Package controllertest runs chosen controllers in a manager against a real in-process
// skiff apiserver, for controllers' integration tests.
package controllertest
