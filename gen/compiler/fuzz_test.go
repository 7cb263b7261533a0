package compiler_test

import (
	"context"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/canonic-data/canonic/gen/emit"
	"github.com/canonic-data/canonic/gen/mapping"
	"github.com/canonic-data/canonic/gen/model"
	"github.com/canonic-data/canonic/gen/sourcespec"
	"github.com/canonic-data/canonic/internal/chdb"
	"github.com/canonic-data/canonic/internal/chschema"
	"github.com/canonic-data/canonic/internal/warehouse"
)

var engine struct {
	once sync.Once
	eng  warehouse.Engine
	err  error
}

// embedded opens one chDB for the fuzz worker process, or returns nil when
// the library is not installed or CANONIC_FUZZ_NO_ENGINE is set (the DDL
// check is then skipped).
func embedded(t *testing.T) warehouse.Engine {
	if _, err := chdb.FindLibrary(); err != nil || os.Getenv("CANONIC_FUZZ_NO_ENGINE") != "" {
		return nil
	}
	engine.once.Do(func() {
		dir, err := os.MkdirTemp("", "fuzz-compile-")
		if err != nil {
			engine.err = err
			return
		}
		engine.eng, engine.err = warehouse.OpenEmbedded(dir)
	})
	if engine.err != nil {
		t.Fatal(engine.err)
	}
	return engine.eng
}

// FuzzCompile feeds arbitrary mapping text through the parser, the model
// and the emitters: they must never panic, and every accepted mapping must
// yield Go that parses and DDL the embedded ClickHouse accepts.
func FuzzCompile(f *testing.F) {
	specData, err := os.ReadFile("../../mappings/sources/connectwise.json")
	if err != nil {
		f.Fatal(err)
	}
	spec, err := sourcespec.Load(specData)
	if err != nil {
		f.Fatal(err)
	}
	seeds, _ := filepath.Glob("../../mappings/connectwise/*.yaml")
	more, _ := filepath.Glob("../cli/testdata/golden/*/mappings/connectwise/*.yaml")
	for _, s := range append(seeds, more...) {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("version: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "mappings/connectwise/tickets.yaml"
		file, errs := mapping.ParseFile(path, data)
		build := func() (*model.Project, error) {
			return model.Build(model.Input{Module: "example.com/fuzz", Target: model.MinTarget,
				Files: []*mapping.File{file}, Specs: map[string]*sourcespec.Spec{"connectwise": spec}})
		}
		if len(errs) > 0 {
			for _, e := range errs {
				if !strings.HasPrefix(e.Error(), path+":") {
					t.Fatalf("error without a position: %v", e)
				}
			}
			// A partly read file is still checked (one pass finds every
			// problem), but never becomes a table.
			if file != nil {
				if p, err := build(); len(p.Tables) > 0 {
					t.Fatalf("an incomplete file became a table (err %v)", err)
				}
			}
			return
		}
		p, err := build()
		if err != nil {
			return
		}
		out, err := emit.Project(p, nil)
		if err != nil {
			t.Fatalf("a valid model failed to emit: %v", err)
		}
		for name, src := range out {
			if strings.HasSuffix(name, ".go") {
				if _, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ParseComments); err != nil {
					t.Fatalf("%s does not parse: %v\n%s", name, err, src)
				}
			}
		}
		eng := embedded(t)
		if eng == nil {
			return
		}
		tbl := p.Tables[0]
		ctx := context.Background()
		const db = "fuzz"
		if err := warehouse.EnsureDatabase(ctx, eng, db); err != nil {
			t.Fatal(err)
		}
		_ = eng.Exec(ctx, "DROP TABLE IF EXISTS fuzz."+chschema.QuoteIdent(tbl.CurrentView))
		_ = eng.Exec(ctx, "DROP TABLE IF EXISTS fuzz."+chschema.QuoteIdent(tbl.Name))
		if err := eng.ApplyDDL(ctx, db, string(out[tbl.Dir+"/"+tbl.Name+".sql"])); err != nil {
			t.Fatalf("the embedded engine rejects the DDL: %v\n%s", err, out[tbl.Dir+"/"+tbl.Name+".sql"])
		}
	})
}
