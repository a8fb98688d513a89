package config

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DirSource is a Source that reads a directory of YAML and watches it.
//
// It reads every *.yaml and *.yml file under the directory (recursively, names
// starting with a dot skipped) once, publishes a first Snapshot, then watches
// the tree with fsnotify, including directories created later. Changes are
// debounced briefly and only the files that changed are parsed again.
//
// What serves after a change:
//   - an object whose new version is invalid keeps its last good version, and
//     the problem is reported;
//   - a file that is not valid YAML keeps all of its previous objects, and the
//     problem is reported;
//   - an object no file defines any more is removed;
//   - while the directory itself is missing, nothing changes (it is polled
//     until it is back, then read again).
//
// A Snapshot is published only when the set of serving objects or the set of
// problems changed; Versions increase by one with each.
type DirSource struct {
	dir        string
	logger     *slog.Logger
	analyzers  []Analyzer
	debounce   time.Duration
	maxDelay   time.Duration
	emptyGrace time.Duration
}

var _ Source = (*DirSource)(nil)

// DirOption configures a DirSource.
type DirOption func(*DirSource)

// WithAnalyzers adds analyzers that run after Loom's own checks on every snapshot.
func WithAnalyzers(a ...Analyzer) DirOption {
	return func(s *DirSource) { s.analyzers = append(s.analyzers, a...) }
}

// WithDebounce sets how long the source waits for a burst of file events to
// end (default 20ms); a change is applied at most 10 debounce periods after
// its first event, however long the burst.
func WithDebounce(d time.Duration) DirOption {
	return func(s *DirSource) { s.debounce, s.maxDelay = d, 10*d }
}

// NewDirSource returns a Source for dir. Run does the reading and watching.
func NewDirSource(dir string, logger *slog.Logger, opts ...DirOption) *DirSource {
	dir = filepath.Clean(dir)
	s := &DirSource{
		dir:        dir,
		logger:     logger.With("config_dir", dir),
		analyzers:  builtinAnalyzers(),
		debounce:   20 * time.Millisecond,
		maxDelay:   200 * time.Millisecond,
		emptyGrace: 150 * time.Millisecond,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Run reads the directory, publishes the first snapshot, then watches until
// ctx ends. It fails only when the directory cannot be read or watched.
func (s *DirSource) Run(ctx context.Context, publish func(*Snapshot)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching %s: %w", s.dir, err)
	}
	defer w.Close()
	// Watch first, then read: a change made during the first read is seen twice, never missed.
	dirs, err := watchTree(w, s.dir)
	if err != nil {
		return err
	}
	state := newDirState(s.analyzers)
	loop := &watchLoop{src: s, state: state, watcher: w, watched: dirs, dirty: map[string]bool{}, emptySince: map[string]time.Time{}}
	if err := loop.rescan(s.dir); err != nil {
		return err
	}
	loop.flush(publish, time.Now())
	return loop.run(ctx, publish)
}
