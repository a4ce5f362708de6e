package event

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestValidateCreate(t *testing.T) {
	core, events := corev1.SchemeGroupVersion, eventsv1.SchemeGroupVersion
	now := metav1.NewMicroTime(time.Now())
	cases := []struct {
		name  string
		event corev1.Event
		gv    schema.GroupVersion
		paths []string
	}{
		{"legacy", corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "ns"}, InvolvedObject: corev1.ObjectReference{Namespace: "ns"}}, core, nil},
		{"legacy namespace mismatch", corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "ns"}, InvolvedObject: corev1.ObjectReference{Namespace: "other"}}, core, []string{"involvedObject.namespace"}},
		{"legacy cluster object in default", corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "default"}}, core, nil},
		{"legacy cluster object elsewhere", corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "ns"}}, core, []string{"involvedObject.namespace"}},
		{"core with eventTime needs reporting fields", corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "ns"}, EventTime: now,
			InvolvedObject: corev1.ObjectReference{Namespace: "ns"}}, core, []string{"reportingComponent", "reportingComponent", "reportingComponent", "reportingInstance", "action", "reason"}},
		{"events.k8s.io/v1 valid", corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "ns"}, EventTime: now, Type: "Normal",
			InvolvedObject: corev1.ObjectReference{Namespace: "ns"}, ReportingController: "a.io/b", ReportingInstance: "i", Action: "a", Reason: "r"}, events, nil},
		{"events.k8s.io/v1 count set", corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "ns"}, EventTime: now, Type: "Normal", Count: 2,
			InvolvedObject: corev1.ObjectReference{Namespace: "ns"}, ReportingController: "a.io/b", ReportingInstance: "i", Action: "a", Reason: "r"}, events, []string{"count"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := ValidateCreate(&tc.event, tc.gv)
			if len(errs) != len(tc.paths) {
				t.Fatalf("got %v, want %v", errs, tc.paths)
			}
			for i, p := range tc.paths {
				if errs[i].Field != p {
					t.Errorf("error %d at %s, want %s", i, errs[i].Field, p)
				}
			}
		})
	}
}

func TestSelectableFieldsAndTable(t *testing.T) {
	e := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "ns"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "web", Namespace: "ns", FieldPath: "spec.containers{app}"},
		Reason:         "BackOff", Message: " restarting \n", Type: "Warning", ReportingController: "kubelet", ReportingInstance: "node-1",
		FirstTimestamp: metav1.NewTime(time.Now().Add(-time.Hour)), LastTimestamp: metav1.NewTime(time.Now().Add(-time.Minute)), Count: 4}
	set := SelectableFields(e)
	if set["source"] != "kubelet" || set["reportingComponent"] != "kubelet" || set["involvedObject.fieldPath"] != "spec.containers{app}" {
		t.Errorf("fields %v", set)
	}
	tbl, err := Table{}.ConvertToTable(context.Background(), &corev1.EventList{Items: []corev1.Event{*e}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range tbl.ColumnDefinitions {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "Last Seen,Type,Reason,Object,Subobject,Source,Message,First Seen,Count,Name" {
		t.Errorf("columns %v", names)
	}
	want := []any{"60s", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, node-1", "restarting", "60m", int64(4), "e"}
	for i, cell := range tbl.Rows[0].Cells {
		if cell != want[i] {
			t.Errorf("cell %d = %v, want %v", i, cell, want[i])
		}
	}
	if _, err := (Table{}).ConvertToTable(context.Background(), &corev1.Pod{}, nil); err == nil {
		t.Error("non-event accepted")
	}
	var _ runtime.Object = e
}

// An events.k8s.io/v1 update may not change what the event is about; the reference prints as
// upstream's internal ObjectReference, and reason is reported once.
func TestValidateUpdateImmutable(t *testing.T) {
	old := &corev1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: "upd.event", Namespace: "default", ResourceVersion: "1"},
		EventTime:           metav1.NewMicroTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
		ReportingController: "example.com/controller", ReportingInstance: "controller-0",
		Action: "Scaling", Reason: "ScalingReplicaSet", Type: corev1.EventTypeNormal,
		InvolvedObject: corev1.ObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Namespace: "default"},
	}
	event := old.DeepCopy()
	event.Reason, event.Message, event.InvolvedObject.Name = "Changed", "changed", "api"
	got := map[string]string{}
	for _, err := range ValidateUpdate(event, old, eventsv1.SchemeGroupVersion) {
		if _, dup := got[err.Field]; dup {
			t.Errorf("%s reported twice", err.Field)
		}
		got[err.Field] = err.Error()
	}
	want := map[string]string{
		"involvedObject": `involvedObject: Invalid value: {"Kind":"Deployment","Namespace":"default","Name":"api","UID":"","APIVersion":"apps/v1","ResourceVersion":"","FieldPath":""}: field is immutable`,
		"reason":         `reason: Invalid value: "Changed": field is immutable`,
		"message":        `message: Invalid value: "changed": field is immutable`,
	}
	if len(got) != len(want) {
		t.Errorf("errors = %q", got)
	}
	for f, msg := range want {
		if got[f] != msg {
			t.Errorf("%s: got %q, want %q", f, got[f], msg)
		}
	}
	if errs := ValidateUpdate(event, old, corev1.SchemeGroupVersion); len(errs) != 0 {
		t.Errorf("core/v1 updates may change anything: %v", errs)
	}
}
