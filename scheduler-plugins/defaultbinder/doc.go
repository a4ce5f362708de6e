// Package defaultbinder is the DefaultBinder plugin: it binds pods by creating a Binding
// through the API.
package defaultbinder
