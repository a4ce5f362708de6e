package networkpolicy

import (
	"context"
	"testing"
)

func TestTable(t *testing.T) {
	tbl, err := Table.ConvertToTable(context.Background(), validPolicy(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := tbl.Rows[0].Cells[:2]; got[0] != "np" || got[1] != "app=web" {
		t.Fatalf("row = %v", got)
	}
}
