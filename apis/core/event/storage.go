package event

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/core/internal/table"
	"github.com/skiff-sh/skiff/apis/registry"
)

// TTL is how long events live, kube-apiserver's default --event-ttl.
const TTL = time.Hour

// NewStorage returns the events resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:         corev1.Resource("events"),
		Singular:         "event",
		New:              func() runtime.Object { return &corev1.Event{} },
		NewList:          func() runtime.Object { return &corev1.EventList{} },
		Strategy:         Strategy,
		SelectableFields: SelectableFields,
		ShortNames:       []string{"ev"},
		Table:            Table{},
	})
	if err != nil {
		return nil, err
	}
	store.TTLFunc = func(runtime.Object, uint64, bool) (uint64, error) { return uint64(TTL.Seconds()), nil }
	return registry.Resources{"events": store}, nil
}

// SelectableFields are core/v1's event field selectors.
func SelectableFields(obj runtime.Object) fields.Set {
	e := obj.(*corev1.Event)
	source := e.Source.Component
	if source == "" {
		source = e.ReportingController
	}
	return fields.Set{
		"involvedObject.kind":            e.InvolvedObject.Kind,
		"involvedObject.namespace":       e.InvolvedObject.Namespace,
		"involvedObject.name":            e.InvolvedObject.Name,
		"involvedObject.uid":             string(e.InvolvedObject.UID),
		"involvedObject.apiVersion":      e.InvolvedObject.APIVersion,
		"involvedObject.resourceVersion": e.InvolvedObject.ResourceVersion,
		"involvedObject.fieldPath":       e.InvolvedObject.FieldPath,
		"reason":                         e.Reason,
		"reportingComponent":             e.ReportingController,
		"source":                         source,
		"type":                           e.Type,
	}
}

// Table renders events as kubectl get does: last seen first, the name last (wide).
type Table struct{}

var columns = []metav1.TableColumnDefinition{
	table.Column("Last Seen", corev1.Event{}.SwaggerDoc()["lastTimestamp"], 0),
	table.Column("Type", corev1.Event{}.SwaggerDoc()["type"], 0),
	table.Column("Reason", corev1.Event{}.SwaggerDoc()["reason"], 0),
	table.Column("Object", corev1.Event{}.SwaggerDoc()["involvedObject"], 0),
	table.Column("Subobject", corev1.ObjectReference{}.SwaggerDoc()["fieldPath"], 1),
	table.Column("Source", corev1.Event{}.SwaggerDoc()["source"], 1),
	table.Column("Message", corev1.Event{}.SwaggerDoc()["message"], 0),
	table.Column("First Seen", corev1.Event{}.SwaggerDoc()["firstTimestamp"], 1),
	table.Column("Count", corev1.Event{}.SwaggerDoc()["count"], 1),
	{Name: "Name", Type: "string", Format: "name", Priority: 1, Description: metav1.ObjectMeta{}.SwaggerDoc()["name"]},
}

// ConvertToTable implements rest.TableConvertor.
func (Table) ConvertToTable(_ context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	t := &metav1.Table{}
	if opts, ok := tableOptions.(*metav1.TableOptions); !ok || !opts.NoHeaders {
		t.ColumnDefinitions = columns
	}
	add := func(obj runtime.Object) error {
		e, ok := obj.(*corev1.Event)
		if !ok {
			return fmt.Errorf("unexpected %T in event table", obj)
		}
		t.Rows = append(t.Rows, metav1.TableRow{Cells: row(e), Object: runtime.RawExtension{Object: e}})
		return nil
	}
	if meta.IsListType(object) {
		if err := meta.EachListItem(object, add); err != nil {
			return nil, err
		}
		if list, err := meta.ListAccessor(object); err == nil {
			t.ResourceVersion, t.Continue, t.RemainingItemCount = list.GetResourceVersion(), list.GetContinue(), list.GetRemainingItemCount()
		}
	} else {
		if err := add(object); err != nil {
			return nil, err
		}
		if accessor, err := meta.Accessor(object); err == nil {
			t.ResourceVersion = accessor.GetResourceVersion()
		}
	}
	return t, nil
}

func since(t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t))
}

func row(e *corev1.Event) []any {
	first := since(e.FirstTimestamp.Time)
	if e.FirstTimestamp.IsZero() {
		first = since(e.EventTime.Time)
	}
	last := since(e.LastTimestamp.Time)
	if e.LastTimestamp.IsZero() {
		last = first
	}
	count := e.Count
	if e.Series != nil {
		last = since(e.Series.LastObservedTime.Time)
		count = e.Series.Count
	} else if count == 0 {
		count = 1 // singleton events of the new API carry no count
	}
	target := strings.ToLower(e.InvolvedObject.Kind)
	if len(e.InvolvedObject.Name) > 0 {
		target += "/" + e.InvolvedObject.Name
	}
	component, instance := e.Source.Component, e.Source.Host
	if component == "" {
		component = e.ReportingController
	}
	if instance == "" {
		instance = e.ReportingInstance
	}
	source := component
	if instance != "" {
		source += ", " + instance
	}
	return []any{last, e.Type, e.Reason, target, e.InvolvedObject.FieldPath, source, strings.TrimSpace(e.Message), first, int64(count), e.Name}
}
