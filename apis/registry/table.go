package registry

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apiserver/pkg/registry/rest"
)

// Table renders objects of one kind as the rows `kubectl get` prints: a Name column first,
// then Columns filled in by Row.
type Table struct {
	// Columns are the columns after Name; Priority 1 columns show only with -o wide.
	Columns []metav1.TableColumnDefinition
	// Row returns the cells of obj for Columns.
	Row func(obj runtime.Object) ([]any, error)
}

var _ rest.TableConvertor = Table{}

var nameColumn = metav1.TableColumnDefinition{
	Name: "Name", Type: "string", Format: "name",
	Description: metav1.ObjectMeta{}.SwaggerDoc()["name"],
}

// AgeColumn is the usual last column.
var AgeColumn = metav1.TableColumnDefinition{
	Name: "Age", Type: "string",
	Description: metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"],
}

// Column is shorthand for a column definition.
func Column(name, typ string, priority int32) metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: name, Type: typ, Priority: priority}
}

// ConvertToTable implements rest.TableConvertor.
func (t Table) ConvertToTable(_ context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	table := &metav1.Table{}
	if opts, ok := tableOptions.(*metav1.TableOptions); !ok || !opts.NoHeaders {
		table.ColumnDefinitions = append([]metav1.TableColumnDefinition{nameColumn}, t.Columns...)
	}
	addRow := func(obj runtime.Object) error {
		accessor, err := meta.Accessor(obj)
		if err != nil {
			return err
		}
		cells, err := t.Row(obj)
		if err != nil {
			return err
		}
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells:  append([]any{accessor.GetName()}, cells...),
			Object: runtime.RawExtension{Object: obj},
		})
		return nil
	}
	if meta.IsListType(object) {
		if err := meta.EachListItem(object, addRow); err != nil {
			return nil, err
		}
	} else if err := addRow(object); err != nil {
		return nil, err
	}
	if list, err := meta.ListAccessor(object); err == nil {
		table.ResourceVersion = list.GetResourceVersion()
		table.Continue = list.GetContinue()
		table.RemainingItemCount = list.GetRemainingItemCount()
	} else if accessor, err := meta.Accessor(object); err == nil {
		table.ResourceVersion = accessor.GetResourceVersion()
	}
	return table, nil
}

// Age renders the time since a timestamp as kubectl does ("5m", "2d3h"), "<unknown>" for none.
func Age(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}

// AgeOf renders the age of obj.
func AgeOf(obj runtime.Object) string {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return "<unknown>"
	}
	return Age(accessor.GetCreationTimestamp())
}
