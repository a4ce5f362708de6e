// Package job is the registry of batch/v1 Jobs and their status subresource.
package job
