package kubelet

import (
	"slices"
	"testing"
)

// The expansion itself is envvars.Expand's (tested there); here: command and args use it
// element by element, with the container's env, and nil stays nil (no command: the image's).
func TestExpandAll(t *testing.T) {
	env := map[string]string{"A": "apple", "B": "$(A)"}
	tests := []struct {
		name     string
		in, want []string
	}{
		{"nil", nil, nil},
		{"each element", []string{"echo", "$(A)", "x$(B)"}, []string{"echo", "apple", "x$(A)"}},
		{"escapes and unknowns", []string{"$$(A)", "$(NOPE)"}, []string{"$(A)", "$(NOPE)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := expandAll(tt.in, env)
			if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("expandAll(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
