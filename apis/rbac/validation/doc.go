// Package validation holds the checks the four RBAC kinds share: names, policy rules, role
// references and subjects, with upstream's field paths and messages.
package validation
