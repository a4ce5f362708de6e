// Package resourcequota keeps ResourceQuotas' used figures current.
package resourcequota
