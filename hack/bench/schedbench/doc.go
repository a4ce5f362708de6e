// Command schedbench measures a scheduler on a cluster of simulated nodes: throughput on a
// backlog of pods created before the scheduler starts, then the create-to-bound latency of pods
// created at a steady rate, for plain pods, pods with a zone topology spread constraint and pods
// with required inter-pod anti-affinity. It starts the scheduler under test itself (any command:
// `skiff scheduler` or upstream kube-scheduler), so both are measured the same way.
package main
