// Package apis lists the API groups the skiff apiserver serves.
package apis
