// Package history keeps the ControllerRevisions of StatefulSets and DaemonSets (hashing, naming,
// ordering, creation with collision handling) and claims the objects such a controller owns.
package history
