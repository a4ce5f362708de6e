// Package clustertrustbundle is the registry of certificates.k8s.io/v1 ClusterTrustBundles.
package clustertrustbundle
