package rundir_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/balnet/balnet/rundir"
)

// TestTruncateEvents: resuming from a checkpoint with k rollbacks keeps the header and the
// first k rows of events.csv (the rollbacks before it, whatever their epochs) and drops
// the rest, a torn last line included; a missing file stays missing.
func TestTruncateEvents(t *testing.T) {
	d := rundir.Dir(t.TempDir())
	path := d.Path(rundir.EventsFile)
	header := "epoch,what,action,to_epoch,lr\n"
	rows := "8,\"test loss is NaN, at last\",rollback,6,0.0005\n5,x,rollback,3,0.00025\n9,y,stop,9,0.00025\n"
	for _, c := range []struct {
		keep int
		want string
	}{{3, header + rows}, {2, header + rows[:len(rows)-len("9,y,stop,9,0.00025\n")]}, {1, header + "8,\"test loss is NaN, at last\",rollback,6,0.0005\n"}, {0, header}} {
		if err := os.WriteFile(path, []byte(header+rows+"10,torn"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := d.TruncateEvents(c.keep); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != c.want {
			t.Errorf("keep %d: got\n%s\nwant\n%s", c.keep, got, c.want)
		}
	}
	missing := rundir.Dir(t.TempDir())
	if err := missing.TruncateEvents(2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(string(missing), rundir.EventsFile)); !os.IsNotExist(err) {
		t.Errorf("events.csv was created: %v", err)
	}
}
