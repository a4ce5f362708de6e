package event

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	coreevent "github.com/skiff-sh/skiff/apis/core/event"
)

var eventsGV = eventsv1.SchemeGroupVersion

func newEvent() *eventsv1.Event {
	now := metav1.NewMicroTime(time.Now())
	return &eventsv1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: "ev", Namespace: "ns"},
		EventTime:           now,
		Series:              &eventsv1.EventSeries{Count: 2, LastObservedTime: now},
		ReportingController: "example.com/controller",
		ReportingInstance:   "instance-1",
		Action:              "Scaling",
		Reason:              "Scaled",
		Regarding:           corev1.ObjectReference{Kind: "Deployment", Namespace: "ns", Name: "web"},
		Related:             &corev1.ObjectReference{Kind: "ReplicaSet", Name: "web-1"},
		Note:                "scaled up",
		Type:                corev1.EventTypeNormal,
	}
}

func TestConversionThroughScheme(t *testing.T) {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, eventsv1.AddToScheme, AddToScheme} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	in := newEvent()
	internal, err := s.ConvertToVersion(in.DeepCopy(), schema.GroupVersion{Group: eventsGV.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		t.Fatal(err)
	}
	core := internal.(*corev1.Event)
	if core.Message != "scaled up" || core.InvolvedObject.Name != "web" || core.Series.Count != 2 || core.Related.Name != "web-1" {
		t.Fatalf("unexpected core event: %+v", core)
	}
	// Back to events.k8s.io/v1, and through the list types.
	out, err := s.ConvertToVersion(core, eventsGV)
	if err != nil {
		t.Fatal(err)
	}
	back := out.(*eventsv1.Event)
	back.TypeMeta = in.TypeMeta
	if !apiequality.Semantic.DeepEqual(back, in) {
		t.Fatalf("round trip changed the event:\n%+v\n%+v", back, in)
	}
	list, err := s.ConvertToVersion(&corev1.EventList{Items: []corev1.Event{*core}}, eventsGV)
	if err != nil {
		t.Fatal(err)
	}
	if items := list.(*eventsv1.EventList).Items; len(items) != 1 || items[0].Note != "scaled up" {
		t.Fatalf("unexpected list: %+v", list)
	}
	// A core/v1 event stays what it is for the core group.
	if out, err := s.ConvertToVersion(core, corev1.SchemeGroupVersion); err != nil || out.(*corev1.Event) == nil {
		t.Fatalf("core conversion: %v", err)
	}
	label, value, err := s.ConvertFieldLabel(eventsGV.WithKind("Event"), "regarding.name", "web")
	if err != nil || label != "involvedObject.name" || value != "web" {
		t.Fatalf("field label: %s %s %v", label, value, err)
	}
	if _, _, err := s.ConvertFieldLabel(eventsGV.WithKind("Event"), "note", "x"); err == nil {
		t.Fatal("note is no field selector")
	}
}

func toCore(e *eventsv1.Event) *corev1.Event {
	out := &corev1.Event{}
	ToCore(e, out)
	return out
}

// TestValidation checks that the shared event strategy applies the strict rules to requests of
// events.k8s.io/v1 and the legacy ones to core/v1.
func TestValidation(t *testing.T) {
	e := toCore(newEvent())
	if errs := coreevent.ValidateCreate(e, eventsGV); len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	e.Type, e.ReportingController = "Info", ""
	errs := coreevent.ValidateCreate(e, eventsGV)
	fields := map[string]bool{}
	for _, err := range errs {
		fields[err.Field] = true
	}
	if !fields["type"] || !fields["reportingController"] {
		t.Fatalf("want errors at type and reportingController, got %v", errs)
	}
	for _, err := range coreevent.ValidateCreate(e, corev1.SchemeGroupVersion) {
		if err.Field != "reportingComponent" {
			t.Fatalf("want errors at reportingComponent only via core/v1, got %v", err)
		}
	}
}
