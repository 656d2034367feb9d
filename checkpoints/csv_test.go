package checkpoints_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
)

var metricsHeader = []string{"epoch", "train_loss", "test_loss"}

func writeString(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCSVAppender(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	a, err := checkpoints.OpenCSV(path, metricsHeader)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, path, "epoch,train_loss,test_loss\n") // the header is there at once
	if err := a.AppendEpoch(1000, 0.5, 0.25); err != nil {
		t.Fatal(err)
	}
	if err := a.Append([]string{"2000", "NaN", "a, b"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Append([]string{"3000", "1"}); err == nil {
		t.Error("Append of 2 fields under a header of 3: got no error, want one")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.AppendEpoch(4000, 1, 2); err == nil {
		t.Error("AppendEpoch after Close: got no error, want one")
	}

	// Reopening appends after the existing rows.
	a, err = checkpoints.OpenCSV(path, metricsHeader)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AppendEpoch(3000, math.Inf(1), 0.1); err != nil {
		t.Fatal(err)
	}
	a.Close()
	checkContent(t, path, "epoch,train_loss,test_loss\n1000,0.5,0.25\n2000,NaN,\"a, b\"\n3000,+Inf,0.1\n")

	if _, err := checkpoints.OpenCSV(path, []string{"epoch", "loss"}); err == nil || !strings.Contains(err.Error(), "train_loss") {
		t.Errorf("OpenCSV with another header: got error %v, want one quoting the file's header", err)
	}
}

func TestOpenCSVRefusesTornFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	writeString(t, path, "epoch,train_loss,test_loss\n1000,0.5,0.25\n2000,0.4")
	_, err := checkpoints.OpenCSV(path, metricsHeader)
	if !errors.Is(err, checkpoints.ErrTruncated) {
		t.Errorf("got error %v, want ErrTruncated", err)
	}
}

func TestTruncateCSV(t *testing.T) {
	const header = "epoch,train_loss,test_loss\n"
	for _, tc := range []struct {
		name     string
		content  string
		maxEpoch int
		want     string
	}{
		{"drop later rows", header + "1000,1,2\n2000,3,4\n3000,5,6\n", 2000, header + "1000,1,2\n2000,3,4\n"},
		{"torn last line", header + "1000,1,2\n2000,3,4\n3000,5", 5000, header + "1000,1,2\n2000,3,4\n"},
		{"torn and later", header + "1000,1,2\n2000,3,4\n3000,5,6\n4000,7", 2000, header + "1000,1,2\n2000,3,4\n"},
		{"nothing to drop", header + "1000,1,2\n", 1000, header + "1000,1,2\n"},
		{"resume at 0", header + "1000,1,2\n", 0, header},
		{"header only", header, 1000, header},
		{"torn header", "epoch,train", 1000, ""},
		{"empty", "", 1000, ""},
		{"quoted newline kept byte for byte", header + "1000,\"a\nb\",2\n2000,\"c\",4\n", 1000, header + "1000,\"a\nb\",2\n"},
		{"CRLF kept", "epoch,x\r\n1,2\r\n2,3\r\n", 1, "epoch,x\r\n1,2\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "metrics.csv")
			writeString(t, path, tc.content)
			if err := checkpoints.TruncateCSV(path, tc.maxEpoch); err != nil {
				t.Fatal(err)
			}
			checkContent(t, path, tc.want)
			if got := dirNames(t, filepath.Dir(path)); len(got) != 1 {
				t.Errorf("got directory %q, want only metrics.csv", got)
			}
		})
	}
}

func TestTruncateCSVUnchangedIsNotRewritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	writeString(t, path, "epoch,x\n1,2\n")
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkpoints.TruncateCSV(path, 10); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("got the file replaced, want it left alone when nothing is dropped")
	}
}

func TestTruncateCSVErrors(t *testing.T) {
	dir := t.TempDir()
	if err := checkpoints.TruncateCSV(filepath.Join(dir, "missing.csv"), 10); err != nil {
		t.Errorf("missing file: got error %v, want nil", err)
	}
	for name, content := range map[string]string{
		"first column": "step,x\n1,2\n",
		"bad epoch":    "epoch,x\n1,2\nten,3\n",
		"field count":  "epoch,x\n1,2\n2\n",
	} {
		path := filepath.Join(dir, name+".csv")
		writeString(t, path, content)
		if err := checkpoints.TruncateCSV(path, 10); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: got error %v, want one naming the file", name, err)
		}
		checkContent(t, path, content)
	}
}

// TestCSVCrashAndResume plays a crash between two checkpoints: rows up to epoch 5
// were written, the last one torn, and the newest checkpoint is epoch 3. After
// TruncateCSV and the resumed run, every epoch appears exactly once.
func TestCSVCrashAndResume(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	a, err := checkpoints.OpenCSV(path, metricsHeader)
	if err != nil {
		t.Fatal(err)
	}
	for e := 1; e <= 4; e++ {
		if err := a.AppendEpoch(e, float64(e), float64(-e)); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("5,5,") // the crash
	f.Close()

	const resumeAt = 3 // the epoch of the checkpoint resumed from
	if err := checkpoints.TruncateCSV(path, resumeAt); err != nil {
		t.Fatal(err)
	}
	a, err = checkpoints.OpenCSV(path, metricsHeader)
	if err != nil {
		t.Fatal(err)
	}
	for e := resumeAt + 1; e <= 6; e++ {
		if err := a.AppendEpoch(e, float64(e), float64(-e)); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	want := "epoch,train_loss,test_loss\n"
	for e := 1; e <= 6; e++ {
		want += strings.Join([]string{strconv.Itoa(e), strconv.Itoa(e), strconv.Itoa(-e)}, ",") + "\n"
	}
	checkContent(t, path, want)
}
