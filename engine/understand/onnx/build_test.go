//go:build cgo

package onnx

import (
	"encoding/binary"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"glimpse/internal/testmedia"
)

// A minimal protobuf writer, enough to build ONNX models in tests: the
// tests make their own small models instead of shipping weights.
type pb []byte

func (p pb) varint(v uint64) pb {
	for v >= 0x80 {
		p = append(p, byte(v)|0x80)
		v >>= 7
	}
	return append(p, byte(v))
}
func (p pb) tag(field, wire int) pb    { return p.varint(uint64(field<<3 | wire)) }
func (p pb) int(field int, v int64) pb { return p.tag(field, 0).varint(uint64(v)) }
func (p pb) bytes(field int, b []byte) pb {
	return append(p.tag(field, 2).varint(uint64(len(b))), b...)
}
func (p pb) str(field int, s string) pb { return p.bytes(field, []byte(s)) }

const (
	tFloat = 1
	tInt64 = 7
)

// valueInfo: name and a tensor type with fixed dims (0 = symbolic).
func valueInfo(name string, elem int, dims ...int64) []byte {
	var shape pb
	for _, d := range dims {
		var dim pb
		if d > 0 {
			dim = dim.int(1, d)
		} else {
			dim = dim.str(2, "n")
		}
		shape = shape.bytes(1, dim)
	}
	tensor := pb(nil).int(1, int64(elem)).bytes(2, shape)
	typ := pb(nil).bytes(1, tensor)
	return pb(nil).str(1, name).bytes(2, typ)
}

func floatTensor(name string, dims []int64, data []float32) []byte {
	var p pb
	for _, d := range dims {
		p = p.int(1, d)
	}
	p = p.int(2, tFloat).str(8, name)
	raw := make([]byte, 4*len(data))
	for i, f := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	return p.bytes(9, raw)
}

type attr struct {
	name string
	ints []int64
	i    *int64
}

func node(op string, in, out []string, attrs ...attr) []byte {
	var p pb
	for _, s := range in {
		p = p.str(1, s)
	}
	for _, s := range out {
		p = p.str(2, s)
	}
	p = p.str(3, op+"_"+out[0]).str(4, op)
	for _, a := range attrs {
		ap := pb(nil).str(1, a.name)
		if a.i != nil {
			ap = ap.int(3, *a.i).int(20, 2) // INT
		} else {
			for _, v := range a.ints {
				ap = ap.int(8, v)
			}
			ap = ap.int(20, 7) // INTS
		}
		p = p.bytes(5, ap)
	}
	return p
}

func model(nodes, inits, inputs, outputs [][]byte) []byte {
	g := pb(nil).str(2, "test")
	for _, n := range nodes {
		g = g.bytes(1, n)
	}
	for _, t := range inits {
		g = g.bytes(5, t)
	}
	for _, v := range inputs {
		g = g.bytes(11, v)
	}
	for _, v := range outputs {
		g = g.bytes(12, v)
	}
	opset := pb(nil).str(1, "").int(2, 13)
	return pb(nil).int(1, 8).bytes(8, opset).bytes(7, g)
}

// colourWords are the test vocabulary: each word's text vector points at
// the colour it names, in the image tower's (normalised mean RGB) space.
// Their letter pairs do not overlap, so each word's merges build only it.
var colourWords = map[string][3]float32{
	"red":  {1, -0.6, -0.6},
	"lime": {-0.6, 1, -0.6},
	"blue": {-0.6, -0.6, 1},
}

// writeTestModel writes a tiny CLIP-style model into dir: the image tower is
// the mean normalised colour; the text tower averages per-token vectors.
func writeTestModel(t testing.TB, dir string, withMask bool) {
	t.Helper()
	keep := int64(0)
	img := model(
		[][]byte{
			node("ReduceMean", []string{"pixel_values"}, []string{"mean"}, attr{name: "axes", ints: []int64{2, 3}}, attr{name: "keepdims", i: &keep}),
			node("MatMul", []string{"mean", "w"}, []string{"image_embeds"}),
		},
		[][]byte{floatTensor("w", []int64{3, 3}, []float32{1, 0, 0, 0, 1, 0, 0, 0, 1})},
		[][]byte{valueInfo("pixel_values", tFloat, 1, 3, 224, 224)},
		[][]byte{valueInfo("image_embeds", tFloat, 1, 3)},
	)
	// vocabulary: letters, letters</w>, the colour words, the two specials
	vocab := map[string]int64{}
	var rows []float32
	addTok := func(tok string, v [3]float32) {
		vocab[tok] = int64(len(vocab))
		rows = append(rows, v[:]...)
	}
	addTok("!", [3]float32{}) // id 0: also the padding id
	for c := 'a'; c <= 'z'; c++ {
		addTok(string(c), [3]float32{})
		addTok(string(c)+"</w>", [3]float32{})
	}
	var merges []string
	for _, w := range slices.Sorted(maps.Keys(colourWords)) {
		v := colourWords[w]
		// merges build the word left to right: r e -> re, re d</w> -> red</w>
		cur := string(w[0])
		for i := 1; i < len(w); i++ {
			next := string(w[i])
			if i == len(w)-1 {
				next += "</w>"
			}
			merges = append(merges, cur+" "+next)
			cur += next
			if _, ok := vocab[cur]; !ok {
				if i == len(w)-1 {
					addTok(cur, v)
				} else {
					addTok(cur, [3]float32{})
				}
			}
		}
	}
	addTok("<|startoftext|>", [3]float32{})
	addTok("<|endoftext|>", [3]float32{})
	v := int64(len(vocab))
	ins := [][]byte{valueInfo("input_ids", tInt64, 1, 77)}
	if withMask {
		ins = append(ins, valueInfo("attention_mask", tInt64, 1, 77))
	}
	txt := model(
		[][]byte{
			node("Gather", []string{"emb", "input_ids"}, []string{"tok"}),
			node("ReduceMean", []string{"tok"}, []string{"text_embeds"}, attr{name: "axes", ints: []int64{1}}, attr{name: "keepdims", i: &keep}),
		},
		[][]byte{floatTensor("emb", []int64{v, 3}, rows)},
		ins,
		[][]byte{valueInfo("text_embeds", tFloat, 1, 3)},
	)
	vb, _ := json.Marshal(vocab)
	files := map[string][]byte{
		"image.onnx": img, "text.onnx": txt, "vocab.json": vb,
		"merges.txt": []byte("#version: 0.2\n" + strings.Join(merges, "\n") + "\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runtimeLibrary finds ONNX Runtime from the npm package onnxruntime-node,
// which `make testdata` unpacks into the test cache.
func runtimeLibrary(t testing.TB) string {
	t.Helper()
	lib := filepath.Join(testmedia.Dir(t), "onnxruntime", "libonnxruntime.so.1")
	if _, err := os.Stat(lib); err != nil {
		t.Fatalf("ONNX Runtime missing at %s: run `make testdata` (%v)", lib, err)
	}
	return lib
}
