// Package serviceaccount creates the default ServiceAccount in every namespace.
package serviceaccount
