// Package nodename is the NodeName plugin: a pod with spec.nodeName fits only that node.
package nodename
