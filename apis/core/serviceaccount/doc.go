// Package serviceaccount is the registry of core/v1 ServiceAccounts.
package serviceaccount
