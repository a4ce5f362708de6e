// Package config loads, defaults and validates the scheduler's KubeSchedulerConfiguration
// (kubescheduler.config.k8s.io/v1) as upstream kube-scheduler v1.37 does.
package config
