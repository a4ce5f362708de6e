// Package controllers runs skiff's controller manager: controller-runtime reconcilers, each in
// its own package, in one leader-elected manager.
package controllers
