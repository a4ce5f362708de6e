// Package expectations records the creations and deletions a controller has asked for and not
// yet seen in its cache, so that it does not act twice on a stale cache (upstream's
// ControllerExpectations, used by the ReplicaSet, DaemonSet and Job controllers).
package expectations
