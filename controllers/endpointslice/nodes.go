package endpointslice

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	corelisters "k8s.io/client-go/listers/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// nodeLister serves client-go's NodeLister, which k8s.io/endpointslice's Reconciler reads
// zones from, out of the manager's cache.
type nodeLister struct {
	reader client.Reader
}

var _ corelisters.NodeLister = nodeLister{}

func (l nodeLister) List(selector labels.Selector) ([]*corev1.Node, error) {
	var list corev1.NodeList
	if err := l.reader.List(context.Background(), &list, client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, err
	}
	out := make([]*corev1.Node, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}

func (l nodeLister) Get(name string) (*corev1.Node, error) {
	var node corev1.Node
	if err := l.reader.Get(context.Background(), types.NamespacedName{Name: name}, &node); err != nil {
		return nil, err
	}
	return &node, nil
}
