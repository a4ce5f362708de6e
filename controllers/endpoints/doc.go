// Package endpoints keeps each Service's Endpoints in step with its ready pods.
package endpoints
