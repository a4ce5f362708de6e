// Package job runs Jobs' pods to completion.
package job
