package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// verdict is how the two answers to one case relate.
type verdict string

const (
	identical  verdict = "same"
	equivalent verdict = "equivalent" // both errors with the same code, reason and causes; messages differ
	different  verdict = "different"
)

// comparison is the verdict for one case plus the lines explaining it.
type comparison struct {
	verdict verdict
	summary string
	details []string
}

func compare(a, b *result, maxLines int) comparison {
	switch {
	case a.ok() && b.ok():
		return compareObjects(a, b, maxLines)
	case !a.ok() && !b.ok():
		return compareErrors(a, b)
	default:
		c := comparison{verdict: different, summary: fmt.Sprintf("%s vs %s", describe(a), describe(b))}
		for _, r := range []struct {
			tag string
			res *result
		}{{"-", a}, {"+", b}} {
			if !r.res.ok() {
				c.details = append(c.details, r.tag+" error: "+truncate(errorText(r.res), 300))
				c.details = append(c.details, prefixed(r.tag+" cause: ", causes(r.res))...)
			}
		}
		return c
	}
}

func compareObjects(a, b *result, maxLines int) comparison {
	c := comparison{verdict: identical, summary: fmt.Sprintf("%d vs %d", a.code, b.code)}
	if a.code != b.code {
		c.verdict = different
	}
	fa, fb := flatten(a.object), flatten(b.object)
	lines := lineDiff(fa, fb)
	lines = append(lines, lineDiff(prefixed("warning: ", a.warnings), prefixed("warning: ", b.warnings))...)
	if len(lines) > 0 {
		c.verdict = different
		if len(lines) > maxLines {
			n := len(lines) - maxLines
			lines = append(lines[:maxLines], fmt.Sprintf("... %d more differing lines", n))
		}
		c.details = lines
	}
	return c
}

func compareErrors(a, b *result) comparison {
	ca, cb := causes(a), causes(b)
	codeMatch := a.code == b.code && reason(a) == reason(b)
	causesMatch := strings.Join(ca, "\n") == strings.Join(cb, "\n")
	c := comparison{summary: fmt.Sprintf("%s vs %s; code %s; causes (field: reason) %s", describe(a), describe(b),
		matchWord(codeMatch), matchWord(causesMatch))}
	switch {
	case !codeMatch || !causesMatch:
		c.verdict = different
		c.details = append(c.details, lineDiff(prefixed("cause: ", ca), prefixed("cause: ", cb))...)
	case errorText(a) != errorText(b):
		c.verdict = equivalent
	default:
		c.verdict = identical
	}
	if c.verdict == identical {
		c.details = prefixed("cause: ", ca)
	}
	if errorText(a) != errorText(b) {
		c.details = append(c.details, "- message: "+truncate(errorText(a), 300), "+ message: "+truncate(errorText(b), 300))
	}
	c.details = append(c.details, lineDiff(prefixed("warning: ", a.warnings), prefixed("warning: ", b.warnings))...)
	if len(a.warnings) != len(b.warnings) || strings.Join(a.warnings, "\n") != strings.Join(b.warnings, "\n") {
		c.verdict = different
	}
	return c
}

func matchWord(ok bool) string {
	if ok {
		return "match"
	}
	return "DIFFER"
}

func describe(r *result) string {
	if r.ok() {
		return fmt.Sprintf("%d", r.code)
	}
	if r.status != nil {
		return fmt.Sprintf("%d %s", r.code, r.status.Reason)
	}
	if r.code != 0 {
		return fmt.Sprintf("%d (%s)", r.code, truncate(r.err, 80))
	}
	return "error (" + truncate(r.err, 80) + ")"
}

func reason(r *result) string {
	if r.status == nil {
		return ""
	}
	return string(r.status.Reason)
}

// errorText is the error's message. When the error lists causes, their sorted messages are used
// instead of the top-level message, whose order follows Go map iteration (e.g. invalid labels) and so
// varies from one request to the next even on one server.
func errorText(r *result) string {
	if r.status == nil {
		return r.err
	}
	if r.status.Details == nil || len(r.status.Details.Causes) == 0 {
		return r.status.Message
	}
	var msgs []string
	for _, c := range r.status.Details.Causes {
		msgs = append(msgs, fmt.Sprintf("%s: %s", c.Field, c.Message))
	}
	sort.Strings(msgs)
	return strings.Join(msgs, "; ")
}

// causes lists an error's causes as sorted "field: reason" strings.
func causes(r *result) []string {
	if r.status == nil || r.status.Details == nil {
		return nil
	}
	var out []string
	for _, c := range r.status.Details.Causes {
		out = append(out, fmt.Sprintf("%s: %s", c.Field, c.Type))
	}
	sort.Strings(out)
	return out
}

func prefixed(p string, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = p + l
	}
	return out
}

// flatten turns a decoded JSON value into sorted "path = value" lines.
func flatten(v any) []string {
	var out []string
	var rec func(path string, v any)
	rec = func(path string, v any) {
		switch t := v.(type) {
		case map[string]any:
			if len(t) == 0 {
				out = append(out, path+" = {}")
			}
			for k, e := range t {
				p := k
				if path != "" {
					p = path + "." + k
				}
				rec(p, e)
			}
		case []any:
			if len(t) == 0 {
				out = append(out, path+" = []")
			}
			for i, e := range t {
				rec(fmt.Sprintf("%s[%d]", path, i), e)
			}
		default:
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(t)
			out = append(out, path+" = "+strings.TrimSuffix(buf.String(), "\n"))
		}
	}
	rec("", v)
	sort.Strings(out)
	return out
}

// lineDiff returns the lines only in a (prefixed "- ") and only in b ("+ "), in sorted order.
func lineDiff(a, b []string) []string {
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		count[l]--
	}
	var out []string
	seen := map[string]bool{}
	for _, l := range append(append([]string{}, a...), b...) {
		if seen[l] {
			continue
		}
		seen[l] = true
		n := count[l]
		for ; n > 0; n-- {
			out = append(out, "- "+l)
		}
		for ; n < 0; n++ {
			out = append(out, "+ "+l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i][2:] < out[j][2:] })
	return out
}

func truncate(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
