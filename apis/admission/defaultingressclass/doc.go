// Package defaultingressclass is the DefaultIngressClass admission plugin: a new Ingress that
// names no class gets the default IngressClass.
package defaultingressclass
