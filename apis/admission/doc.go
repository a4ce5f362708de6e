// Package admission registers skiff's admission plugins: the ones kube-apiserver enables by
// default besides the generic chain of k8s.io/apiserver, each in its own package, in upstream's
// order.
package admission
