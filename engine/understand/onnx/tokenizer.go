package onnx

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"
)

// Tokenizer is CLIP's byte-level BPE tokenizer, read from the vocab.json
// and merges.txt files that come with a CLIP-style model.
type Tokenizer struct {
	vocab   map[string]int64
	ranks   map[[2]string]int
	byteEnc [256]rune
	pattern *regexp.Regexp
	sot     int64
	eot     int64
	context int
}

// NewTokenizer reads vocab.json ({"token": id}) and merges.txt (one
// "a b" pair a line, first line a version comment).
func NewTokenizer(vocabPath, mergesPath string, contextLength int) (*Tokenizer, error) {
	b, err := os.ReadFile(vocabPath)
	if err != nil {
		return nil, fmt.Errorf("tokenizer vocab: %w", err)
	}
	t := &Tokenizer{vocab: map[string]int64{}, ranks: map[[2]string]int{}, context: contextLength}
	if err := json.Unmarshal(b, &t.vocab); err != nil {
		return nil, fmt.Errorf("tokenizer vocab %s: %w", vocabPath, err)
	}
	f, err := os.Open(mergesPath)
	if err != nil {
		return nil, fmt.Errorf("tokenizer merges: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Fields(line)
		if len(parts) == 2 {
			t.ranks[[2]string{parts[0], parts[1]}] = len(t.ranks)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var ok1, ok2 bool
	t.sot, ok1 = t.vocab["<|startoftext|>"]
	t.eot, ok2 = t.vocab["<|endoftext|>"]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("tokenizer vocab %s lacks <|startoftext|> or <|endoftext|>", vocabPath)
	}
	if t.context <= 2 {
		t.context = 77
	}
	t.byteEnc = bytesToUnicode()
	t.pattern = regexp.MustCompile(`'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+`)
	return t, nil
}

// bytesToUnicode is GPT-2/CLIP's reversible map of bytes to printable runes.
func bytesToUnicode() [256]rune {
	var m [256]rune
	used := map[int]bool{}
	for _, r := range [][2]int{{'!', '~'}, {0xA1, 0xAC}, {0xAE, 0xFF}} {
		for b := r[0]; b <= r[1]; b++ {
			m[b] = rune(b)
			used[b] = true
		}
	}
	n := 0
	for b := 0; b < 256; b++ {
		if !used[b] {
			m[b] = rune(256 + n)
			n++
		}
	}
	return m
}

// Encode returns the context-length token ids of text: start token, BPE
// tokens (cut to fit), end token, zero padding; and how many are real.
func (t *Tokenizer) Encode(text string) ([]int64, int) {
	text = strings.ToLower(strings.Join(strings.FieldsFunc(text, unicode.IsSpace), " "))
	ids := []int64{t.sot}
	for _, word := range t.pattern.FindAllString(text, -1) {
		var enc []rune
		for _, b := range []byte(word) {
			enc = append(enc, t.byteEnc[b])
		}
		for _, tok := range t.bpe(enc) {
			if id, ok := t.vocab[tok]; ok {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > t.context-1 {
		ids = ids[:t.context-1]
	}
	ids = append(ids, t.eot)
	n := len(ids)
	out := make([]int64, t.context)
	copy(out, ids)
	return out, n
}

// bpe merges a word's symbols by merge rank; the last symbol ends in </w>.
func (t *Tokenizer) bpe(word []rune) []string {
	syms := make([]string, len(word))
	for i, r := range word {
		syms[i] = string(r)
	}
	if len(syms) == 0 {
		return nil
	}
	syms[len(syms)-1] += "</w>"
	for len(syms) > 1 {
		best, at := -1, -1
		for i := 0; i+1 < len(syms); i++ {
			if r, ok := t.ranks[[2]string{syms[i], syms[i+1]}]; ok && (best < 0 || r < best) {
				best, at = r, i
			}
		}
		if at < 0 {
			break
		}
		merged := syms[at] + syms[at+1]
		syms = append(syms[:at], append([]string{merged}, syms[at+2:]...)...)
	}
	return syms
}
