// Package cronjob creates Jobs on CronJobs' schedules.
package cronjob
