package envvars

import "testing"

func TestExpand(t *testing.T) {
	env := map[string]string{"VAR_A": "A", "VAR_B": "B", "EMPTY": "", "NESTED": "$(VAR_A)"}
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"$(VAR_A)", "A"},
		{"___$(VAR_A)___", "___A___"},
		{"$(VAR_A)$(VAR_B)", "AB"},
		{"$(VAR_A)-$(VAR_B)-$(UNKNOWN)", "A-B-$(UNKNOWN)"},
		{"$(EMPTY)x", "x"},
		{"$$(VAR_A)", "$(VAR_A)"},
		{"$$$(VAR_A)", "$A"},
		{"$$$$(VAR_A)", "$$(VAR_A)"},
		{"$(NESTED)", "$(VAR_A)"},
		{"$VAR_A", "$VAR_A"},
		{"$", "$"},
		{"x$", "x$"},
		{"$(VAR_A", "$(VAR_A"},
		{"$()", "$()"},
		{"$(VAR_A)$", "A$"},
		{"$é", "$é"},
		{"$(VAR_A))", "A)"},
		{"(($(VAR_A)))", "((A))"},
		{"$(  )", "$(  )"},
	}
	for _, tt := range tests {
		if got := Expand(tt.in, env); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExpandFuncSeesNames(t *testing.T) {
	var seen []string
	got := ExpandFunc("a/$(X)/$(Y)/$$(Z)", func(name string) string { seen = append(seen, name); return "v" })
	if got != "a/v/v/$(Z)" || len(seen) != 2 || seen[0] != "X" || seen[1] != "Y" {
		t.Errorf("got %q, names %v", got, seen)
	}
}
