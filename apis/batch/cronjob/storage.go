package cronjob

import (
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the cronjobs resource with its status subresource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   batchv1.Resource("cronjobs"),
		Singular:   "cronjob",
		New:        func() runtime.Object { return &batchv1.CronJob{} },
		NewList:    func() runtime.Object { return &batchv1.CronJobList{} },
		Strategy:   Strategy,
		ShortNames: []string{"cj"},
		Categories: []string{"all"},
		Table:      table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"cronjobs":        store,
		"cronjobs/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}

var table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Schedule", Type: "string", Description: batchv1.CronJobSpec{}.SwaggerDoc()["schedule"]},
		{Name: "Timezone", Type: "string", Description: batchv1.CronJobSpec{}.SwaggerDoc()["timeZone"]},
		{Name: "Suspend", Type: "boolean", Description: batchv1.CronJobSpec{}.SwaggerDoc()["suspend"]},
		{Name: "Active", Type: "integer", Description: batchv1.CronJobStatus{}.SwaggerDoc()["active"]},
		{Name: "Last Schedule", Type: "string", Description: batchv1.CronJobStatus{}.SwaggerDoc()["lastScheduleTime"]},
		registry.AgeColumn,
		{Name: "Containers", Type: "string", Priority: 1, Description: "Names of each container in the template."},
		{Name: "Images", Type: "string", Priority: 1, Description: "Images referenced by each container in the template."},
		{Name: "Selector", Type: "string", Priority: 1, Description: batchv1.JobSpec{}.SwaggerDoc()["selector"]},
	},
	Row: func(obj runtime.Object) ([]any, error) {
		cj := obj.(*batchv1.CronJob)
		lastSchedule := "<none>"
		if t := cj.Status.LastScheduleTime; t != nil {
			lastSchedule = registry.Age(*t)
		}
		timeZone := "<none>"
		if cj.Spec.TimeZone != nil {
			timeZone = *cj.Spec.TimeZone
		}
		suspend := "<unset>"
		if cj.Spec.Suspend != nil {
			suspend = "False"
			if *cj.Spec.Suspend {
				suspend = "True"
			}
		}
		template := &cj.Spec.JobTemplate.Spec
		names, images := appsvalidation.ContainerCells(template.Template.Spec.Containers)
		return []any{
			cj.Spec.Schedule, timeZone, suspend, int64(len(cj.Status.Active)), lastSchedule, registry.AgeOf(cj),
			names, images, metav1.FormatLabelSelector(template.Selector),
		}, nil
	},
}
