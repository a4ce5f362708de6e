// Package cronjob is the registry of batch/v1 CronJobs and their status subresource.
package cronjob
