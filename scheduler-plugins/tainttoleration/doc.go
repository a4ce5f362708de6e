// Package tainttoleration is the TaintToleration plugin: it filters nodes with NoSchedule or
// NoExecute taints the pod doesn't tolerate and scores nodes by untolerated PreferNoSchedule taints.
package tainttoleration
