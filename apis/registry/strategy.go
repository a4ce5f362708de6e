package registry

import (
	"context"
	"reflect"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/storage/names"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/skiff-sh/skiff/apis/scheme"
)

// Strategy is the behaviour most resources share; resource strategies embed it and override
// Validate, ValidateUpdate and the Prepare hooks where their kind needs more.
//
// Objects with a Spec and a Status field get upstream's status isolation: the main resource
// ignores status changes, the status subresource (StatusStrategy) ignores everything else, and a
// spec change bumps metadata.generation.
type Strategy struct {
	runtime.ObjectTyper
	names.NameGenerator

	// Namespaced tells whether the resource lives in namespaces.
	Namespaced bool
	// Versions are the served API versions ("apps/v1") the reset fields are reported for.
	Versions []string
	// TracksGeneration sets metadata.generation to 1 on create and bumps it when the spec
	// (everything but metadata and status) changes.
	TracksGeneration bool
}

// NewStrategy returns the base strategy of a resource served at versions.
func NewStrategy(namespaced, tracksGeneration bool, versions ...string) Strategy {
	return Strategy{
		ObjectTyper:      scheme.Scheme,
		NameGenerator:    names.SimpleNameGenerator,
		Namespaced:       namespaced,
		Versions:         versions,
		TracksGeneration: tracksGeneration,
	}
}

// NamespaceScoped reports whether the resource is namespaced.
func (s Strategy) NamespaceScoped() bool { return s.Namespaced }

// PrepareForCreate drops a status sent with the object and starts generation at 1.
func (s Strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	if status := fieldOf(obj, "Status"); status.IsValid() {
		status.Set(reflect.Zero(status.Type()))
	}
	if s.TracksGeneration {
		mustAccessor(obj).SetGeneration(1)
	}
}

// PrepareForUpdate keeps the stored status and bumps generation on a spec change.
func (s Strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	if status := fieldOf(obj, "Status"); status.IsValid() {
		status.Set(fieldOf(old, "Status"))
	}
	if s.TracksGeneration {
		BumpGenerationOnSpecChange(obj, old)
	}
}

// BumpGenerationOnSpecChange increments metadata.generation when anything but metadata and
// status differs between obj and old.
func BumpGenerationOnSpecChange(obj, old runtime.Object) {
	if !apiequality.Semantic.DeepEqual(specOf(obj), specOf(old)) {
		accessor := mustAccessor(obj)
		accessor.SetGeneration(mustAccessor(old).GetGeneration() + 1)
	}
}

// Validate has nothing to add to the metadata validation the registry always runs.
func (Strategy) Validate(context.Context, runtime.Object) field.ErrorList { return nil }

// ValidateUpdate has nothing to add to the metadata validation the registry always runs.
func (Strategy) ValidateUpdate(context.Context, runtime.Object, runtime.Object) field.ErrorList {
	return nil
}

// WarningsOnCreate returns no warnings.
func (Strategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }

// WarningsOnUpdate returns no warnings.
func (Strategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

// Canonicalize leaves the object as it is.
func (Strategy) Canonicalize(runtime.Object) {}

// AllowCreateOnUpdate is false: PUT of a missing object is a 404, as for most upstream kinds.
func (Strategy) AllowCreateOnUpdate(context.Context) bool { return false }

// AllowUnconditionalUpdate lets an update without resourceVersion overwrite.
func (Strategy) AllowUnconditionalUpdate(context.Context) bool { return true }

// GetResetFields tells server-side apply that the main resource owns no status fields.
func (s Strategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return s.resetFields(fieldpath.MakePathOrDie("status"))
}

func (s Strategy) resetFields(paths ...fieldpath.Path) map[fieldpath.APIVersion]*fieldpath.Set {
	fields := map[fieldpath.APIVersion]*fieldpath.Set{}
	for _, v := range s.Versions {
		fields[fieldpath.APIVersion(v)] = fieldpath.NewSet(paths...)
	}
	return fields
}

// StatusStrategy is the strategy of a status subresource: only status (and nothing in
// metadata but what upstream lets status writers change) is taken from the request.
type StatusStrategy struct {
	Strategy
}

// NewStatusStrategy returns the status strategy for the resource of s.
func NewStatusStrategy(s Strategy) StatusStrategy { return StatusStrategy{Strategy: s} }

// PrepareForUpdate keeps everything of old but the status.
func (s StatusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	KeepAllButStatus(obj, old)
}

// KeepAllButStatus copies every top-level field except metadata and status from old to obj
// and resets the metadata fields a status write may not change.
func KeepAllButStatus(obj, old runtime.Object) {
	nv, ov := reflect.ValueOf(obj).Elem(), reflect.ValueOf(old).Elem()
	for i := 0; i < nv.NumField(); i++ {
		switch nv.Type().Field(i).Name {
		case "TypeMeta", "ObjectMeta", "Status":
			continue
		}
		nv.Field(i).Set(ov.Field(i))
	}
	metav1.ResetObjectMetaForStatus(mustAccessor(obj), mustAccessor(old))
}

// ValidateUpdate has nothing to add for status writes.
func (StatusStrategy) ValidateUpdate(context.Context, runtime.Object, runtime.Object) field.ErrorList {
	return nil
}

// GetResetFields tells server-side apply that the status subresource owns only status.
func (s StatusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return s.resetFields(fieldpath.MakePathOrDie("spec"), fieldpath.MakePathOrDie("metadata"))
}

// fieldOf returns obj's top-level field name, or the zero Value when it has none.
func fieldOf(obj runtime.Object, name string) reflect.Value {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return v.Elem().FieldByName(name)
}

// specOf returns everything of obj but TypeMeta, ObjectMeta and Status, for comparison.
func specOf(obj runtime.Object) []any {
	v := reflect.ValueOf(obj).Elem()
	var spec []any
	for i := 0; i < v.NumField(); i++ {
		switch v.Type().Field(i).Name {
		case "TypeMeta", "ObjectMeta", "Status":
			continue
		}
		spec = append(spec, v.Field(i).Interface())
	}
	return spec
}

func mustAccessor(obj runtime.Object) metav1.Object {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		panic(err) // every served type has ObjectMeta; a missing one is a programming error
	}
	return accessor
}
