// Package config holds what the controller manager hands every controller: settings from flags
// and things shared between controllers (the cluster's root CA, the clock).
package config
