// Package registry holds what every resource's registry shares: a base strategy with status
// isolation and generation bumps, the store constructor, status and scale subresources, field
// selector attributes and Table output. A resource package embeds and configures these.
package registry
