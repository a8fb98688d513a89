package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchLoop turns file events into snapshots. It runs on Run's goroutine.
type watchLoop struct {
	src        *DirSource
	state      *dirState
	watcher    *fsnotify.Watcher
	watched    map[string]bool
	dirty      map[string]bool
	firstDirty time.Time
	// emptySince notes files seen empty: often a writer that truncated and has
	// not written yet, so emptiness is applied only after a grace period.
	emptySince map[string]time.Time
	// rootGone is set while the directory itself is missing: the last config
	// keeps serving and the directory is polled until it is back.
	rootGone bool
}

// rootPoll is how often a missing config directory is looked for.
const rootPoll = 250 * time.Millisecond

func (l *watchLoop) run(ctx context.Context, publish func(*Snapshot)) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-l.watcher.Events:
			if !ok {
				return nil
			}
			l.event(ev)
			if len(l.dirty) > 0 {
				timer.Reset(l.delay(time.Now()))
			}
		case err, ok := <-l.watcher.Errors:
			if !ok {
				return nil
			}
			l.src.logger.Warn("file watch error; re-reading the whole directory", "error", err)
			if err := l.rescan(l.src.dir); err != nil {
				l.src.logger.Error("re-reading config directory", "error", err)
			}
			timer.Reset(l.delay(time.Now()))
		case now := <-timer.C:
			if wait := l.flush(publish, now); wait > 0 {
				timer.Reset(wait)
			}
		}
	}
}

// delay is how long to wait before applying: the debounce period, cut short
// so that no change waits more than maxDelay.
func (l *watchLoop) delay(now time.Time) time.Duration {
	if l.firstDirty.IsZero() {
		l.firstDirty = now
	}
	left := l.src.maxDelay - now.Sub(l.firstDirty)
	return max(min(l.src.debounce, left), 0)
}

// event marks what a file event may have changed.
func (l *watchLoop) event(ev fsnotify.Event) {
	path := filepath.Clean(ev.Name)
	name := filepath.Base(path)
	switch {
	case strings.HasPrefix(name, ".."):
		// A Kubernetes ConfigMap volume swapping its ..data link: the
		// directory's files (links into ..data) changed content.
		l.markDir(filepath.Dir(path))
	case isHidden(name):
		// Editors' swap and lock files.
	case ev.Has(fsnotify.Create) && isDir(path):
		if err := l.rescan(path); err != nil {
			l.src.logger.Warn("watching new directory", "dir", path, "error", err)
		}
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		for _, p := range l.state.knownUnder(path) {
			l.dirty[p] = true
		}
		delete(l.watched, path)
	case isConfigFile(path):
		l.dirty[path] = true
	}
}

// markDir marks the known and present config files of one directory.
func (l *watchLoop) markDir(dir string) {
	for _, p := range l.state.knownUnder(dir) {
		if filepath.Dir(p) == dir {
			l.dirty[p] = true
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if p := filepath.Join(dir, e.Name()); !e.IsDir() && isConfigFile(p) {
			l.dirty[p] = true
		}
	}
}

// rescan watches dir and its subdirectories and marks every config file in them.
func (l *watchLoop) rescan(dir string) error {
	dirs, err := watchTree(l.watcher, dir)
	if err != nil {
		return err
	}
	for d := range dirs {
		l.watched[d] = true
	}
	files, err := configFiles(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		l.dirty[f] = true
	}
	for _, p := range l.state.knownUnder(dir) {
		l.dirty[p] = true
	}
	return nil
}

// flush applies the marked files and publishes a snapshot if anything a
// consumer sees changed. It returns how long to wait before flushing again
// when files that just became empty are still in their grace period.
func (l *watchLoop) flush(publish func(*Snapshot), now time.Time) time.Duration {
	if !l.rootPresent() {
		clear(l.dirty)
		return rootPoll
	}
	var wait time.Duration
	for p := range l.dirty {
		if hold := l.holdEmpty(p, now); hold > 0 {
			wait = max(wait, hold)
			continue
		}
		delete(l.dirty, p)
		l.state.update(p)
	}
	l.firstDirty = time.Time{}
	if snap := l.state.snapshot(); snap != nil {
		l.src.logger.Info("config snapshot", "version", snap.Version, "objects", countObjects(snap), "problems", len(snap.Problems))
		publish(snap)
	}
	return wait
}

// rootPresent reports whether the config directory exists, noting when it
// goes and when it comes back (then it is watched and read again). While it is
// gone nothing is applied: removing or replacing the whole directory does not
// take the mesh's config away.
func (l *watchLoop) rootPresent() bool {
	log := l.src.logger
	if !isDir(l.src.dir) {
		if !l.rootGone {
			log.Warn("config directory is gone; the last config keeps serving until it is back")
		}
		l.rootGone = true
		return false
	}
	if l.rootGone {
		l.rootGone = false
		log.Info("config directory is back; reading it again")
		if err := l.rescan(l.src.dir); err != nil {
			log.Error("re-reading config directory", "error", err)
		}
	}
	return true
}

// holdEmpty returns how much longer to wait before applying a file that is
// now empty but held objects: a writer that truncates then writes is usually
// mid-write. Zero means apply now.
func (l *watchLoop) holdEmpty(path string, now time.Time) time.Duration {
	info, err := os.Stat(path)
	prev := l.state.files[path]
	if err != nil || info.Size() > 0 || prev == nil || len(prev.docs) == 0 {
		delete(l.emptySince, path)
		return 0
	}
	since, seen := l.emptySince[path]
	if !seen {
		l.emptySince[path], since = now, now
	}
	if left := l.src.emptyGrace - now.Sub(since); left > 0 {
		return left
	}
	delete(l.emptySince, path)
	return 0
}

// watchTree adds a watch on dir and every non-hidden directory under it.
func watchTree(w *fsnotify.Watcher, dir string) (map[string]bool, error) {
	dirs := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && path == dir:
			return err
		case err != nil || !d.IsDir():
			return nil
		case path != dir && isHidden(d.Name()):
			return fs.SkipDir
		}
		if err := w.Add(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("watching %s: %w", path, err)
		}
		dirs[path] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("config directory %s: %w", dir, err)
	}
	return dirs, nil
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// isUnder reports whether path is inside dir.
func isUnder(path, dir string) bool {
	return strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

func countObjects(s *Snapshot) int {
	n := 0
	for _, list := range s.byKind {
		n += len(list)
	}
	return n
}
