// Package runtime is the scheduling framework runtime: it builds a profile's plugins from a
// registry, runs them at each extension point with upstream's Status rules, and is the
// framework.Handle plugins get.
package runtime
