package plots

import "testing"

// With mi_rate columns in analysis.csv the balance figure gains the information-rate
// panel (12 × 4 in); without them it stays the single balance panel (6 × 4 in).
func TestBalanceInfoFigure(t *testing.T) {
	tbl, err := ParseTable([]byte("epoch,balance,balance_rel,mi_rate,mi_rate_nu\n0,1,1,2,2.1\n500,0.4,0.4,,\n1000,0.8,0.8,3.2,3.3\n"))
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := (&run{analysis: tbl}).build("balance")
	if err != nil {
		t.Fatal(err)
	}
	if w, h := f.pixels(); w != 1800 || h != 600 {
		t.Errorf("balance with information rate: %d×%d pixels, want 1800×600", w, h)
	}
	if p, err := (&run{analysis: tbl}).infoPanel(); err != nil || p == nil {
		t.Errorf("infoPanel: %v", err)
	}
	plain, _ := ParseTable([]byte("epoch,balance,balance_rel\n0,1,1\n"))
	f, _, err = (&run{analysis: plain}).build("balance")
	if w, h := f.pixels(); err != nil || w != 900 || h != 600 {
		t.Errorf("balance without information rate: %d×%d pixels (err %v), want 900×600", w, h, err)
	}
}
