// Package plugintest has builders for pods and nodes and a minimal framework.Handle, for the
// plugins' unit tests only.
package plugintest
