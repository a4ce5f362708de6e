// Package helper holds small functions the scheduler plugins share: typed event objects,
// score normalisation, taint filters and host ports.
package helper
