package controllers

import "testing"

func TestEnabled(t *testing.T) {
	on := Controller{Name: "deployment"}
	off := Controller{Name: "extra", DisabledByDefault: true}
	tests := []struct {
		name string
		list []string
		c    Controller
		want bool
	}{
		{"star enables default", []string{"*"}, on, true},
		{"star skips disabled by default", []string{"*"}, off, false},
		{"named enables", []string{"extra"}, off, true},
		{"minus disables", []string{"*", "-deployment"}, on, false},
		{"empty list runs nothing", nil, on, false},
		{"other names only", []string{"job"}, on, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Enabled(tt.list, tt.c); got != tt.want {
				t.Errorf("Enabled(%v, %s) = %v, want %v", tt.list, tt.c.Name, got, tt.want)
			}
		})
	}
}

func TestNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All {
		if seen[c.Name] {
			t.Errorf("controller %q listed twice", c.Name)
		}
		seen[c.Name] = true
	}
}
