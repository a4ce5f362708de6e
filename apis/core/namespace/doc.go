// Package namespace is the registry of core/v1 Namespaces, with upstream's two-phase deletion
// (Terminating until spec.finalizers are emptied through namespaces/finalize).
package namespace
