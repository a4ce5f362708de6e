// Package scheduler is skiff's scheduling loop: a queue, a cache of nodes and pods with assumed
// pods, and a framework runtime that runs plugins written against k8s.io/kube-scheduler/framework,
// configured by a KubeSchedulerConfiguration (k8s.io/kube-scheduler/config/v1).
package scheduler
