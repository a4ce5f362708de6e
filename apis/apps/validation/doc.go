// Package validation holds the validation rules the apps kinds share (and that policy reuses):
// int-or-percent values and the pod template checks of replicated workloads.
package validation
