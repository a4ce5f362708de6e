// Package garbagecollector deletes objects whose owners are gone, with background, foreground and orphan propagation.
package garbagecollector
