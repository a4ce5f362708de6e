// Package endpoints is the registry of core/v1 Endpoints.
package endpoints
