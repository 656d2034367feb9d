package plots

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

var nan = math.NaN()

// sameFloats compares exactly, NaN equal to NaN: the values are parsed from the same
// decimal text the expectations are written in.
func sameFloats(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			return false
		}
	}
	return true
}

func checkColumn(t *testing.T, tab *Table, name string, want []float64) {
	t.Helper()
	got, err := tab.Column(name)
	if err != nil {
		t.Fatalf("column %s: %v", name, err)
	}
	if !sameFloats(got, want) {
		t.Errorf("column %s: got %v, want %v", name, got, want)
	}
}

// TestReadTableTornLine: the bytes after the last newline are a row being written.
func TestReadTableTornLine(t *testing.T) {
	tab, err := ReadTable(filepath.Join("testdata", "metrics_torn.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !tab.Torn {
		t.Errorf("Torn: got false, want true")
	}
	if tab.Dropped != 0 {
		t.Errorf("Dropped: got %d, want 0", tab.Dropped)
	}
	checkColumn(t, tab, "epoch", []float64{0, 1000})
	checkColumn(t, tab, "train_loss", []float64{nan, 0.3})
	checkColumn(t, tab, "test_loss", []float64{0.5, 0.25})
}

// TestReadTableResumed: repeated epochs keep their last row, rows are sorted by epoch,
// malformed lines are skipped and counted.
func TestReadTableResumed(t *testing.T) {
	tab, err := ReadTable(filepath.Join("testdata", "metrics_resumed.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Torn {
		t.Errorf("Torn: got true, want false")
	}
	if tab.Dropped != 2 { // "this,is,not,numbers" and the short "3000,0.05"
		t.Errorf("Dropped: got %d, want 2", tab.Dropped)
	}
	checkColumn(t, tab, "epoch", []float64{0, 1000, 2000, 3000})
	checkColumn(t, tab, "train_loss", []float64{nan, 0.31, 0.1, 0.05})
	checkColumn(t, tab, "test_loss", []float64{0.5, 0.26, 0.08, 0.04})
	checkColumn(t, tab, "wall_seconds", []float64{0.1, 11.0, 21.0, 30.1})
}

func TestParseTable(t *testing.T) {
	cases := []struct {
		name, data string
		rows       int
		torn       bool
		dropped    int
	}{
		{"header only", "epoch,a\n", 0, false, 0},
		{"torn header row", "epoch,a\n0,1", 0, true, 0},
		{"spaces and specials", " epoch , a \n 1 , NaN \n2,+Inf\n3,\n", 3, false, 0},
		{"row without epoch", "epoch,a\n,1\n2,3\n", 1, false, 1},
		{"unbalanced quote", "epoch,a\n1,\"2\n3,4\n", 0, false, 1},
		{"no epoch column keeps order", "x,y\n2,1\n1,2\n1,3\n", 3, false, 0},
	}
	for _, c := range cases {
		tab, err := ParseTable([]byte(c.data))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if tab.Len() != c.rows || tab.Torn != c.torn || tab.Dropped != c.dropped {
			t.Errorf("%s: got %d rows, torn %v, %d dropped, want %d, %v, %d",
				c.name, tab.Len(), tab.Torn, tab.Dropped, c.rows, c.torn, c.dropped)
		}
	}
	tab, err := ParseTable([]byte(" epoch , a \n 1 , NaN \n2,+Inf\n3,\n"))
	if err != nil {
		t.Fatal(err)
	}
	checkColumn(t, tab, "a", []float64{nan, math.Inf(1), nan})
	tab, err = ParseTable([]byte("x,y\n2,1\n1,2\n1,3\n"))
	if err != nil {
		t.Fatal(err)
	}
	checkColumn(t, tab, "y", []float64{1, 2, 3})
}

func TestParseTableErrors(t *testing.T) {
	for _, data := range []string{"", "epoch,a"} {
		if _, err := ParseTable([]byte(data)); err == nil {
			t.Errorf("%q: got no error, want one (no complete header line)", data)
		}
	}
	tab, err := ParseTable([]byte("epoch,a\n1,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tab.Column("b")
	if !errors.Is(err, ErrNoColumn) || !strings.Contains(err.Error(), `"b"`) {
		t.Errorf("missing column: got %v, want ErrNoColumn naming \"b\"", err)
	}
	if _, err := ReadTable(filepath.Join("testdata", "does-not-exist.csv")); err == nil {
		t.Errorf("missing file: got no error")
	}
}
