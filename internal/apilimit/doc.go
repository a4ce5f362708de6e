// Package apilimit bounds how many API requests (other than watches) a client has in flight, so
// a busy client stays on one HTTP/2 connection instead of opening a TLS connection per 100
// concurrent requests.
package apilimit
