// Package compiler is the pipeline: read the settings, mappings and
// vendored source specs from a project root, build the model, run the
// emitters. It reads files but never writes them (see package writer), and
// reads only regular files inside the root, within size caps (files.go).
package compiler

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/emit"
	"github.com/canonic-data/canonic/gen/evolve"
	"github.com/canonic-data/canonic/gen/mapping"
	"github.com/canonic-data/canonic/gen/model"
	"github.com/canonic-data/canonic/gen/sourcespec"
)

// SettingsFile is the project settings file, relative to the root.
const SettingsFile = "mappings/project.yaml"

// Options tune one compilation.
type Options struct {
	// Target overrides the settings' ClickHouse target ("18.16").
	Target string
	// Module overrides the Go module path read from root/go.mod (tests
	// generate into a scratch directory inside another module).
	Module string
	// IgnoreHistory compiles as if no table had been generated before: no
	// migration is derived (the breaking report needs only the snapshots).
	IgnoreHistory bool
}

// Compile reads the project at root and returns the generated tree. A
// problem in the user's files is a diag.List (errors.Is ErrBadInput).
func Compile(root string, opts Options) (emit.Output, *model.Project, error) {
	tree, err := openTree(root)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: project root: %v", diag.ErrBadInput, err)
	}
	defer tree.Close()
	module := opts.Module
	if module == "" {
		if module, err = goModule(tree); err != nil {
			return nil, nil, err
		}
	}
	settingsData, err := tree.read(SettingsFile, MaxMappingBytes, "settings files")
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v (every project has one; see README.md)", diag.ErrBadInput, err)
	}
	// A problem in the settings does not stop the mappings from being read:
	// their own structural problems are reported in the same run.
	settings, problems := mapping.ParseProject(SettingsFile, settingsData)
	if settings == nil {
		settings = &mapping.Project{}
	}

	target := model.DefaultTarget
	switch {
	case opts.Target != "":
		if target, err = model.ParseTarget(opts.Target); err != nil {
			return nil, nil, fmt.Errorf("%w: --target: %v", diag.ErrBadInput, err)
		}
	case settings.Target.Set:
		if target, err = model.ParseTarget(settings.Target.Value); err != nil {
			problems.Add(settings.Target.Pos, "%v", err)
			target = model.DefaultTarget
		}
	}

	specs := map[string]*sourcespec.Spec{}
	for _, s := range settings.Sources {
		if !s.Spec.Set {
			continue
		}
		if isAbsolute(s.Spec.Value) {
			problems.Add(s.Spec.Pos, "source spec for %s: %q is an absolute path: write it relative to mappings/ (e.g. sources/%s.json)", s.Service.Value, s.Spec.Value, s.Service.Value)
			continue
		}
		rel := path.Join("mappings", s.Spec.Value)
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			problems.Add(s.Spec.Pos, "source spec for %s: %q leads outside the project root: the compiler reads only files inside the project; vendor the spec under mappings/ with canonic import-spec", s.Service.Value, s.Spec.Value)
			continue
		}
		data, err := tree.read(rel, MaxSpecBytes, "source specs")
		if errors.Is(err, fs.ErrNotExist) {
			problems.Add(s.Spec.Pos, "source spec for %s: %s does not exist: fix the path (relative to mappings/) or vendor the spec with canonic import-spec", s.Service.Value, rel)
			continue
		}
		if err != nil {
			problems.Add(s.Spec.Pos, "source spec for %s: %v", s.Service.Value, err)
			continue
		}
		spec, err := sourcespec.Load(data)
		if err != nil {
			problems.Add(s.Spec.Pos, "source spec %s: %v", rel, err)
			continue
		}
		specs[s.Service.Value] = spec
	}
	specsLoaded := len(problems) == 0

	paths, stray, err := mappingFiles(root)
	if err != nil {
		return nil, nil, err
	}
	for _, rel := range stray {
		problems.Add(diag.Pos{File: rel}, "not read: a mapping must be mappings/<service>/<table>.yaml; move the file there (or rename it if it is not a mapping)")
	}
	var files []*mapping.File
	for _, rel := range paths {
		data, err := tree.read(rel, MaxMappingBytes, "mapping files")
		var refused *fileError
		if errors.As(err, &refused) {
			problems.Add(diag.Pos{File: rel}, "not read: the file %s", refused.Reason)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		f, errs := mapping.ParseFile(rel, data)
		problems = append(problems, errs...)
		if f != nil { // checked as far as it was read, so one pass finds every problem
			files = append(files, f)
		}
	}
	if len(paths) == 0 {
		problems.Add(diag.Pos{File: "mappings"}, "no mappings found: add mappings/<service>/<table>.yaml")
	}
	if !specsLoaded {
		// The settings or a spec failed: each mapping of the spec would
		// report it missing, so only the files' own shape is reported.
		return nil, nil, problems.Err()
	}
	p, err := model.Build(model.Input{Module: module, Target: target, Files: files, Specs: specs})
	var more diag.List
	if errors.As(err, &more) {
		problems = append(problems, more...)
	} else if err != nil {
		return nil, nil, err
	}
	histories := emit.Histories{}
	if !opts.IgnoreHistory {
		if histories, err = readHistories(tree, root, p); err != nil {
			return nil, nil, err
		}
	}
	if len(problems) > 0 {
		// The tables that are fine are still checked against their
		// history, so a refused change is reported with the rest.
		if _, err := emit.Project(p, histories); errors.As(err, &more) {
			problems = append(problems, more...)
		}
		return nil, nil, problems.Err()
	}
	out, err := emit.Project(p, histories)
	if err != nil {
		return nil, nil, err
	}
	return out, p, nil
}

// readHistories reads each table's schema snapshot and migrations: the
// previous state migrations are derived from. Inside a git work tree that
// is what HEAD holds, so a table never committed regenerates freely (its
// 0001_create.sql too); outside git it is what the working tree holds.
func readHistories(tree *projectTree, root string, p *model.Project) (emit.Histories, error) {
	dirs := make([]string, len(p.Tables))
	for i, t := range p.Tables {
		dirs[i] = t.Dir
	}
	var files map[string][]byte
	if len(dirs) > 0 {
		c, err := committedFiles(root, dirs, MaxSpecBytes)
		switch {
		case errors.Is(err, errNotGit):
			if files, err = workingFiles(tree, dirs); err != nil {
				return nil, err
			}
		case err != nil:
			return nil, fmt.Errorf("reading the committed schema snapshots: %w", err)
		default:
			files = c.files
		}
	}
	hs := emit.Histories{}
	for _, t := range p.Tables {
		var h evolve.History
		h.Snapshot = files[t.Dir+"/"+evolve.SnapshotFile]
		prefix := t.Dir + "/" + evolve.MigrationsDir + "/"
		for name, data := range files {
			rest, ok := strings.CutPrefix(name, prefix)
			if !ok || strings.Contains(rest, "/") || !strings.HasSuffix(rest, ".sql") {
				continue
			}
			if h.Migrations == nil {
				h.Migrations = map[string][]byte{}
			}
			h.Migrations[rest] = data
		}
		hs[t.Dir] = h
	}
	return hs, nil
}

// workingFiles reads each table directory's schema.json and migrations
// from the working tree, by slash path relative to the root.
func workingFiles(tree *projectTree, dirs []string) (map[string][]byte, error) {
	files := map[string][]byte{}
	read := func(rel string) error {
		data, err := tree.read(rel, MaxSpecBytes, "generated files")
		if err == nil {
			files[rel] = data
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, dir := range dirs {
		if err := read(dir + "/" + evolve.SnapshotFile); err != nil {
			return nil, err
		}
		mdir := dir + "/" + evolve.MigrationsDir
		names, err := tree.readDir(mdir)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if strings.HasSuffix(name, ".sql") {
				if err := read(mdir + "/" + name); err != nil {
					return nil, err
				}
			}
		}
	}
	return files, nil
}

// mappingFiles lists mappings/<service>/<table>.yaml (and .yml), sorted,
// and the other YAML files under mappings/ (but the settings file), which
// would otherwise be silently ignored.
func mappingFiles(root string) (paths, stray []string, err error) {
	dir := filepath.Join(root, "mappings")
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			return nil
		}
		if !strings.HasSuffix(rel, ".yaml") && !strings.HasSuffix(rel, ".yml") || rel == SettingsFile {
			return nil
		}
		if strings.Count(rel, "/") == 2 {
			paths = append(paths, rel)
		} else {
			stray = append(stray, rel)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: %s has no mappings directory", diag.ErrBadInput, root)
	}
	sort.Strings(paths)
	sort.Strings(stray)
	return paths, stray, err
}

// goModule reads the module path from root/go.mod.
func goModule(tree *projectTree) (string, error) {
	data, err := tree.read("go.mod", MaxMappingBytes, "settings files")
	if err != nil {
		return "", fmt.Errorf("%w: %v: run from the project root or pass --root", diag.ErrBadInput, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%w: go.mod has no module line", diag.ErrBadInput)
}
