// Package pause builds the pod sandbox ("pause") program: a tiny static Linux executable that waits
// for signals, reaps zombie children on SIGCHLD and exits 0 on SIGTERM or SIGINT.
package pause
