package checkpoints

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/balnet/balnet/analysis"
)

// CSVAppender appends rows to a CSV file (metrics.csv, analysis.csv) durably: every row
// is written whole, flushed and fsynced before Append returns. Rows are never rewritten
// during a run; TruncateCSV repairs the file before a resume.
type CSVAppender struct {
	path   string
	header []string
	f      *os.File
	buf    bytes.Buffer
	w      *csv.Writer
}

// OpenCSV opens the CSV file at path for appending rows of the given header.
//
// If the file does not exist or is empty, it is created with the header row (durably:
// the file and its directory entry are fsynced). If it exists, its first row must be
// exactly header, and it must end with a newline: a file whose last line was torn by a
// crash is refused (wrapping ErrTruncated) until TruncateCSV has repaired it, because
// appending to it would glue two rows together.
func OpenCSV(path string, header []string) (*CSVAppender, error) {
	if len(header) == 0 {
		return nil, fmt.Errorf("checkpoints: open %s: empty CSV header", path)
	}
	a := &CSVAppender{path: path, header: slices.Clone(header)}
	a.w = csv.NewWriter(&a.buf)
	headerLine, err := a.line(header)
	if err != nil {
		return nil, &fs.PathError{Op: "open CSV", Path: path, Err: err}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fail := func(op string, err error) (*CSVAppender, error) {
		f.Close()
		return nil, &fs.PathError{Op: op, Path: path, Err: err}
	}
	info, err := f.Stat()
	if err != nil {
		return fail("stat", err)
	}
	if info.Size() == 0 {
		if _, err := f.Write(headerLine); err != nil {
			return fail("write", err)
		}
		if err := f.Sync(); err != nil {
			return fail("fsync", err)
		}
		if err := syncDir(filepath.Dir(path)); err != nil {
			return fail("fsync directory of", err)
		}
	} else {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, info.Size()-1); err != nil {
			return fail("read", err)
		}
		if last[0] != '\n' {
			return fail("open CSV", fmt.Errorf("checkpoints: %w: last line has no newline (torn by a crash?); run TruncateCSV first", ErrTruncated))
		}
		got := make([]byte, min(info.Size(), int64(len(headerLine)+4096)))
		if _, err := f.ReadAt(got, 0); err != nil {
			return fail("read", err)
		}
		if !bytes.HasPrefix(got, headerLine) {
			first, _, _ := bytes.Cut(got, []byte("\n"))
			return fail("open CSV", fmt.Errorf("checkpoints: header %q, want %q", first, bytes.TrimSuffix(headerLine, []byte("\n"))))
		}
	}
	a.f = f
	return a, nil
}

// line encodes one CSV record, with its newline.
func (a *CSVAppender) line(record []string) ([]byte, error) {
	a.buf.Reset()
	if err := a.w.Write(record); err != nil {
		return nil, err
	}
	a.w.Flush()
	return a.buf.Bytes(), a.w.Error()
}

// Append writes one row, which must have as many fields as the header, and fsyncs
// the file. The row is written with a single write call, so a crash leaves at worst a
// torn last line, which TruncateCSV drops.
func (a *CSVAppender) Append(record []string) error {
	if a.f == nil {
		return &fs.PathError{Op: "append", Path: a.path, Err: fs.ErrClosed}
	}
	if len(record) != len(a.header) {
		return &fs.PathError{Op: "append", Path: a.path, Err: fmt.Errorf("checkpoints: row of %d fields, header has %d", len(record), len(a.header))}
	}
	b, err := a.line(record)
	if err != nil {
		return &fs.PathError{Op: "append", Path: a.path, Err: err}
	}
	if _, err := a.f.Write(b); err != nil {
		return &fs.PathError{Op: "append", Path: a.path, Err: err}
	}
	if err := a.f.Sync(); err != nil {
		return &fs.PathError{Op: "fsync", Path: a.path, Err: err}
	}
	return nil
}

// AppendEpoch appends the row epoch, values[0], values[1], ... with the floats written
// by analysis.FormatFloat, the one number format of balnet's CSV files (NaN as an empty
// field).
func (a *CSVAppender) AppendEpoch(epoch int, values ...float64) error {
	record := make([]string, 1+len(values))
	record[0] = strconv.Itoa(epoch)
	for i, v := range values {
		record[1+i] = analysis.FormatFloat(v)
	}
	return a.Append(record)
}

// WriteCSV replaces the file at path with the header and rows, atomically and durably
// (WriteAtomic).
func WriteCSV(path string, header []string, rows [][]string) error {
	return WriteAtomic(path, 0o644, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		cw.WriteAll(rows) // flushes; the first error is returned by Error
		return cw.Error()
	})
}

// LastEpoch returns the epoch (first column) of the last complete row of the CSV file at
// path, or −1 if it has no row. A torn last line (no newline) is ignored.
func LastEpoch(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	r := csv.NewReader(bytes.NewReader(data[:bytes.LastIndexByte(data, '\n')+1]))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return 0, &fs.PathError{Op: "read CSV", Path: path, Err: fmt.Errorf("checkpoints: %w: %v", ErrCorrupt, err)}
	}
	if len(records) < 2 {
		return -1, nil
	}
	field := records[len(records)-1][0]
	e, err := strconv.Atoi(strings.TrimSpace(field))
	if err != nil {
		return 0, fmt.Errorf("%s: last row: epoch %q is not an integer", path, field)
	}
	return e, nil
}

// Close closes the file. Rows are already durable; Close only releases it.
func (a *CSVAppender) Close() error {
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	return err
}

// TruncateCSV prepares a CSV file for a resume at maxEpoch: it keeps the header row and
// the rows whose first column (which the header must call "epoch") is at most
// maxEpoch, and drops the others together with a torn last line (bytes after the last
// newline, left by a crash in the middle of a write). The kept rows are kept byte for
// byte. The file is rewritten atomically (WriteAtomic, same permissions) and only if
// something is dropped. A file that does not exist is left so, without error.
//
// Together with OpenCSV this makes each epoch appear exactly once after a crash and a
// resume: rows written after the checkpoint the run resumes from are dropped, and the
// resumed run writes them again.
func TruncateCSV(path string, maxEpoch int) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	whole := data[:bytes.LastIndexByte(data, '\n')+1] // complete lines only
	out, err := keepRows(whole, maxEpoch)
	if err != nil {
		return &fs.PathError{Op: "truncate CSV", Path: path, Err: err}
	}
	if len(out) == len(data) {
		return nil // nothing to drop
	}
	return WriteFileAtomic(path, out, info.Mode().Perm())
}

// keepRows returns the header and the rows of data (complete lines) with epoch ≤ max.
func keepRows(data []byte, maxEpoch int) ([]byte, error) {
	if len(data) == 0 {
		return nil, nil
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w: header: %v", ErrCorrupt, err)
	}
	if strings.TrimSpace(header[0]) != "epoch" {
		return nil, fmt.Errorf("checkpoints: first column is %q, want \"epoch\"", header[0])
	}
	start := r.InputOffset()
	out := slices.Clip(data[:start])
	for {
		record, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("checkpoints: %w: %v", ErrCorrupt, err)
		}
		end := r.InputOffset()
		epoch, err := strconv.Atoi(strings.TrimSpace(record[0]))
		if err != nil {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("checkpoints: %w: line %d: epoch %q is not an integer", ErrCorrupt, line, record[0])
		}
		if epoch <= maxEpoch {
			out = append(out, data[start:end]...)
		}
		start = end
	}
	return out, nil
}
