// Package podstatus sets pod conditions and patches pod status the way upstream controllers do
// (the node lifecycle, taint eviction and pod GC controllers).
package podstatus
