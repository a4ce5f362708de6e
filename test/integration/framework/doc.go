// Package framework starts a real skiff apiserver in-process, on embedded etcd in a temporary
// data dir and a free port, for integration tests.
package framework
