// Package server assembles the skiff apiserver: its certificates, embedded or external etcd,
// and the delegation chain upstream uses (apiextensions -> skiff's standard groups ->
// kube-aggregator in front), with the post-start hooks that bootstrap a cluster.
package server
