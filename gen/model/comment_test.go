package model

import (
	"slices"
	"testing"
)

func TestCommentLines(t *testing.T) {
	got := CommentLines("  first\nsecond\twith tab \r\n\nNUL\x00 LS\u2028 end  \nBOM\uFEFFhere\n")
	want := []string{"first", "second with tab", "", "NUL  LS  end", "BOM here"}
	if !slices.Equal(got, want) {
		t.Errorf("CommentLines = %q, want %q", got, want)
	}
}
