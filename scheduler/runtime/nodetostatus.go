package runtime

import (
	fwk "k8s.io/kube-scheduler/framework"
)

// NodeToStatus holds the statuses of the nodes a pod did not fit, with one status for all
// nodes not listed (by default UnschedulableAndUnresolvable); it implements
// framework.NodeToStatusReader.
type NodeToStatus struct {
	nodeToStatus map[string]*fwk.Status
	absent       *fwk.Status
}

var _ fwk.NodeToStatusReader = &NodeToStatus{}

// NewDefaultNodeToStatus has no nodes and UnschedulableAndUnresolvable for absent ones.
func NewDefaultNodeToStatus() *NodeToStatus {
	return NewNodeToStatus(map[string]*fwk.Status{}, fwk.NewStatus(fwk.UnschedulableAndUnresolvable))
}

// NewNodeToStatus returns a NodeToStatus with the given statuses.
func NewNodeToStatus(m map[string]*fwk.Status, absent *fwk.Status) *NodeToStatus {
	return &NodeToStatus{nodeToStatus: m, absent: absent}
}

// Get returns nodeName's status, or the absent nodes' status.
func (m *NodeToStatus) Get(nodeName string) *fwk.Status {
	if s, ok := m.nodeToStatus[nodeName]; ok {
		return s
	}
	return m.absent
}

// Set records nodeName's status.
func (m *NodeToStatus) Set(nodeName string, s *fwk.Status) { m.nodeToStatus[nodeName] = s }

// Len is the number of nodes with an explicit status.
func (m *NodeToStatus) Len() int { return len(m.nodeToStatus) }

// AbsentNodesStatus is the status of nodes without an explicit one.
func (m *NodeToStatus) AbsentNodesStatus() *fwk.Status { return m.absent }

// SetAbsentNodesStatus sets the status of nodes without an explicit one.
func (m *NodeToStatus) SetAbsentNodesStatus(s *fwk.Status) { m.absent = s }

// ForEachExplicitNode calls fn for each node with an explicit status.
func (m *NodeToStatus) ForEachExplicitNode(fn func(nodeName string, s *fwk.Status)) {
	for n, s := range m.nodeToStatus {
		fn(n, s)
	}
}

// NodesForStatusCode returns the nodes whose status has code, absent nodes included.
func (m *NodeToStatus) NodesForStatusCode(lister fwk.NodeInfoLister, code fwk.Code) ([]fwk.NodeInfo, error) {
	var out []fwk.NodeInfo
	if m.absent.Code() == code {
		all, err := lister.List()
		if err != nil {
			return nil, err
		}
		if m.Len() == 0 {
			return all, nil
		}
		for _, n := range all {
			if m.Get(n.Node().Name).Code() == code {
				out = append(out, n)
			}
		}
		return out, nil
	}
	for name, s := range m.nodeToStatus {
		if s.Code() == code {
			if n, err := lister.Get(name); err == nil {
				out = append(out, n)
			}
		}
	}
	return out, nil
}
