package plots

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/balnet/balnet/analysis"
)

// ErrNoColumn is returned (wrapped) when a table lacks a column a figure needs.
var ErrNoColumn = errors.New("no such column")

// Table is a CSV file of numbers (metrics.csv, analysis.csv) read by column name.
type Table struct {
	// Header holds the column names, as written in the first line (spaces trimmed).
	Header []string
	// Rows holds the values, one slice per row in header order; an empty field is NaN.
	Rows [][]float64
	// Torn reports that the file did not end with a newline: the bytes after the last
	// newline (a row still being written, or torn by a crash) were ignored.
	Torn bool
	// Dropped counts the complete lines that were ignored: a wrong number of fields or
	// a field that is not a number.
	Dropped int

	index map[string]int
}

// ReadTable reads the CSV file at path with ParseTable.
func ReadTable(path string) (*Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := ParseTable(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ParseTable parses a CSV table with a header row. It is made for files that are appended
// to while they are read:
//
//   - bytes after the last newline are a torn line and are ignored (Torn);
//   - a line with the wrong number of fields, or a field that is neither empty nor a
//     number (analysis.ParseFloat, the reader of analysis.FormatFloat, which also accepts
//     NaN and ±Inf), is skipped (Dropped);
//   - an empty field is NaN;
//   - if there is an "epoch" column, rows are sorted by epoch and, when an epoch appears
//     more than once (rows appended again after a resume), its last row is kept.
//
// Only a missing or unreadable header is an error.
func ParseTable(data []byte) (*Table, error) {
	t := &Table{}
	whole := data[:bytes.LastIndexByte(data, '\n')+1]
	t.Torn = len(whole) < len(data)
	r := csv.NewReader(bytes.NewReader(whole))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, errors.New("no header line")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	t.index = make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		t.Header = append(t.Header, h)
		if _, dup := t.index[h]; !dup {
			t.index[h] = i
		}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				t.Dropped++
				continue
			}
			return nil, err
		}
		row, ok := parseRow(rec, len(t.Header))
		if !ok {
			t.Dropped++
			continue
		}
		t.Rows = append(t.Rows, row)
	}
	if e, ok := t.index["epoch"]; ok {
		kept := t.Rows[:0]
		for _, row := range t.Rows {
			if math.IsNaN(row[e]) {
				t.Dropped++ // a row without an epoch cannot be placed
				continue
			}
			kept = append(kept, row)
		}
		t.Rows = lastPerEpoch(kept, e)
	}
	return t, nil
}

func parseRow(rec []string, n int) ([]float64, bool) {
	if len(rec) != n {
		return nil, false
	}
	row := make([]float64, n)
	for i, f := range rec {
		v, err := analysis.ParseFloat(f) // empty is NaN
		if err != nil {
			return nil, false
		}
		row[i] = v
	}
	return row, true
}

// lastPerEpoch sorts rows by column e (stable) and keeps the last row of each epoch.
func lastPerEpoch(rows [][]float64, e int) [][]float64 {
	slices.SortStableFunc(rows, func(a, b []float64) int {
		switch {
		case a[e] < b[e]:
			return -1
		case a[e] > b[e]:
			return 1
		}
		return 0
	})
	out := rows[:0]
	for i, r := range rows {
		if i+1 < len(rows) && rows[i+1][e] == r[e] {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Len returns the number of rows.
func (t *Table) Len() int { return len(t.Rows) }

// Has reports whether the table has the named column.
func (t *Table) Has(name string) bool {
	_, ok := t.index[name]
	return ok
}

// Column returns a copy of the named column. It wraps ErrNoColumn if there is none.
func (t *Table) Column(name string) ([]float64, error) {
	i, ok := t.index[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrNoColumn, name)
	}
	col := make([]float64, len(t.Rows))
	for k, r := range t.Rows {
		col[k] = r[i]
	}
	return col, nil
}

// numbered returns the names prefix+k+suffix for k = 1, 2, … as long as the table has
// them: the K of "lin_outlier{k}_re" or the S of "win_mean{s}".
func (t *Table) numbered(prefix, suffix string) []string {
	var names []string
	for k := 1; ; k++ {
		name := prefix + strconv.Itoa(k) + suffix
		if !t.Has(name) {
			return names
		}
		names = append(names, name)
	}
}
