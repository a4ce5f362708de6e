// Package fieldpath resolves the downward API: a pod's fieldRef paths and a container's
// resourceFieldRef values, with upstream's formatting, rounding and error texts.
package fieldpath
