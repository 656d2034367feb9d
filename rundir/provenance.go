package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/balnet/balnet/checkpoints"
)

// ProvenanceFile records who made the run: the program, the command line, the host and
// the start time of the training, and one entry per resume (Provenance).
const ProvenanceFile = "provenance.yaml"

// Build describes the program that wrote a run, as `balnet version` prints it: the module
// and its version, the VCS revision and whether the work tree had uncommitted changes
// (from the build info; "unknown" when the binary was built without VCS stamping), the Go
// version, the BLAS backend and the kernel path of the fused engine, the build tags and
// GOEXPERIMENT. The command fills it (it knows the engine); rundir only records it.
type Build struct {
	Module      string   `yaml:"module"`
	Version     string   `yaml:"version"`
	Revision    string   `yaml:"revision"`
	Modified    string   `yaml:"modified"` // "true", "false" or "unknown"
	CommitTime  string   `yaml:"commit_time"`
	Go          string   `yaml:"go"`
	Platform    string   `yaml:"platform"` // GOOS/GOARCH
	BLAS        string   `yaml:"blas"`
	Kernel      string   `yaml:"kernel"`
	KernelPaths []string `yaml:"kernel_paths,flow"`
	Tags        string   `yaml:"tags"`
	Experiment  string   `yaml:"goexperiment"`
	CGO         string   `yaml:"cgo"`
}

// Session is one process working on a run: the program, its command line, the host and
// when it started; for a resume also the epoch it continued from.
type Session struct {
	Build   Build    `yaml:"build"`
	Command []string `yaml:"command,flow"`
	Host    string   `yaml:"host"`
	Start   string   `yaml:"start"` // RFC 3339, UTC
	Epoch   *int     `yaml:"epoch,omitempty"`
}

// NewSession returns the session of this process started now, with the command line args
// (os.Args) and build b; the host is os.Hostname ("unknown" if it cannot be read).
func NewSession(b Build, args []string) Session {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return Session{Build: b, Command: append([]string(nil), args...), Host: host,
		Start: time.Now().UTC().Format(time.RFC3339)}
}

// Provenance is the content of provenance.yaml: the session that created the run and one
// entry per resume, oldest first.
type Provenance struct {
	Created Session   `yaml:"created"`
	Resumes []Session `yaml:"resumes"`
}

// WriteProvenance writes d's provenance.yaml for the new run created by s (atomically).
func (d Dir) WriteProvenance(s Session) error {
	return d.writeProvenance(Provenance{Created: s})
}

// AppendResume adds the session s, which resumes d at the checkpoint of epoch, to d's
// provenance.yaml (rewritten atomically). A run created before provenance was recorded
// gets a file whose created session is unknown.
func (d Dir) AppendResume(s Session, epoch int) error {
	p, err := d.ReadProvenance()
	if errors.Is(err, fs.ErrNotExist) {
		p = &Provenance{Created: Session{Host: "unknown", Start: "unknown"}}
	} else if err != nil {
		return err
	}
	s.Epoch = &epoch
	p.Resumes = append(p.Resumes, s)
	return d.writeProvenance(*p)
}

// ReadProvenance reads d's provenance.yaml (an error wrapping fs.ErrNotExist if it has
// none).
func (d Dir) ReadProvenance() (*Provenance, error) {
	data, err := os.ReadFile(d.Path(ProvenanceFile))
	if err != nil {
		return nil, err
	}
	var p Provenance
	if err := yaml.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", d.Path(ProvenanceFile), err)
	}
	return &p, nil
}

func (d Dir) writeProvenance(p Provenance) error {
	data, err := yaml.Marshal(p)
	if err != nil {
		return err
	}
	data = append([]byte("# balnet: who made this run (balnet version), the command line, the host, the start time; one entry per resume\n"), data...)
	return checkpoints.WriteFileAtomic(d.Path(ProvenanceFile), data, 0o644)
}
