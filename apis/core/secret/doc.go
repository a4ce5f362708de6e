// Package secret is the registry of core/v1 Secrets.
package secret
