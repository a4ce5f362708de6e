// Package queue is the scheduler's queue of pending pods: an active heap ordered by the
// QueueSort plugin, a backoff heap, and a pool of unschedulable pods moved back by cluster
// events (filtered by the rejecting plugins' queueing hints) or after five minutes.
package queue
