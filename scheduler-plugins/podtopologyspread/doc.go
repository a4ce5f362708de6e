// Package podtopologyspread is the PodTopologySpread plugin: DoNotSchedule topology spread
// constraints filter nodes and ScheduleAnyway ones score them, with the scheduler's default
// constraints for pods that declare none.
package podtopologyspread
