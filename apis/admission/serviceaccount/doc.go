// Package serviceaccount is the ServiceAccount admission plugin: pods get spec.serviceAccountName
// "default" when they name none, must name a ServiceAccount that exists, and get the projected
// kube-api-access volume mounted in every container unless automounting is turned off.
package serviceaccount
