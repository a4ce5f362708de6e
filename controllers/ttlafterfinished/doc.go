// Package ttlafterfinished deletes finished Jobs once their ttlSecondsAfterFinished has passed.
package ttlafterfinished
