// Package emit runs every emitter over a validated project and returns the
// complete output tree in memory. Nothing here touches the file system.
package emit

import (
	"errors"
	"fmt"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/emit/dictionary"
	"github.com/canonic-data/canonic/gen/emit/golang"
	"github.com/canonic-data/canonic/gen/emit/sqlddl"
	"github.com/canonic-data/canonic/gen/evolve"
	"github.com/canonic-data/canonic/gen/model"
)

// Output is the generated tree: slash paths relative to the project root.
type Output map[string][]byte

// Histories holds each table's committed history, keyed by table
// directory ("generated/connectwise/tickets"); a missing entry is a first
// generation.
type Histories map[string]evolve.History

// Project emits every table. Each table owns:
//
//	generated/<service>/<table>/{row,mapper,hash,table}.go, <table>.sql and <table>.cluster.sql
//	generated/<service>/<table>/README.md, the data dictionary
//	generated/<service>/<table>/schema.json and migrations/NNNN_*.sql
//	cmd/backfill-<service>-<table>/main.go
func Project(p *model.Project, histories Histories) (Output, error) {
	out := Output{}
	var errs error
	for _, t := range p.Tables {
		ddl, err := sqlddl.File(p, t)
		if err != nil {
			return nil, err
		}
		sqlName := sqlddl.FileName(t)
		if err := checkStatementSizes(t, t.Dir+"/"+sqlName, ddl); err != nil {
			errs = joinErr(errs, err)
			continue
		}
		if err := out.add(t.Dir+"/"+sqlName, ddl); err != nil {
			return nil, err
		}
		clusterDDL, err := sqlddl.ClusterFile(p, t)
		if err != nil {
			return nil, err
		}
		if err := out.add(t.Dir+"/"+sqlddl.ClusterFileName(t), clusterDDL); err != nil {
			return nil, err
		}
		hist, err := evolve.Plan(p, t, histories[t.Dir], string(ddl), sqlddl.View(t))
		if err != nil {
			errs = joinErr(errs, err)
			continue
		}
		if hist.New != "" {
			name := evolve.MigrationsDir + "/" + hist.New
			if err := checkStatementSizes(t, t.Dir+"/"+name, hist.Files[name]); err != nil {
				errs = joinErr(errs, err)
				continue
			}
		}
		for name, data := range hist.Files {
			if err := out.add(t.Dir+"/"+name, data); err != nil {
				return nil, err
			}
		}
		dict, err := dictionary.File(p, t, sqlName, hist.Schema.Migrations)
		if err != nil {
			return nil, err
		}
		if err := out.add(t.Dir+"/"+dictionary.FileName, dict); err != nil {
			return nil, err
		}
		files, err := golang.Files(p, t, sqlName, sqlddl.ClusterFileName(t), hist.Schema.Migrations)
		if err != nil {
			return nil, err
		}
		for name, src := range files {
			if err := out.add(name, src); err != nil {
				return nil, err
			}
		}
	}
	if errs != nil {
		return nil, errs
	}
	return out, nil
}

// joinErr merges positioned problems of several tables into one list.
func joinErr(acc, err error) error {
	var l diag.List
	if errors.As(acc, &l) {
		var more diag.List
		if errors.As(err, &more) {
			return append(l, more...).Err()
		}
		return acc
	}
	if acc != nil {
		return acc
	}
	return err
}

func (o Output) add(name string, data []byte) error {
	if _, dup := o[name]; dup {
		return fmt.Errorf("two tables generate %s", name)
	}
	o[name] = data
	return nil
}
