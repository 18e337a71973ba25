package sweep

import "strings"

// Locating keys in a definition's text, for error messages. BurntSushi/toml does not report
// where keys are, so these read the text: they find the line that assigns a key after its
// table's header, accepting bare, quoted and dotted spellings. They return 0 when unsure.

// lineOf returns the line of key: a top-level key ([name]) or a key in a table ([table, k]).
func lineOf(text string, key []string) int {
	switch len(key) {
	case 0:
		return 0
	case 1:
		if l := assignLine(lines(text), 0, key); l > 0 {
			return l
		}
		return headerLine(lines(text), key[0], 0)
	}
	return lineAfter(text, 0, key[0], key[1:])
}

// lineAfter returns the line after line `from` (or after table's header, when from is 0) that
// assigns the dotted key path.
func lineAfter(text string, from int, table string, path []string) int {
	ls := lines(text)
	start := from
	if start == 0 {
		start = headerLine(ls, table, 0)
		if start == 0 {
			return 0
		}
	}
	return assignLine(ls, start, path)
}

// zipLine returns the line of the z-th (from 0) [[zip]] header.
func zipLine(text string, z int) int {
	n := 0
	for i, l := range lines(text) {
		if compact(l) == "[[zip]]" {
			if n == z {
				return i + 1
			}
			n++
		}
	}
	return 0
}

func lines(text string) []string { return strings.Split(text, "\n") }

// compact removes spaces and a trailing comment, for comparing headers.
func compact(l string) string {
	if i := strings.Index(l, "#"); i >= 0 {
		l = l[:i]
	}
	return strings.ReplaceAll(strings.TrimSpace(l), " ", "")
}

// headerLine returns the first line at or after line `from` whose table header is table or a
// sub-table of it, or 0.
func headerLine(ls []string, table string, from int) int {
	for i := from; i < len(ls); i++ {
		c := compact(ls[i])
		if c == "["+table+"]" || c == "[["+table+"]]" || strings.HasPrefix(c, "["+table+".") {
			return i + 1
		}
	}
	return 0
}

// assignLine returns the first line after line `start` (1-based; 0 for the top) that assigns
// path, written whole (quoted or dotted) or, under a sub-table header, by its last pieces.
func assignLine(ls []string, start int, path []string) int {
	full := strings.Join(path, ".")
	forms := []string{`"` + full + `"`, `'` + full + `'`, full}
	for k := 1; k < len(path); k++ {
		tail := strings.Join(path[k:], ".")
		forms = append(forms, `"`+tail+`"`, `'`+tail+`'`, tail)
	}
	for i := start; i < len(ls); i++ {
		t := strings.TrimSpace(ls[i])
		for _, f := range forms {
			if rest, ok := strings.CutPrefix(t, f); ok && strings.HasPrefix(strings.TrimSpace(rest), "=") {
				return i + 1
			}
		}
	}
	return 0
}
