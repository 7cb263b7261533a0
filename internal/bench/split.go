package bench

import "github.com/canonic-data/canonic/internal/connectwise"

// SplitTrusted is the splitter the loader uses for validated pages
// (connectwise.SplitValidated, proposal P1 of the report, now adopted).
var SplitTrusted = connectwise.SplitValidated
