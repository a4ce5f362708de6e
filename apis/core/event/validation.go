package event

import (
	"fmt"
	"reflect"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1beta1 "k8s.io/api/events/v1beta1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

const (
	reportingInstanceLengthLimit = 128
	actionLengthLimit            = 128
	reasonLengthLimit            = 128
	noteLengthLimit              = 1024
)

// isLegacy tells whether requests of version gv get only the lenient core/v1 rules.
func isLegacy(gv schema.GroupVersion) bool {
	return gv == corev1.SchemeGroupVersion || gv == eventsv1beta1.SchemeGroupVersion
}

// ValidateCreate checks an Event created through API version gv: core/v1 (and
// events.k8s.io/v1beta1) get the legacy rules, events.k8s.io/v1 the strict ones.
func ValidateCreate(event *corev1.Event, gv schema.GroupVersion) field.ErrorList {
	errs := legacyValidate(event, gv)
	if isLegacy(gv) {
		return errs
	}
	errs = append(errs, validate.ObjectMeta(&event.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
	errs = append(errs, validateSeries(event)...)
	if event.EventTime.IsZero() {
		errs = append(errs, field.Required(field.NewPath("eventTime"), ""))
	}
	if event.Type != corev1.EventTypeNormal && event.Type != corev1.EventTypeWarning {
		errs = append(errs, field.Invalid(field.NewPath("type"), "", fmt.Sprintf("has invalid value: %v", event.Type)))
	}
	if !event.FirstTimestamp.IsZero() {
		errs = append(errs, field.Invalid(field.NewPath("firstTimestamp"), "", "needs to be unset"))
	}
	if !event.LastTimestamp.IsZero() {
		errs = append(errs, field.Invalid(field.NewPath("lastTimestamp"), "", "needs to be unset"))
	}
	if event.Count != 0 {
		errs = append(errs, field.Invalid(field.NewPath("count"), "", "needs to be unset"))
	}
	if event.Source.Component != "" || event.Source.Host != "" {
		errs = append(errs, field.Invalid(field.NewPath("source"), "", "needs to be unset"))
	}
	return errs
}

// ValidateUpdate checks an Event update; with events.k8s.io/v1 most fields are immutable.
func ValidateUpdate(event, old *corev1.Event, gv schema.GroupVersion) field.ErrorList {
	errs := legacyValidate(event, gv)
	if isLegacy(gv) {
		return errs
	}
	errs = append(errs, validate.ObjectMetaUpdate(&event.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
	if !reflect.DeepEqual(event.Series, old.Series) {
		errs = append(errs, validateSeries(event)...)
	}
	immutable := func(newVal, oldVal any, name string) {
		errs = append(errs, apimachineryvalidation.ValidateImmutableField(newVal, oldVal, field.NewPath(name))...)
	}
	// Object references and the source print as upstream's internal types (Go field names).
	immutableStruct := func(newVal, oldVal any, name string) {
		errs = append(errs, corevalidation.ValidateImmutableField(newVal, oldVal, field.NewPath(name))...)
	}
	// Upstream checks reason twice; its responses drop repeated errors (registry.Strategy.ValidateDeclaratively does the same).
	immutableStruct(event.InvolvedObject, old.InvolvedObject, "involvedObject")
	immutable(event.Reason, old.Reason, "reason")
	immutable(event.Message, old.Message, "message")
	immutableStruct(event.Source, old.Source, "source")
	immutable(event.FirstTimestamp, old.FirstTimestamp, "firstTimestamp")
	immutable(event.LastTimestamp, old.LastTimestamp, "lastTimestamp")
	immutable(event.Count, old.Count, "count")
	immutable(event.Type, old.Type, "type")
	if !event.EventTime.Truncate(time.Microsecond).UTC().Equal(old.EventTime.Truncate(time.Microsecond).UTC()) {
		immutable(event.EventTime, old.EventTime, "eventTime")
	}
	immutable(event.Action, old.Action, "action")
	immutableStruct(event.Related, old.Related, "related")
	immutable(event.ReportingController, old.ReportingController, "reportingController")
	immutable(event.ReportingInstance, old.ReportingInstance, "reportingInstance")
	return errs
}

func validateSeries(event *corev1.Event) field.ErrorList {
	var errs field.ErrorList
	if event.Series != nil {
		if event.Series.Count < 2 {
			errs = append(errs, field.Invalid(field.NewPath("series.count"), "", "should be at least 2"))
		}
		if event.Series.LastObservedTime.IsZero() {
			errs = append(errs, field.Required(field.NewPath("series.lastObservedTime"), ""))
		}
	}
	return errs
}

func legacyValidate(event *corev1.Event, gv schema.GroupVersion) field.ErrorList {
	var errs field.ErrorList
	reportingController := "reportingController"
	if gv == corev1.SchemeGroupVersion {
		reportingController = "reportingComponent"
	}
	nsPath := field.NewPath("involvedObject", "namespace")
	if event.EventTime.IsZero() {
		if len(event.InvolvedObject.Namespace) == 0 {
			if event.Namespace != metav1.NamespaceNone && event.Namespace != metav1.NamespaceDefault {
				errs = append(errs, field.Invalid(nsPath, event.InvolvedObject.Namespace, "does not match event.namespace"))
			}
		} else if event.Namespace != event.InvolvedObject.Namespace {
			errs = append(errs, field.Invalid(nsPath, event.InvolvedObject.Namespace, "does not match event.namespace"))
		}
		return errs
	}
	if len(event.InvolvedObject.Namespace) == 0 && event.Namespace != metav1.NamespaceDefault && event.Namespace != metav1.NamespaceSystem {
		errs = append(errs, field.Invalid(nsPath, event.InvolvedObject.Namespace, "does not match event.namespace"))
	}
	if len(event.ReportingController) == 0 {
		errs = append(errs, field.Required(field.NewPath(reportingController), ""))
	}
	errs = append(errs, validate.QualifiedName(event.ReportingController, field.NewPath(reportingController))...)
	if len(event.ReportingInstance) == 0 {
		errs = append(errs, field.Required(field.NewPath("reportingInstance"), ""))
	}
	if len(event.ReportingInstance) > reportingInstanceLengthLimit {
		errs = append(errs, field.Invalid(field.NewPath("reportingInstance"), "", fmt.Sprintf("can have at most %v characters", reportingInstanceLengthLimit)))
	}
	if len(event.Action) == 0 {
		errs = append(errs, field.Required(field.NewPath("action"), ""))
	}
	if len(event.Action) > actionLengthLimit {
		errs = append(errs, field.Invalid(field.NewPath("action"), "", fmt.Sprintf("can have at most %v characters", actionLengthLimit)))
	}
	if len(event.Reason) == 0 {
		errs = append(errs, field.Required(field.NewPath("reason"), ""))
	}
	if len(event.Reason) > reasonLengthLimit {
		errs = append(errs, field.Invalid(field.NewPath("reason"), "", fmt.Sprintf("can have at most %v characters", reasonLengthLimit)))
	}
	if len(event.Message) > noteLengthLimit {
		errs = append(errs, field.Invalid(field.NewPath("message"), "", fmt.Sprintf("can have at most %v characters", noteLengthLimit)))
	}
	return errs
}
