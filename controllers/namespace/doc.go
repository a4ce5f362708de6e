// Package namespace empties a namespace being deleted and then removes its kubernetes finalizer.
package namespace
