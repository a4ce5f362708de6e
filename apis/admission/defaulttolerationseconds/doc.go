// Package defaulttolerationseconds is the DefaultTolerationSeconds admission plugin: pods
// tolerate the not-ready and unreachable NoExecute taints for 300 seconds unless they say
// otherwise.
package defaulttolerationseconds
