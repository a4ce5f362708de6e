// Package rootcacert publishes the cluster's root CA as the kube-root-ca.crt ConfigMap in every namespace.
package rootcacert
