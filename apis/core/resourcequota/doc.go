// Package resourcequota is the registry of core/v1 ResourceQuotas.
package resourcequota
