// Package emit runs every emitter over a validated project and returns the
// complete output tree in memory. Nothing here touches the file system.
package emit

import (
	"fmt"

	"github.com/canonic-data/canonic/gen/emit/golang"
	"github.com/canonic-data/canonic/gen/emit/sqlddl"
	"github.com/canonic-data/canonic/gen/model"
)

// Output is the generated tree: slash paths relative to the project root.
type Output map[string][]byte

// Project emits every table. Each table owns:
//
//	generated/<service>/<table>/{row,mapper,hash,table}.go and <table>.sql
//	cmd/backfill-<service>-<table>/main.go
func Project(p *model.Project) (Output, error) {
	out := Output{}
	for _, t := range p.Tables {
		ddl, err := sqlddl.File(p, t)
		if err != nil {
			return nil, err
		}
		sqlName := sqlddl.FileName(t)
		if err := out.add(t.Dir+"/"+sqlName, ddl); err != nil {
			return nil, err
		}
		files, err := golang.Files(p, t, sqlName)
		if err != nil {
			return nil, err
		}
		for name, src := range files {
			if err := out.add(name, src); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (o Output) add(name string, data []byte) error {
	if _, dup := o[name]; dup {
		return fmt.Errorf("two tables generate %s", name)
	}
	o[name] = data
	return nil
}
